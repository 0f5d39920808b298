"""Configuration from the environment (12-factor); only defaults live here.

| variable | meaning | default |
|---|---|---|
| ``SHOUWEN_ENV`` | ``production`` or ``development``, exactly (anything else refuses to start) | ``development`` |
| ``SHOUWEN_DATABASE_URL`` | SQLAlchemy URL | SQLite file in the instance folder (created mode 0600) |
| ``SHOUWEN_SECRET_KEY`` | session / CSRF key (required in production, at least 32 bytes) | generated once into the instance folder |
| ``SHOUWEN_NOW`` | fix the clock at an ISO instant (refused in production) | unset |
| ``SHOUWEN_REDIS_URL`` | Redis for RQ jobs | unset: jobs run in-process |
| ``SHOUWEN_SMTP_URL`` | e-mail server, ``smtp://user:password@host:587?starttls=1`` or ``smtps://host:465`` | unset: no e-mail (inbox only) |
| ``SHOUWEN_MAIL_FROM`` | sender of notification e-mails | ``Shouwen <noreply@localhost>`` |
| ``SHOUWEN_PUBLIC_URL`` | address staff reach the web UI at, for links in e-mails | ``http://127.0.0.1:5000`` |
| ``SHOUWEN_JOBS`` | ``redis``, ``embedded`` or ``eager`` (tests) | ``redis`` with a Redis URL, else ``embedded`` |
| ``SHOUWEN_OUTBOX_CONSUMERS`` | comma-separated jobs each outbox row is handed to | ``core.notify.inbox.fan_out,core.voice.telling.tell`` |
| ``SHOUWEN_OUTBOX_GRACE_SECONDS`` | the relay scan re-sends rows unrelayed this long | ``60`` |
| ``SHOUWEN_SIGN_IN_ADDRESS_LIMIT`` | failed sign-ins one address may make over all accounts (core.web.auth) | ``50 per 15 minutes`` |
| ``SHOUWEN_WEBHOOK_PRIVATE_TARGETS`` | ``allow`` lets webhooks reach loopback / private addresses (a developer's receiver) | ``deny`` |
"""
import os
import secrets

from sqlalchemy.engine import make_url

ENVIRONMENTS = ("development", "production")
# The key signs sessions and CSRF tokens: 32 bytes is HMAC-SHA256's full strength.
MIN_SECRET_KEY_BYTES = 32


class ConfigError(RuntimeError):
    pass


def _environment(value):
    """Only a known value: "Production" running as development would drop every production
    safeguard without a word."""
    if value not in ENVIRONMENTS:
        raise ConfigError(f"SHOUWEN_ENV must be one of {', '.join(ENVIRONMENTS)} "
                          f"(exactly, lower case); got {value!r}")
    return value


def _check_secret_key(key):
    if len(str(key).encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(f"SHOUWEN_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes "
                          "in production (for example: python -c 'import secrets; "
                          "print(secrets.token_hex(32))')")


def private_sqlite_file(uri):
    """Create a new SQLite database file readable by its owner only (0600) before SQLite
    does with the process umask (often 0644: world-readable).  SQLite gives its -wal and
    -shm files the database file's mode.  An existing file is left as it is."""
    try:
        url = make_url(uri)
    except Exception:       # noqa: BLE001 - SQLAlchemy reports a bad URL itself, later
        return
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:" \
            or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except (FileExistsError, FileNotFoundError):
        return
    os.close(fd)


def _secret_key(instance_path):
    path = os.path.join(instance_path, "secret_key")
    if os.path.exists(path):
        with open(path) as fh:
            return fh.read().strip()
    key = secrets.token_hex(32)
    with open(path, "w") as fh:
        fh.write(key)
    os.chmod(path, 0o600)
    return key


def load(app, overrides=None):
    env = os.environ
    overrides = dict(overrides or {})
    app.config["SHOUWEN_ENV"] = _environment(
        overrides.pop("SHOUWEN_ENV", env.get("SHOUWEN_ENV", "development")))
    production = app.config["SHOUWEN_ENV"] == "production"
    os.makedirs(app.instance_path, exist_ok=True)
    default_db = "sqlite:///" + os.path.join(app.instance_path, "shouwen.db")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=env.get("SHOUWEN_DATABASE_URL", default_db),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SHOUWEN_NOW=env.get("SHOUWEN_NOW") or None,
        SHOUWEN_REDIS_URL=env.get("SHOUWEN_REDIS_URL") or None,
        SHOUWEN_SMTP_URL=env.get("SHOUWEN_SMTP_URL") or None,
        SHOUWEN_MAIL_FROM=env.get("SHOUWEN_MAIL_FROM") or "Shouwen <noreply@localhost>",
        SHOUWEN_PUBLIC_URL=env.get("SHOUWEN_PUBLIC_URL") or "http://127.0.0.1:5000",
        SHOUWEN_JOBS=env.get("SHOUWEN_JOBS") or None,
        SHOUWEN_OUTBOX_CONSUMERS=env.get("SHOUWEN_OUTBOX_CONSUMERS"),
        SHOUWEN_OUTBOX_GRACE_SECONDS=int(env.get("SHOUWEN_OUTBOX_GRACE_SECONDS") or 60),
        SHOUWEN_WEBHOOK_PRIVATE_TARGETS=env.get("SHOUWEN_WEBHOOK_PRIVATE_TARGETS") or "deny",
        SHOUWEN_SIGN_IN_ADDRESS_LIMIT=env.get("SHOUWEN_SIGN_IN_ADDRESS_LIMIT") or None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_SECURE=production,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        key = env.get("SHOUWEN_SECRET_KEY")
        if not key and production:
            raise ConfigError("SHOUWEN_SECRET_KEY is required in production")
        app.config["SECRET_KEY"] = key or _secret_key(app.instance_path)
    if production:
        _check_secret_key(app.config["SECRET_KEY"])
    if production and app.config.get("SHOUWEN_NOW"):
        raise ConfigError("SHOUWEN_NOW fixes the clock and is refused in production")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    from core.db.sqlite_writers import engine_options
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"])
