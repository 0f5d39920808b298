"""Languages: Simplified Chinese by default, English complete (Flask-Babel).

The message catalogues (``translations/<lang>/LC_MESSAGES/messages.po``) are
compiled to ``.mo`` when the application starts, if the ``.po`` is newer, into
the instance folder, so an editable install or a fresh clone needs no build
step.  Message ids are English; the English catalogue exists so a test can
prove that every string has an entry in both languages.

Maintenance (``python scripts/i18n.py update`` / ``check``) uses the functions
at the end of this module: :func:`extract_messages` reads the code and templates
named in ``babel.cfg`` (Babel's own extractors, Jinja's ``babel_extract``),
:func:`update_catalogue` merges them into a catalogue the way ``pybabel update``
does but without fuzzy matching, and :func:`problems` lists what is missing.
The tests call the same functions.
"""
import os
import re

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, request, session

LANGUAGES = ("zh", "en")
SOURCE = os.path.join(os.path.dirname(__file__), "translations")


def compile_catalogues(target):
    for lang in LANGUAGES:
        po = os.path.join(SOURCE, lang, "LC_MESSAGES", "messages.po")
        if not os.path.exists(po):
            continue
        out_dir = os.path.join(target, lang, "LC_MESSAGES")
        mo = os.path.join(out_dir, "messages.mo")
        if os.path.exists(mo) and os.path.getmtime(mo) >= os.path.getmtime(po):
            continue
        os.makedirs(out_dir, exist_ok=True)
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        tmp = mo + f".{os.getpid()}"
        with open(tmp, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)


def N_(text):
    """Marks a message for extraction without translating it (Babel's ``N_`` keyword)."""
    return text


# Validation messages of the API's marshmallow schemas (core/api/schemas.py) and of
# marshmallow itself, which the web forms show next to a field: English in the schemas (the
# API answers in English), translated for the page by :func:`translate_error`.
VALIDATION_MESSAGES = (
    N_("Missing data for required field."), N_("Field may not be null."),
    N_("Invalid value."), N_("Invalid type."), N_("Invalid input type."), N_("Unknown field."),
    N_("Not a valid string."), N_("Not a valid boolean."), N_("Not a valid integer."),
    N_("Not a valid number."), N_("Not a valid datetime."), N_("Not a valid aware datetime."),
    N_("Not a valid date."), N_("Not a valid email address."), N_("Not a valid list."),
    N_("String does not match expected pattern."),
    N_("Must not contain a NUL character."), N_("Not valid Unicode text."),
    N_("Must not be blank."), N_("Not a phone number."), N_("Not a usable date and time."),
    N_("Must not be in the future."), N_("Must be within the last year."),
    N_("Choose a department."),
    # field errors of the lifecycle actions (core.contacts), the same on the API and the web
    N_("Not a member of the receiving department."),
    N_("Required when the customer was reached."),
    N_("Letters, digits and hyphens only, as on your receipt."),
    N_("Letters and digits only, as on your receipt."),
    # the customer's signature drawn on the desk tablet (core.voice.signatures)
    N_("Not a PNG image data URL."), N_("The signature image is too large."),
    N_("Not a PNG image."), N_("The signature image has an unusable size."),
    N_("The signature is empty."), N_("Draw the signature first."),
    N_("This form needs no confirmation."),
)
VALIDATION_PATTERNS = (
    (re.compile(r"^Shorter than minimum length (?P<n>\d+)\.$"),
     N_("Shorter than minimum length %(n)s.")),
    (re.compile(r"^Longer than maximum length (?P<n>\d+)\.$"),
     N_("Longer than maximum length %(n)s.")),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     N_("Length must be between %(min)s and %(max)s.")),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), N_("Must be one of: %(choices)s.")),
)
# Field errors that repeat what was typed (core.contacts.references): in English shown as the
# API words them, in another language without the echo (a code or user name in Latin letters).
ECHOES = (
    (re.compile(r"^No active department .*\.$"), N_("No active department by that code.")),
    (re.compile(r"^No active staff member .*\.$"),
     N_("No active staff member by that user name.")),
)


def translate_error(text):
    """A validation message in the current language (known messages; others unchanged).
    For the web forms: ``field_errors`` can pass each message through this."""
    from flask_babel import gettext
    text = str(text)
    if text in VALIDATION_MESSAGES:
        return gettext(text)
    for pattern, message in ECHOES:
        if pattern.match(text):
            translated = gettext(message)
            return text if translated == message else translated
    for pattern, message in VALIDATION_PATTERNS:
        found = pattern.match(text)
        if found:
            return gettext(message, **found.groupdict())
    return text


def offered_languages():
    """The languages the current tenant offers, its default first (all outside a tenant)."""
    tenant = g.get("tenant")
    found = [x for x in (tenant.languages or []) if x in LANGUAGES] if tenant is not None \
        else []
    return found or list(LANGUAGES)


def select_locale():
    """``?lang=`` (remembered in the session), else the session's choice, else the tenant's
    default; a language the tenant does not offer is never chosen."""
    offered = offered_languages()
    lang = request.args.get("lang")
    if lang in offered:
        session["lang"] = lang
        return lang
    lang = session.get("lang")
    if lang in offered:
        return lang
    return offered[0]


def select_timezone():
    tenant = g.get("tenant")
    return tenant.timezone if tenant is not None else "Asia/Shanghai"


