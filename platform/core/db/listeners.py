"""Every SQLAlchemy event listener of Shouwen, registered in one place, in one order.

Importing a module registers nothing: the listener functions live next to their concept
(scoping in ``core.tenancy.scoping``, the stamp in ``core.policy.config_stamp`` ...), and
:func:`install` attaches them, once per process however many apps are built (the tests
build several).  ``create_app`` calls :func:`init_app`; code that uses the models without
the app factory (``benchmarks/floor_app.py``) calls :func:`install` itself.

The listeners are class-level (``Engine``, ``Session``, the ``ContactEvent`` mapper), so
they apply to every engine and session of the process.  SQLAlchemy runs the listeners of
one event in the order they were registered, and the order below matters:

1. ``Engine connect`` / ``begin`` (SQLite only, ``core.db.sqlite_writers``): pragmas on each
   new connection, then ``BEGIN IMMEDIATE`` behind the writer lock for writing transactions.
   ``Engine before_execute`` / ``before_cursor_execute`` (``core.tenancy.scoping``): raw
   SQL naming a tenant table, and INSERT/UPDATE setting another tenant's ``tenant_id``, are
   refused on every path to the database (ORM, Core, ``session.connection()``, driver SQL)
   unless marked as cross-tenant maintenance.  The SQLite ``BEGIN`` is driver SQL naming no
   table, so the order between them does not matter.
2. ``ContactEvent before_update`` / ``before_delete``: the event log is append-only.
3. ``Session do_orm_execute``: **tenant scoping before the config stamp.**  Scoping refuses
   a statement with no tenant in scope, or adds the tenant's criteria; only a statement
   that passed it may bump a tenant's stamp (``core.policy.config_stamp``), so a refused
   UPDATE of a special day never writes a stamp.
4. ``Session before_flush``: **scoping's tenant stamp before the config stamp.**  Scoping
   fills in ``tenant_id`` on new rows and refuses rows of another tenant; the config stamp
   then reads those ``tenant_id`` to know whose caches to invalidate.
   The supervision roll-up (``core.supervision.rollup``) comes last: it reads the old
   values of rows changed while expired; its ``after_flush`` holds the changes, once the
   new rows' foreign keys are set.
5. ``Session before_commit``: the outbox writes its held rows (``core.notify.outbox``), then
   the roll-up writes the transaction's changes (its flush sees the outbox's rows).  Its
   flush runs the ``before_flush`` listeners above, and it queues the drain wake-ups on
   the after-commit queue *after* every job the transaction enqueued, so jobs go out first.
6. ``Session after_commit`` / ``after_soft_rollback`` / ``after_transaction_end``: the one
   after-commit queue (``core.db.after_commit``) of jobs and outbox wake-ups; it runs only
   after the outermost commit, so it comes after everything above.
"""
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def _listeners():
    """(target, event name, function) in registration order (see the module docstring)."""
    from core.contacts import models as contacts
    from core.db import after_commit, sqlite_writers
    from core.notify import outbox
    from core.policy import config_stamp
    from core.supervision import rollup
    from core.tenancy import scoping
    return [
        (Engine, "connect", sqlite_writers.set_pragmas),
        (Engine, "begin", sqlite_writers.begin),
        (Engine, "before_execute", scoping.check_statement),
        (Engine, "before_cursor_execute", scoping.check_driver_sql),
        (contacts.ContactEvent, "before_update", contacts.refuse_event_change),
        (contacts.ContactEvent, "before_delete", contacts.refuse_event_change),
        (Session, "do_orm_execute", scoping.scope_statement),
        (Session, "do_orm_execute", config_stamp.on_bulk_statement),
        (Session, "before_flush", scoping.stamp_tenant),
        (Session, "before_flush", config_stamp.on_flush),
        (Session, "before_flush", rollup.remember_unread),
        (Session, "after_flush", rollup.collect),
        (Session, "before_commit", outbox.write_held_rows),
        (Session, "before_commit", rollup.write_held),
        (Session, "after_commit", after_commit.after_commit),
        (Session, "after_soft_rollback", after_commit.after_soft_rollback),
        (Session, "after_transaction_end", after_commit.after_transaction_end),
    ]


def install():
    """Register every listener not registered yet (idempotent: ``event.contains``)."""
    for target, name, fn in _listeners():
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


def init_app(app):
    """The app factory's entry point (``create_app``).  The listeners are process-wide, not
    per app, so a second app changes nothing."""
    install()
