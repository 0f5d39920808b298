"""Keyset pages of the register and of the work queues: following "older" links and then
"newer" links shows every matching contact exactly once, in order, for every filter; also
when several contacts were registered at the same instant (the page order under a date range
is (registered_at, id), so ties must be settled by the id)."""
import re

import pytest
from conftest import register
from sqlalchemy import update

NOW = "2026-11-06T12:00:00+08:00"
# Three instants, three contacts registered at each (frozen clock: identical registered_at).
INSTANTS = ("2026-11-05T10:00:00+08:00", "2026-11-05T23:30:00+08:00",
            "2026-11-06T09:00:00+08:00")


def _refs(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:1000]
    return re.findall(r'<tr data-ref="([^"]+)"', res.get_data(as_text=True))


def _link(res, which):
    found = re.search(rf'id="page-{which}" href="([^"]+)"', res.get_data(as_text=True))
    return found and found.group(1).replace("&amp;", "&")


@pytest.fixture
def tied(login, frozen):
    """Nine hotel contacts, three per instant, mixing channels, matter types, owners and
    states; oldest first."""
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    made = []
    for n, at in enumerate(INSTANTS):
        with frozen(at):
            for k in range(3):
                user = front if k == 1 else security
                c = register(user, channel=("phone", "visit")[k % 2],
                             matter_type=("complaint", "inquiry")[(n + k) % 2],
                             summary=f"事项 {n}-{k}")
                if k == 2:
                    res = user.post(f"/contacts/{c['ref']}/transfers",
                                    json={"to_department": "engineering", "mode": "handover"})
                    assert res.status_code == 201, res.get_json()
                made.append(c["ref"])
    return made


def walk(me, url):
    """Follow "older" to the end, then "newer" back to the start: (pages going, pages back)."""
    going, res = [], me.get(url)
    while True:
        going.append(_refs(res))
        older = _link(res, "older")
        if not older:
            break
        res = me.client.get(older)
    back = [going[-1]]
    while newer := _link(res, "newer"):
        res = me.client.get(newer)
        back.append(_refs(res))
    return going, back[::-1]


DATES = ("", "from=2026-11-05&to=2026-11-06", "from=2026-11-05", "to=2026-11-05")
FIELDS = ("", "channel=phone", "matter_type=complaint", "state=transferred", "owner=security",
          "handler_department=engineering", "overdue=1", "department=security",
          "department=front_office", "channel=phone&owner=security&overdue=1&state=registered")


@pytest.mark.parametrize("dates", DATES, ids=lambda d: d or "no dates")
def test_register_pages_show_each_contact_once_for_every_filter(web_login, tied, frozen,
                                                                monkeypatch, dates):
    from core.web import registers
    me = web_login("demo-hotel", "security")
    with frozen(NOW):
        for fields in FIELDS:
            url = "/register?" + "&".join(p for p in (dates, fields) if p)
            everything = _refs(me.get(url))           # one page of 50 holds them all
            monkeypatch.setattr(registers, "PAGE", 2)
            going, back = walk(me, url)
            monkeypatch.setattr(registers, "PAGE", 50)
            flat = [ref for page in going for ref in page]
            assert flat == everything, url            # nothing skipped, nothing repeated
            assert back == going, url                 # "newer" retraces the same pages
            assert all(len(page) == 2 for page in going[:-1]), url
    # the whole register, newest first: the filters above really had rows to page through
    assert everything != [] and len(_refs(me.get("/register"))) == 9


def test_date_range_pages_split_contacts_registered_at_the_same_instant(web_login, tied,
                                                                         frozen, monkeypatch):
    from core.web import registers
    monkeypatch.setattr(registers, "PAGE", 2)
    me = web_login("demo-hotel", "security")
    with frozen(NOW):
        going, back = walk(me, "/register?from=2026-11-05&to=2026-11-06")
    assert going == [tied[8:6:-1], tied[6:4:-1], tied[4:2:-1], tied[2:0:-1], tied[:1]]
    assert back == going


def test_date_range_orders_by_registration_time(app, web_login, tied, frozen, monkeypatch):
    """Under a date range the register is in registration order even where ids disagree
    (e.g. a contact entered late with an earlier time), and pages follow that order."""
    from datetime import datetime, timezone

    from core.contacts.models import Contact
    from core.extensions import db
    from core.tenancy.scoping import unscoped
    with unscoped():
        db.session.execute(update(Contact).where(Contact.ref == tied[8]).values(
            registered_at=datetime(2026, 11, 5, 1, 0, tzinfo=timezone.utc)))   # 09:00 local
        db.session.commit()
    from core.web import registers
    monkeypatch.setattr(registers, "PAGE", 4)
    me = web_login("demo-hotel", "security")
    with frozen(NOW):
        going, back = walk(me, "/register?from=2026-11-05")
    assert going == [tied[7:3:-1], tied[3:0:-1] + [tied[0]], [tied[8]]]
    assert back == going


