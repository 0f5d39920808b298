"""Outgoing HTTP to addresses tenants choose (webhooks), kept off internal networks.

A tenant administrator types a webhook URL; the worker then POSTs to it from inside our
network.  Without a check that is server-side request forgery: ``http://127.0.0.1:6379``,
``http://169.254.169.254/`` (cloud metadata) or a private database host would all be
reached.  So, unless ``SHOUWEN_WEBHOOK_PRIVATE_TARGETS=allow`` (a developer's machine, the
test suite):

* saving a URL refuses a host that is, or resolves to, an address that is not globally
  routable (loopback, private, link-local, carrier-grade NAT, multicast, reserved,
  IPv4-mapped forms of these); a name that does not resolve yet is accepted;
* every delivery resolves the name again, refuses if *any* address is not global, and
  connects to the address it checked (TLS still verifies the certificate against the
  name).  Checking once and letting the HTTP library resolve again would let a name
  rebind to 127.0.0.1 between the check and the connection.

Redirects are never followed (``core.notify.webhooks``), so a public URL cannot bounce inward.
"""
import http.client
import ipaddress
import socket
import urllib.request

from flask import current_app, has_app_context


class BlockedAddress(OSError):
    """The target is not a public Internet address."""


def private_allowed():
    return has_app_context() and \
        str(current_app.config.get("SHOUWEN_WEBHOOK_PRIVATE_TARGETS", "deny")).lower() == "allow"


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, IPv4-compatible,
# IPv4-translated): the IPv4 address is where such a packet may end up.
_EMBEDS_IPV4 = [ipaddress.ip_network(n) for n in
                ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "::ffff:0:0:0/96")]


def _embedded_ipv4(ip):
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in net for net in _EMBEDS_IPV4):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def is_public(address):
    """A globally routable unicast address, and so is any IPv4 address an IPv6 one embeds."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        embedded = _embedded_ipv4(ip)
        if embedded:
            return all(is_public(str(a)) for a in embedded)
        if ip.is_site_local or ip.is_reserved:
            return False
    return ip.is_global and not ip.is_multicast


def resolve(host, port):
    """``[(family, sockaddr)]`` of ``host``; raises ``OSError`` when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [(family, sockaddr) for family, _, _, _, sockaddr in infos]


def refused_host(host, port=443):
    """Why a webhook host is refused at save time, or None (unresolvable names pass)."""
    if private_allowed():
        return None
    try:
        addresses = resolve(host, port)
    except OSError:
        return None
    bad = sorted({sockaddr[0] for _, sockaddr in addresses if not is_public(sockaddr[0])})
    return ", ".join(bad) or None


def _connect(host, port, timeout):
    addresses = resolve(host, port)
    if not private_allowed():
        bad = [sockaddr[0] for _, sockaddr in addresses if not is_public(sockaddr[0])]
        if bad:
            raise BlockedAddress(f"{host} resolves to a non-public address ({bad[0]})")
    error = OSError(f"no address for {host}")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error


class _HTTPConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        sock = _connect(self.host, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener():
    """A urllib opener that checks every address it connects to and follows no redirect.
    (No proxy handler: a proxy would connect for us, unchecked.)"""
    director = urllib.request.OpenerDirector()
    for handler in (urllib.request.UnknownHandler(), _HTTPHandler(), _HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), _NoRedirect(),
                    urllib.request.HTTPErrorProcessor()):
        director.add_handler(handler)
    return director
