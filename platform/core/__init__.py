"""Shouwen core: contacts, ownership, transfers, deadlines and the pack contract.

``create_app`` builds the Flask application (flaskr style: extensions are
created unbound in ``core.extensions`` and attached here).
"""
import os

from flask import Flask, Request


class ShouwenRequest(Request):
    """Form text with plain ``\n`` line ends: browsers send a textarea's lines joined by
    CRLF (HTML's form encoding), and a summary or reply stored that way would show and
    export with stray carriage returns."""

    def _load_form_data(self):
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form and any("\r" in value for _, value in form.items(multi=True)):
            self.__dict__["form"] = self.parameter_storage_class(
                [(key, value.replace("\r\n", "\n").replace("\r", "\n"))
                 for key, value in form.items(multi=True)])


def create_app(config=None):
    app = Flask(__name__, instance_path=os.environ.get("SHOUWEN_INSTANCE_PATH")
                or os.path.join(os.getcwd(), "instance"))
    app.request_class = ShouwenRequest
    from core import clock
    from core import config as settings
    settings.load(app, config)
    clock.configure(app.config.get("SHOUWEN_NOW"))
    from core import validation
    validation.init_app(app)     # bounded <int:> URLs before any route; the request guard

    from core.db import listeners
    from core.extensions import db, migrate
    listeners.init_app(app)      # every SQLAlchemy listener, once per process, in its order
    db.init_app(app)
    migrate.init_app(app, db,
                     directory=os.path.join(os.path.dirname(__file__), "db", "migrations"))
    # Every table and every job is declared when its module is imported.
    from core.api import bp as api_bp
    from core.contacts import models  # noqa: F401
    from core.deadlines import reminders, sweep  # noqa: F401
    from core.jobs import periodic  # noqa: F401
    from core.notify import inbox, mail, outbox, webhooks  # noqa: F401
    from core.notify import sms  # noqa: F401
    from core.voice import telling, telling_models  # noqa: F401
    from core.supervision import assessment_models, models as supervision_models  # noqa: F401
    from core.tenancy import models as tenancy_models  # noqa: F401
    from core.voice import rating_models  # noqa: F401
    from core.tenancy import password_links
    from core.voice import questionnaire_models  # noqa: F401
    app.register_blueprint(api_bp)
    _init_web(app)
    from core import cli
    cli.init_app(app)
    # The SaaS shell (sign-up, administration, operators, demo) around the engine: the one
    # place where core reaches tenants (docs/architecture.md).
    import tenants
    tenants.init_app(app)
    return app


def _init_web(app):
    from core import i18n
    from core.api import bp as api_bp
    from core.extensions import csrf, limiter, login_manager
    from core.web import bp as web_bp
    from core.web import headers, labels, public
    headers.init_app(app)
    csrf.init_app(app)
    csrf.exempt(api_bp)          # the API authenticates with bearer tokens, not cookies
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config.get("SHOUWEN_REDIS_URL") or "memory://")
    limiter.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    app.register_blueprint(web_bp)
    app.register_blueprint(public.bp)

