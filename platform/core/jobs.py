"""STAND-IN for the jobs branch's ``core/jobs.py`` (replaced by it at merge).

Same API as the contract (docs: /work/briefs/JOBS-CONTRACT.md section 1)::

    @job(queue="notify", retry=(5, [10, 30]))
    def deliver(tenant_id, delivery_id): ...

    deliver.enqueue(tenant_id, delivery_id)   # runs after the current transaction commits
    deliver(tenant_id, delivery_id)           # still a plain function

Here ``.enqueue`` runs the job synchronously, after the caller's transaction
commits (at once when none is open), the way a worker would: its own app
context and session, the tenant's scope, commit on success, rollback and log
on failure (never raised to the caller).
"""
import functools
import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tenants.scoping import tenant_scope

from .extensions import db

log = logging.getLogger(__name__)
REGISTRY = {}
_PENDING = "shouwen_jobs_after_commit"


def job(queue="default", retry=None):
    def decorate(fn):
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)

        def enqueue(*args):
            session = db.session()
            if session.in_transaction():
                session.info.setdefault(_PENDING, []).append((wrapper, args))
            else:
                _run(wrapper, args)

        wrapper.enqueue = enqueue
        wrapper.queue, wrapper.retry, wrapper.job_name = queue, retry, name
        REGISTRY[name] = wrapper
        return wrapper
    return decorate


def _run(fn, args):
    app = current_app._get_current_object()
    with app.app_context(), tenant_scope(args[0] if args else None):
        try:
            fn(*args)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s%r failed", fn.job_name, args)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    pending = session.info.pop(_PENDING, None)
    for fn, args in pending or ():
        _run(fn, args)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    # The outermost transaction ended without a commit (rolled back): nothing is sent.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
