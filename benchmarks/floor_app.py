"""The floor of registration's cost: its writes and its schemas, with nothing else.

``register.py --floor`` and ``register_profile.py --floor`` measure these endpoints next to
the bare insert and the real registration, to show how much of the gap to the bare insert
is the work itself rather than the application around it.

- ``POST /floor``: what a registration must do at the least, in plain SQLAlchemy Core on a
  pooled engine: the bearer token joined to its staff member and tenant (1 SELECT),
  customer, contact, its event and its 3 clocks (4 INSERTs, the clocks in one), the
  per-tenant counter (UPDATE ... RETURNING) and the contact's number (UPDATE), in one
  transaction; the body validated with the API's own ``ContactIn`` schema and the answer
  dumped with its ``ContactOut``.  No ORM, no tenant scoping hooks, no policy, no calendar
  arithmetic (fixed offsets), no plugin hooks.
- ``POST /floor-core``: the same statements, without marshmallow (``json`` in and out).

The app imports ``core`` for the table definitions and schemas and installs the app's
SQLAlchemy listeners (``core.db.listeners.install``: importing registers none), so it runs
with the app's SQLite settings (pragmas, ``BEGIN IMMEDIATE``, the writer lock), as
registration does.

    gunicorn --chdir benchmarks floor_app:app      # SHOUWEN_DATABASE_URL set, demo seeded
"""
import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

from flask import Flask, Response, request
from sqlalchemy import bindparam, create_engine, insert, select, update

from core.api.schemas import ContactIn, ContactOut
from core.contacts.models import Contact, ContactEvent, Customer, Deadline
from core.db import listeners
from core.db.sqlite_writers import engine_options
from core.tenancy.models import ApiToken, PolicyVersion, Staff, Tenant, TenantCounter

CLOCKS = (("final", 15 * 24 * 60), ("on_site", 60), ("transfer", 60))   # minutes


