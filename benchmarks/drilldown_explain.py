#!/usr/bin/env python
"""EXPLAIN of the supervision drill-downs (core.supervision.drilldown) on PostgreSQL with a
few thousand rows: which index each one uses.

Starts a throw-away PostgreSQL (tests/pgserver.py: root, server binaries), migrates, seeds
the demo tenants, multiplies demo-hotel's clocks, escalations, callbacks and violations to
``--rows`` each (copies of the sample rows spread over a year), ANALYZEs, and prints the
plan of one drill-down per row kind, organisation-wide and for one department.

    python benchmarks/drilldown_explain.py --rows 5000
"""
import argparse
import os
import sys
from datetime import UTC, date, datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "platform"), os.path.join(HERE, ".."),
                os.path.join(HERE, "..", "tests")]

COPIES = {  # table: the instant columns spread over the year
    "deadlines": ("closed_at", "breached_at", "due_at", "started_at"),
    "escalations": ("at",),
    "callbacks": ("at",),
    "violations": ("created_at",),
}


def _multiply(conn, table, rows, spread):
    from sqlalchemy import text
    cols = [r[0] for r in conn.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
        "AND column_name <> 'id'"), {"t": table})]
    if table == "violations":         # one proposal per deadline: copies propose none
        spread = spread + ("deadline_id",)
    if table == "escalations":
        spread = spread + ("deadline_id",)
    values = [(f"{c} - (g % 365) * interval '1 day'" if c in COPIES[table] else
               "NULL" if c == "deadline_id" else
               "(ARRAY['met','breached','cancelled'])[1 + g % 3]" if (
                   table == "deadlines" and c == "status") else c) for c in cols]
    conn.execute(text(
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(values)} FROM "
        f"(SELECT * FROM {table} LIMIT 1) t, generate_series(1, :n) g"), {"n": rows})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    import pgserver
    server = pgserver.PostgresServer().start()
    try:
        run(server.create_database("explain"), min(args.rows, 200_000))
    finally:
        server.stop()


def _executed(statement):
    """Run ``statement`` through the session (the tenant scoping adds its criteria) and
    return the SQL and parameters the driver got."""
    from sqlalchemy import event

    from core.extensions import db
    seen = []

    def record(conn, cursor, sql, params, context, executemany):
        seen.append((sql, params))
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(statement).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen[-1]


def run(uri, rows):
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from core import create_app
    from core.contacts.models import Contact
    from core.extensions import db
    from core.supervision import drilldown, periods
    from core.tenancy.models import Department
    from core.tenancy.scoping import tenant_scope, unscoped
    from tenants import demo
    from tenants.demo_contacts import seed_samples

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "explain"})
    with app.app_context():
        upgrade()
        demo.seed()
        for slug in ("demo-hotel", "demo-bank"):
            seed_samples(demo.tenant(slug))
        db.session.commit()
        # The sweep breaches, escalates and proposes (the samples' rows to copy).
        later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        app.test_cli_runner().invoke(args=["sweep", "--at", later])
        db.session.remove()
        with db.engine.begin() as conn, unscoped():     # copying rows: cross-tenant
            for table in COPIES:
                _multiply(conn, table, rows, COPIES[table])
            conn.execute(text("ANALYZE"))
        tenant = demo.tenant("demo-hotel")
        month = periods.containing("month", date.today())
        with tenant_scope(tenant.id):
            front = db.session.scalar(select(Department.id).where(
                Department.code == "front_office"))
            for metric, key in (("clocks.breached", "transfer"), ("clocks.met", ""),
                                ("escalations.conflict", ""), ("callbacks", "reached"),
                                ("violations.proposed", ""), ("contacts", "")):
                for dept in (None, front):
                    cond = drilldown.condition(metric, key, month, tenant.timezone, dept)
                    sql, params = _executed(select(Contact.id).where(cond)
                                            .order_by(Contact.id.desc()).limit(51))
                    with db.engine.connect().execution_options(cross_tenant=True) as conn:
                        plan = conn.exec_driver_sql("EXPLAIN ANALYZE " + sql, params).scalars()
                        print(f"--- {metric} {key or '*'} department={dept}")
                        print("\n".join(plan))


if __name__ == "__main__":
    main()