def init_app(app):
    from core.extensions import babel
    target = os.path.join(app.instance_path, "translations")
    compile_catalogues(target)
    babel.init_app(app, default_locale="zh", default_timezone="Asia/Shanghai",
                   default_translation_directories=target,
                   locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["offered_languages"] = offered_languages


# --- Catalogue maintenance (development only; Babel's extractors are imported lazily) ---

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAPPING = os.path.join(ROOT, "babel.cfg")
PROJECT = "Shouwen"
# Babel's defaults (_, gettext, ngettext, pgettext, ...) plus Flask-Babel's lazy forms.
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
                  "lazy_pgettext": ((1, "c"), 2)}
COMMENT_TAGS = ("TRANSLATORS:",)
# printf-style conversions as Python's % operator reads them (%(name)s, %s, %d, %%).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def catalogue_path(lang):
    return os.path.join(SOURCE, lang, "LC_MESSAGES", "messages.po")


def extract_messages(root=ROOT, mapping=MAPPING):
    """A template catalogue (like ``pybabel extract -F babel.cfg``) of every message
    in the code and templates matched by ``babel.cfg``."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(mapping, encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename=mapping)
    keywords = dict(DEFAULT_KEYWORDS, **EXTRA_KEYWORDS)
    template = Catalog(project=PROJECT, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, options_map, keywords=keywords, comment_tags=COMMENT_TAGS,
            strip_comment_tags=True):
        template.add(message, None, [(filename.replace(os.sep, "/"), lineno)],
                     auto_comments=comments, context=context)
    return template


def read_catalogue(lang, path=None):
    from babel.messages.pofile import read_po
    path = path or catalogue_path(lang)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as fh:
        return read_po(fh, locale=lang)


def _po_bytes(catalog):
    from io import BytesIO

    from babel.messages.pofile import write_po
    out = BytesIO()
    # Without line numbers, so moving code around does not rewrite the catalogues.
    write_po(out, catalog, width=100, include_lineno=False)
    return out.getvalue()


def _stable(data):
    """The .po text without the dates that change on every run."""
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"\n', b"", data)


def update_catalogue(lang, template, path=None, fill_with_msgid=None, prune=False):
    """Merge ``template`` into the ``lang`` catalogue, keeping translations, without fuzzy
    matching; translated messages no longer in the code stay at the end as obsolete (``#~``)
    entries (unless ``prune``), and come back with their translation if the message returns.  The English catalogue
    is filled with the message ids (English) where empty.  Returns
    ``(added ids, obsolete ids, written)``; the file is not rewritten if nothing changed."""
    from babel.messages.catalog import Catalog

    path = path or catalogue_path(lang)
    fill = lang == "en" if fill_with_msgid is None else fill_with_msgid
    catalog = read_catalogue(lang, path)
    before = b""
    if catalog is None:
        catalog = Catalog(locale=lang, project=PROJECT, version=None, fuzzy=False,
                          copyright_holder="the Shouwen authors", msgid_bugs_address="",
                          last_translator="", language_team="",
                          header_comment=f"# {lang} messages of the Shouwen staff web interface.\n"
                                         "# Maintained with `python scripts/i18n.py update`.")
    else:
        with open(path, "rb") as fh:
            before = fh.read()
    old_obsolete = dict(catalog.obsolete)
    catalog.obsolete.clear()
    for key, message in old_obsolete.items():
        if key in template and key not in catalog:      # the message came back
            catalog[message.id] = message
    known_or_revived = {m.id for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.fuzzy = False
    if prune:
        catalog.obsolete.clear()
    else:
        # keep translations of messages gone from the code (earlier ones too), not empty ones
        for key, message in old_obsolete.items():
            if key not in template and key not in catalog.obsolete:
                catalog.obsolete[key] = message
        for key, message in list(catalog.obsolete.items()):
            if not _translated(message):
                del catalog.obsolete[key]
    if fill:
        for message in catalog:
            if message.id and not _translated(message):
                message.string = (tuple(str(x) for x in message.id) if message.pluralizable
                                  else message.id)
                message.flags.discard("fuzzy")
    added = [m.id for m in catalog if m.id and m.id not in known_or_revived]
    obsolete = [m.id for m in catalog.obsolete.values()]
    data = _po_bytes(catalog)
    written = _stable(data) != _stable(before)
    if written:
        if before:
            catalog.revision_date = _now()
            data = _po_bytes(catalog)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    return added, obsolete, written


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def _translated(message):
    if "fuzzy" in message.flags:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(s and s.strip() for s in strings)


def placeholders(text):
    """The printf-style placeholders of a text (or of all forms of a plural), as a set."""
    parts = text if isinstance(text, (list, tuple)) else [text]
    return {p for part in parts for p in PLACEHOLDER.findall(part or "")}


def problems(lang, template=None, catalog=None):
    """What keeps the ``lang`` catalogue from covering the code: a list of
    ``(template message, reason)`` (missing, untranslated or fuzzy, placeholders differ,
    wrong number of plural forms)."""
    template = template if template is not None else extract_messages()
    catalog = catalog if catalog is not None else read_catalogue(lang)
    out = []
    for message in template:
        if not message.id:
            continue
        key = message
        found = catalog.get(message.id, message.context) if catalog is not None else None
        if found is None:
            out.append((key, "not in the catalogue"))
        elif not _translated(found):
            out.append((key, "fuzzy" if "fuzzy" in found.flags else "no translation"))
        else:
            strings = found.string if isinstance(found.string, (list, tuple)) else [found.string]
            expected = placeholders(message.id)
            for s in strings:
                if placeholders(s) != expected:
                    out.append((key, f"placeholders {sorted(placeholders(s))} "
                                      f"instead of {sorted(expected)}"))
                    break
            if found.pluralizable and len(strings) != catalog.num_plurals:
                out.append((key, f"{len(strings)} plural forms, {catalog.num_plurals} expected"))
    return out
