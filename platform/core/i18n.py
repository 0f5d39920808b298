"""Languages: Simplified Chinese by default, English complete (Flask-Babel).

The message catalogues (``translations/<lang>/LC_MESSAGES/messages.po``) are
compiled to ``.mo`` when the application starts, if the ``.po`` is newer, into
the instance folder, so an editable install or a fresh clone needs no build
step.  Message ids are English; the English catalogue exists so a test can
prove that every string has an entry in both languages.
"""
import os

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


def select_locale():
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        return lang
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    tenant = g.get("tenant")
    if tenant is not None and tenant.languages:
        return tenant.languages[0]
    return "zh"


def select_timezone():
    tenant = g.get("tenant")
    return tenant.timezone if tenant is not None else "Asia/Shanghai"


def init_app(app):
    from .extensions import babel
    target = os.path.join(app.instance_path, "translations")
    compile_catalogues(target)
    babel.init_app(app, default_locale="zh", default_timezone="Asia/Shanghai",
                   default_translation_directories=target,
                   locale_selector=select_locale, timezone_selector=select_timezone)