def test_stale_or_foreign_page_links_show_the_first_page(app, web_login, login, tied, frozen):
    from sqlalchemy import select

    from core.contacts.models import Contact
    from core.extensions import db
    from core.tenancy.scoping import unscoped
    bank = login("demo-bank", "counter")
    with frozen("2026-11-06T09:30:00+08:00"):
        foreign = register(bank, matter_type="business", summary="开户")
    with unscoped():
        foreign["id"] = db.session.scalar(select(Contact.id).where(Contact.ref == foreign["ref"]))
    me = web_login("demo-hotel", "security")
    with frozen(NOW):
        first = _refs(me.get("/register?from=2026-11-05"))
        assert foreign["ref"] not in first
        for cursor in ("before=999999999", "after=999999999", f"before={foreign['id']}",
                       f"after={foreign['id']}"):
            assert _refs(me.get(f"/register?from=2026-11-05&{cursor}")) == first, cursor


def test_exports_follow_the_register_order(web_login, tied, frozen, monkeypatch):
    from core.web import registers
    monkeypatch.setattr(registers, "CHUNK", 2)         # several keyset chunks with ties
    me = web_login("demo-hotel", "security")
    with frozen(NOW):
        for url in ("/register?from=2026-11-05", "/register"):
            body = me.get(url.replace("/register", "/register.csv")).get_data().decode(
                "utf-8-sig")
            refs = [line.split(",")[0] for line in body.splitlines()[1:]]
            assert refs == _refs(me.get(url)) == tied[::-1], url


def test_home_shows_the_newest_of_each_queue_and_links_to_the_whole_queue(
        web_login, tied, frozen, monkeypatch):
    from core.web import queues
    monkeypatch.setattr(queues, "HOME_ROWS", 2)
    monkeypatch.setattr(queues, "PAGE", 2)
    me = web_login("demo-hotel", "security")
    owned = [ref for k, ref in enumerate(tied) if k % 3 != 1][::-1]   # security's six
    with frozen(NOW):
        home = me.get("/").get_data(as_text=True)
        section = home.split('id="queue-owned"')[1].split("</section>")[0]
        assert re.findall(r'contacts/([^"]+)"', section) == owned[:2]
        more = re.search(r'id="queue-owned-more" href="([^"]+)"', section).group(1)
        assert more.endswith("/queues/owned")
        pages, res = [], me.client.get(more)
        while True:
            html = res.get_data(as_text=True).split('id="queue-owned"')[1]
            pages.append(re.findall(r'contacts/([^"]+)"', html.split("</section>")[0]))
            older = _link(res, "older")
            if not older:
                break
            res = me.client.get(older)
        assert pages == [owned[0:2], owned[2:4], owned[4:6]]
        # a queue that fits on the home page has no "show all" link
        monkeypatch.setattr(queues, "HOME_ROWS", 50)
        assert 'id="queue-owned-more"' not in me.get("/").get_data(as_text=True)
        assert me.get("/queues/nope").status_code == 404


def test_queue_pages_are_per_tenant(web_login, login, tied, frozen):
    bank = login("demo-bank", "counter")
    with frozen("2026-11-01T09:30:00+08:00"):
        foreign = register(bank, matter_type="business", summary="开户")
    banker, bank_admin = web_login("demo-bank", "counter"), web_login("demo-bank", "admin")
    inspector = web_login("demo-hotel", "inspector")
    with frozen(NOW):
        html = banker.get("/queues/owned").get_data(as_text=True)
        assert foreign["ref"] in html and not any(ref in html for ref in tied)
        # everyone's overdue queue (a supervisor's) holds only the supervisor's tenant
        overdue = bank_admin.get("/").get_data(as_text=True).split('id="queue-overdue"')[1]
        assert foreign["ref"] in overdue.split("</section>")[0]
        overdue = inspector.get("/").get_data(as_text=True).split('id="queue-overdue"')[1]
        overdue = overdue.split("</section>")[0]
        assert tied[0] in overdue and foreign["ref"] not in overdue
