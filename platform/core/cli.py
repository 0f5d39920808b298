"""The ``shouwen`` command (a Flask CLI group): serve, worker, init-db, db, token, sweep,
supervision.

The SaaS shell adds its own commands (demo, operator) in ``tenants.cli``."""
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from core import clock
from core.db import upgrade
from core.extensions import db


def _create_app():
    """The app, or a one-line refusal of a bad configuration (exit status 2, no traceback)."""
    from core import create_app
    from core.config import ConfigError
    try:
        return create_app()
    except ConfigError as err:
        click.echo(f"Shouwen refuses to start: {err}", err=True)
        sys.exit(2)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade()
    click.echo("database is at the latest schema")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve_command(host, port):
    """Run the embedded server (SQLite and in-process jobs unless configured otherwise)."""
    from flask import current_app

    from core import jobs
    upgrade()
    app = current_app._get_current_object()
    if jobs.mode(app) == "embedded":
        jobs.start_embedded(app)
        where = "in-process (no SHOUWEN_REDIS_URL)"
    else:
        where = "on Redis: run `shouwen worker`"
    click.echo(f"Shouwen on http://{host}:{port}/  (database: "
               f"{current_app.config['SQLALCHEMY_DATABASE_URI']}; jobs {where})")
    # Flask refuses app.run() inside its own CLI; serve with werkzeug directly.
    from werkzeug.serving import run_simple
    run_simple(host, port, current_app._get_current_object(), threaded=True,
               use_reloader=False)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the periodic list once, drain the queues, exit.")
@click.option("--queues", default="default,notify", show_default=True)
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also enqueue the periodic jobs (each interval once across all workers).")
@with_appcontext
def worker_command(burst, queues, periodic):
    """Run an RQ worker (forking, with RQ's scheduler for retries) on SHOUWEN_REDIS_URL."""
    import multiprocessing

    from flask import current_app

    from core import jobs
    from core.extensions import db
    from core.jobs import periodic as schedule
    app = jobs.bind(current_app._get_current_object())
    if jobs.mode(app) != "redis":
        raise click.ClickException("set SHOUWEN_REDIS_URL (without Redis, `shouwen serve` "
                                   "runs the jobs in-process)")
    conn = jobs.connection(app)
    db.engine.dispose()            # work horses are forked: no pooled connection to inherit
    loop = None
    if periodic and burst:
        schedule.Schedule.enqueue_all(app)
    elif periodic:
        loop = multiprocessing.get_context("fork").Process(
            target=schedule.loop, args=(app,), name="shouwen-periodic", daemon=True)
        loop.start()
    names = [q.strip() for q in queues.split(",") if q.strip()]
    worker = jobs.worker_class(app)([jobs.queue(n, app) for n in names], connection=conn)
    try:
        worker.work(burst=burst, with_scheduler=True)
    finally:
        if loop is not None:
            loop.terminate()


@click.group("token")
def token_group():
    """API tokens."""


@token_group.command("create")
@click.option("--tenant", "slug", required=True)
@click.option("--user", "username", required=True)
@click.option("--label", default="cli")
@with_appcontext
def token_create(slug, username, label):
    """Create an API token; the token is printed on the last line."""
    from sqlalchemy import select

    from core.extensions import db
    from core.tenancy import signin, tokens
    from core.tenancy.models import Tenant
    from core.tenancy.scoping import tenant_scope, unscoped
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    with tenant_scope(tenant.id):
        staff = signin.find(username)           # the name as typed, normalised
        if staff is None:
            raise click.ClickException(f"no user {username!r} in {slug}")
        _, token = tokens.create(staff, label)
        db.session.commit()
    click.echo(f"token for {username}@{slug}:")
    click.echo(token)


@click.command("sweep")
@click.option("--at", "at", default=None, help="ISO instant to evaluate at (default: now)")
@with_appcontext
def sweep_command(at):
    """Evaluate every open deadline at an instant (idempotent)."""
    from core.deadlines import sweep
    instant = clock.parse_instant(at) if at else clock.now()
    with clock.frozen(instant):
        count = sweep.sweep(instant)
    click.echo(f"swept at {instant.isoformat()}: {count} deadline(s) newly breached")


@click.group("supervision")
def supervision_group():
    """The supervision figures (docs/supervision.md)."""


@supervision_group.command("rebuild")
@click.option("--tenant", "slug", default=None, help="One organisation (default: all)")
@with_appcontext
def supervision_rebuild(slug):
    """Recompute the figures from the raw records (after an upgrade or a bulk load)."""
    from sqlalchemy import select

    from core.supervision.maintenance import rebuild_tenant
    from core.tenancy.models import Tenant
    from core.tenancy.scoping import unscoped
    with unscoped():
        tenants = db.session.execute(select(Tenant.id, Tenant.slug).order_by(Tenant.id)).all()
    for tenant_id, tenant_slug in tenants:
        if slug is None or slug == tenant_slug:
            filled, rows = rebuild_tenant(tenant_id)
            click.echo(f"{tenant_slug}: {filled} clocks' time taken filled, {rows} roll-up rows")


def init_app(app):
    for command in (init_db_command, serve_command, worker_command, token_group, sweep_command,
                    supervision_group):
        app.cli.add_command(command)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main():
    """Shouwen 首问: first-inquiry responsibility."""


def _add_migrate(group):
    from flask_migrate.cli import db as db_group
    group.add_command(db_group)


_add_migrate(main)

if __name__ == "__main__":
    sys.exit(main())
