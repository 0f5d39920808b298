#!/usr/bin/env python
"""Benchmark: the deadline sweep with many open contacts, few of them due (PostgreSQL).

1. Starts a throw-away PostgreSQL server (tests/pgserver.py), migrates, seeds the demo tenants.
2. Adds ``--contacts`` open hotel complaints (default 1,000,000) to demo-hotel with one
   INSERT .. SELECT generate_series each for contacts and their transfer clocks; ``--due``
   of them (default 1,000) are past due, the rest due in the future.  ANALYZE.
3. Prints EXPLAIN (ANALYZE, BUFFERS) of the sweep's query (open clocks due by now).
4. Runs the sweep job (``core.deadlines.sweep.sweep_due`` through ``core.jobs.perform``, as a worker
   runs it) and reports breaches and escalations per second: each breach writes its event,
   violation proposal, escalation (with the next level's clock) and their outbox messages.
   Jobs it enqueues go to a real Redis server when redis-server is installed (else the
   in-process stand-in, which is slower per enqueue); they are not run.
5. Runs the sweep again (nothing due): the cost of a sweep that finds nothing.

    python benchmarks/sweep.py                      # 1,000,000 open, 1,000 due
    python benchmarks/sweep.py --contacts 100000    # quicker

Needs root and /usr/lib/postgresql/*/bin (the server runs as ``postgres`` via runuser).
Everything it starts is stopped at the end, also on error.
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(REPO, "platform"), REPO, os.path.join(REPO, "tests")]

AT = "2026-11-02T12:00:00+08:00"


def build(db, text, tenant_id, contacts, due):
    """Open contacts with one transfer clock each; ``due`` of them already past due."""
    row = db.session.execute(text(
        "SELECT s.id AS staff, p.id AS policy FROM staff s, policy_versions p "
        "WHERE s.tenant_id = :t AND s.username = 'security' AND p.tenant_id = :t "
        "ORDER BY p.id DESC LIMIT 1"), {"t": tenant_id}).one()
    customer = db.session.execute(text(
        "INSERT INTO customers (tenant_id, name, phone, email, room, unit, address) "
        "VALUES (:t, '赵先生', '13800000000', '', '', '', '') RETURNING id"),
        {"t": tenant_id}).scalar()
    params = {"t": tenant_id, "s": row.staff, "p": row.policy, "c": customer, "n": contacts}
    db.session.execute(text("""
        INSERT INTO contacts (tenant_id, ref, channel, matter_type, summary, customer_id,
            received_at, registered_at, registered_by_id, owner_id, co_receiver_ids, state,
            own_duty, policy_version_id, escalation_level, updated_at)
        SELECT :t, 'BM-' || g, 'phone', 'complaint', '空调不制冷', :c,
            timestamptz '2026-11-02 02:00+00' + g * interval '1 second',
            timestamptz '2026-11-02 02:00+00' + g * interval '1 second', :s, :s, '[]',
            'registered', false, :p, 0, now()
        FROM generate_series(1, :n) g"""), params)
    # Clocks: the first ``due`` contacts were due 10:00-11:00 local; the rest are due later.
    db.session.execute(text("""
        INSERT INTO deadlines (tenant_id, contact_id, kind, stage, amount, unit, start_at,
            due_at, calendar_confirmed, status, responsible_staff_id, reminders_sent)
        SELECT c.tenant_id, c.id, 'transfer', 'register', 1, 'hours', c.received_at,
            CASE WHEN row_number() OVER (ORDER BY c.id) <= :due
                 THEN timestamptz '2026-11-02 02:30+00'
                 ELSE timestamptz '2026-11-09 02:00+00' END,
            true, 'open', c.owner_id, 0
        FROM contacts c WHERE c.tenant_id = :t AND c.ref LIKE 'BM-%'"""),
        {**params, "due": due})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    args = parser.parse_args()
    if not 1 <= args.due <= args.contacts <= 5_000_000:
        parser.error("need 1 <= --due <= --contacts <= 5,000,000")

    import pgserver
    import redisserver
    server = pgserver.PostgresServer().start()
    redis = redisserver.RedisServer().start() if redisserver.binary() else None
    try:
        url = server.create_database("sweep_bench")
        os.environ["SHOUWEN_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="shouwen-bench-")
        from sqlalchemy import select, text

        from core import clock, create_app, jobs
        from core.extensions import db
        from core.tenancy.models import Tenant
        from core.tenancy.scoping import unscoped
        from tenants import demo
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "SHOUWEN_JOBS": "redis" if redis else "embedded",
                          "SHOUWEN_REDIS_URL": redis.url if redis else None,
                          "SHOUWEN_OUTBOX_CONSUMERS": ""})
        print(f"jobs enqueued to {'redis-server' if redis else 'nowhere (embedded, no runner)'}")
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
            demo.seed()
            with unscoped():
                tid = db.session.scalar(select(Tenant.id).where(Tenant.slug == "demo-hotel"))
            t = time.perf_counter()
            with unscoped():            # the loader's raw SQL: cross-tenant maintenance
                build(db, text, tid, args.contacts, args.due)
            print(f"built {args.contacts:,} open contacts ({args.due:,} due) "
                  f"in {time.perf_counter() - t:.1f} s")
            at = clock.parse_instant(AT)
            plan = db.session.execute(text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM deadlines WHERE tenant_id = :t AND "
                "status = 'open' AND due_at < :at ORDER BY due_at, id LIMIT 500")
                .execution_options(cross_tenant=True), {"t": tid, "at": at}).scalars().all()
            db.session.rollback()
            print("\nsweep query plan:\n  " + "\n  ".join(plan))
            with clock.frozen(at):
                t = time.perf_counter()
                breached = jobs.perform("core.deadlines.sweep.sweep_due", tid)
                took = time.perf_counter() - t
                print(f"\nsweep job: {breached:,} breaches (each: event, violation, escalation "
                      f"and its clock, outbox rows) in {took:.2f} s = "
                      f"{breached / took:,.0f} escalations/s with one worker")
                t = time.perf_counter()
                again = jobs.perform("core.deadlines.sweep.sweep_due", tid)
                print(f"sweep again (nothing due, {args.contacts:,} open): {again} breaches "
                      f"in {(time.perf_counter() - t) * 1000:.1f} ms")
            db.session.remove()
            db.engine.dispose()
    finally:
        server.stop()
        if redis:
            redis.cleanup()


if __name__ == "__main__":
    main()
