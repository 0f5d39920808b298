"""Flask extensions, created unbound and attached in ``create_app`` (``init_app``)."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from core.tenancy.scoping import TenantSessionMixin

# Stable constraint names, so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Session(TenantSessionMixin, FlaskSession):
    """Flask-SQLAlchemy's session whose ``get`` keeps to the tenant in scope."""


# Sessions live for one request or job; keeping loaded state after commit saves the reload of
# everything a handler answers with right after committing.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False, "class_": Session})
migrate = Migrate()

# -- web ------------------------------------------------------------------------------------
from flask_babel import Babel  # noqa: E402
from flask_limiter import Limiter  # noqa: E402
from flask_limiter.util import get_remote_address  # noqa: E402
from flask_login import LoginManager  # noqa: E402
from flask_wtf.csrf import CSRFProtect  # noqa: E402

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Only failed sign-ins count (see core.web.auth); storage is Redis when configured.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