def _url():
    url = os.environ["SHOUWEN_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def create_app():
    app = Flask(__name__)
    listeners.install()          # the SQLite pragmas and BEGIN IMMEDIATE, as create_app does
    url = _url()
    engine = create_engine(url, **engine_options(url, {"pool_pre_ping": True}))
    t_token, t_staff, t_tenant = ApiToken.__table__, Staff.__table__, Tenant.__table__
    t_customer, t_contact = Customer.__table__, Contact.__table__
    t_event, t_deadline = ContactEvent.__table__, Deadline.__table__
    t_counter, t_version = TenantCounter.__table__, PolicyVersion.__table__
    schema_in, schema_out = ContactIn(), ContactOut()
    # Every statement built once, with bound parameters (as the app does for its hot ones).
    who_stmt = (select(t_staff.c.id, t_staff.c.username, t_staff.c.name,
                       t_staff.c.department_id, t_tenant.c.id.label("tenant_id"),
                       t_tenant.c.ref_prefix,
                       select(t_version.c.id).where(t_version.c.tenant_id == t_tenant.c.id)
                       .order_by(t_version.c.number.desc()).limit(1)
                       .scalar_subquery().label("version_id"))
                .join(t_token, t_token.c.staff_id == t_staff.c.id)
                .join(t_tenant, t_tenant.c.id == t_token.c.tenant_id)
                .where(t_token.c.digest == bindparam("digest"), t_token.c.revoked_at.is_(None),
                       t_staff.c.active, t_tenant.c.status == "active"))
    customer_stmt = insert(t_customer).returning(t_customer.c.id)
    contact_stmt = insert(t_contact).returning(t_contact.c.id)
    event_stmt = insert(t_event).returning(t_event.c.id)
    deadlines_stmt = insert(t_deadline).returning(t_deadline.c.id, sort_by_parameter_order=True)
    counter_stmt = (update(t_counter).where(t_counter.c.tenant_id == bindparam("t"),
                                            t_counter.c.name == "contact_ref")
                    .values(value=t_counter.c.value + 1).returning(t_counter.c.value))
    ref_stmt = (update(t_contact).where(t_contact.c.id == bindparam("contact_id"))
                .values(ref=bindparam("new_ref")))

    def register(data):
        auth = request.headers.get("Authorization", "")[7:].strip()
        digest = hashlib.sha256(auth.encode()).hexdigest()
        now = datetime.now(timezone.utc)
        with engine.begin() as conn:
            who = conn.execute(who_stmt, {"digest": digest}).first()
            if who is None:
                return None
            tenant_id = who.tenant_id
            customer = {"name": "", "phone": "", "email": "", "room": "", "unit": "",
                        "address": "", **data.get("customer", {})}
            customer_id = conn.execute(customer_stmt,
                                       {"tenant_id": tenant_id, **customer}).scalar()
            contact = dict(
                tenant_id=tenant_id, ref=f"~{os.urandom(12).hex()}", channel=data["channel"],
                matter_type=data["matter_type"], category=None, summary=data["summary"],
                customer_id=customer_id, received_at=now, registered_at=now,
                registered_by_id=who.id, owner_id=who.id, co_receiver_ids=[],
                handler_department_id=None, handler_id=None, state="registered",
                own_duty=False, policy_version_id=who.version_id, escalation_level=0,
                updated_at=now)
            contact_id = conn.execute(contact_stmt, contact).scalar()
            details = {"channel": data["channel"], "matter_type": data["matter_type"],
                       "category": None, "received_at": now.isoformat(),
                       "owner": who.username, "co_receivers": [], "own_duty": False}
            event_id = conn.execute(event_stmt, {
                "tenant_id": tenant_id, "contact_id": contact_id, "at": now, "actor_id": who.id,
                "kind": "registered", "details": details}).scalar()
            clocks = [dict(tenant_id=tenant_id, contact_id=contact_id, kind=kind,
                           stage="register", amount=minutes, unit="minutes", start_at=now,
                           due_at=now + timedelta(minutes=minutes), calendar_confirmed=True,
                           status="open", responsible_staff_id=who.id, reminders_sent=0)
                      for kind, minutes in CLOCKS]
            ids = conn.execute(deadlines_stmt, clocks).scalars().all()
            seq = conn.execute(counter_stmt, {"t": tenant_id}).scalar()
            ref = f"{who.ref_prefix}-{now:%Y%m%d}-{seq:04d}"
            conn.execute(ref_stmt, {"contact_id": contact_id, "new_ref": ref})
        owner = {"username": who.username, "name": who.name}
        return {**contact, "ref": ref, "owner": owner, "handler": None,
                "handler_department": None, "customer": customer, "policy_version": 1,
                "co_receivers": [], "satisfaction": None, "closed_at": None,
                "next_due_at": min(c["due_at"] for c in clocks), "overdue": False,
                "deadlines": [{**c, "id": i, "rule": {"amount": c["amount"], "unit": "minutes"},
                               "closed_at": None, "responsible_department": None,
                               "responsible_user": who.username}
                              for i, c in zip(ids, clocks)],
                "events": [{"id": event_id, "at": now, "kind": "registered",
                            "actor": who.username, "actor_name": who.name,
                            "details": details}]}

    @app.post("/floor")
    def floor():
        out = register(schema_in.load(request.get_json()))
        if out is None:
            return Response('{"error": "unauthorized"}', 401, mimetype="application/json")
        return Response(json.dumps(schema_out.dump(out), ensure_ascii=False), 201,
                        mimetype="application/json")

    @app.post("/floor-core")
    def floor_core():
        out = register(request.get_json())
        if out is None:
            return Response('{"error": "unauthorized"}', 401, mimetype="application/json")
        return Response(json.dumps(out, default=str, ensure_ascii=False), 201,
                        mimetype="application/json")

    @app.get("/health")
    def health():
        return Response("ok", 200, mimetype="text/plain")

    return app


if os.environ.get("SHOUWEN_DATABASE_URL"):
    app = create_app()
