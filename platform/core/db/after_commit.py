"""Work that waits for the commit: one queue per session, shared by jobs and the outbox.

Two kinds of transaction-bound bookkeeping, both tied to the transaction (or savepoint) that
was innermost when the item was added, so that a rollback drops exactly what was added
inside it:

* ``on_commit(session, run, item)``: after the *outermost* commit, ``run(items)`` is called
  with every item queued for it, in the order queued (functions in the order of their
  first item).  Committing a savepoint only keeps its items for the outer commit; rolling
  back a savepoint drops the items queued in it (and in savepoints inside it); rolling back
  the outer transaction, or closing the session without a commit, drops everything.  With
  no transaction open (or inside an after-commit hook) ``run([item])`` is called at once.
  Jobs enqueue through it (``core.jobs.enqueue``), the outbox wakes its drain through it.
* ``hold(session, name, item)`` / ``take(session, name)``: items held until someone takes
  them before a commit (the outbox's rows, ``core.notify.outbox.write_held_rows``), dropped the
  same way when their savepoint or transaction rolls back.

Why one mechanism: jobs and the outbox each kept their own lists in ``session.info`` with
their own after-commit and rollback listeners, and had to agree on what a rolled-back
savepoint means.  The three listeners here are registered by ``core.db.listeners``.

A function queued here runs after the data is committed: if it raises, the error is logged
and the other functions still run (the caller's commit has happened and must not look as
if it failed; the periodic scans redo lost work, docs/jobs.md).
"""
import logging

log = logging.getLogger("shouwen.after_commit")

_KEY = "shouwen_after_commit"


def _state(session):
    return session.info.setdefault(_KEY, {"after": [], "held": {}})


def _open_transaction(session):
    """The innermost transaction that is still active (None inside an after-commit hook)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    while transaction is not None and not transaction.is_active:
        transaction = transaction.parent
    return transaction


def within(transaction, rolled_back):
    """Was ``transaction`` (a session transaction) ``rolled_back`` or nested inside it?"""
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False


def on_commit(session, run, item):
    """Call ``run([... item ...])`` after the outermost commit (at once without a transaction)."""
    transaction = _open_transaction(session) if session is not None else None
    if transaction is None:
        return _call(run, [item])
    _state(session)["after"].append((transaction, run, item))
    return None


def hold(session, name, item):
    """Keep ``item`` under ``name`` until :func:`take`, or until its transaction rolls back.

    With no transaction open one is begun (as ``session.add`` would): a held item always
    belongs to the transaction whose commit takes it."""
    transaction = _open_transaction(session)
    if transaction is None:
        transaction = session.begin()
    _state(session)["held"].setdefault(name, []).append((transaction, item))


def take(session, name):
    """The items held under ``name`` (in order), removed from the session."""
    held = session.info.get(_KEY, {}).get("held", {}).pop(name, None) or []
    return [item for _, item in held]


def _call(run, items):
    try:
        run(items)
    except Exception:   # noqa: BLE001  (committed already: log, go on with the others)
        log.exception("after-commit work %s failed for %d item(s)",
                      getattr(run, "__qualname__", run), len(items))


def after_commit(session):
    """Session ``after_commit``: run the queue, but only when the outermost transaction
    committed (SQLAlchemy also fires this hook when a savepoint is released)."""
    if session.in_nested_transaction() or _KEY not in session.info:
        return
    pending = session.info[_KEY]["after"]
    session.info[_KEY]["after"] = []
    batches = {}
    for _, run, item in pending:
        batches.setdefault(run, []).append(item)
    for run, items in batches.items():
        _call(run, items)


def after_soft_rollback(session, previous_transaction):
    """Session ``after_soft_rollback``: drop what the rolled-back transaction added."""
    state = session.info.get(_KEY)
    if not state:
        return
    state["after"] = [entry for entry in state["after"]
                      if not within(entry[0], previous_transaction)]
    for name, held in list(state["held"].items()):
        state["held"][name] = [entry for entry in held
                               if not within(entry[0], previous_transaction)]


def after_transaction_end(session, transaction):
    """Session ``after_transaction_end``: the outermost transaction ended without a commit
    (``session.close()``): what it queued is dropped, never carried into the next one."""
    if transaction.parent is None:
        session.info.pop(_KEY, None)
