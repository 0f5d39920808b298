"""The data of ``benchmarks/supervision.py``: a persistent PostgreSQL cluster, many tenants,
contacts with their clocks, escalations, violations and callbacks, and the roll-ups.

Everything is set-based SQL (``INSERT ... SELECT ... FROM generate_series``), not the ORM:
the ORM writes a few hundred contacts a second on this machine, a million would take hours.

The roll-ups (``figure_counts``, ``figure_durations``) are filled by :func:`rollup_sql`, a
set-based transcription of ``core.supervision.contributions`` (the production rules).  It
is checked against the production code path (``core.supervision.rollup.recompute``, which
sums those Python contribution functions over the raw rows) on a small tenant by the
benchmark, which fails loudly if the two differ.
"""
import contextlib
import os
import subprocess
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

BIG = "demo-hotel"                   # the big tenant: demo users, so the pages can sign in
PACKS = ("hotel", "property", "government", "bank")
SMALL_PREFIX = "bench-"
PASSWORD_HASH_NOTE = "staff of the big tenant share one argon2 hash of the demo password"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- a persistent cluster under /work/bench-data ---------------------------------------------

class Cluster:
    """A PostgreSQL cluster kept between runs (data generated once, reused): ``start`` runs
    initdb the first time; ``stop`` shuts it down and keeps the data."""

    def __init__(self, root, port):
        import pgserver                                   # tests/pgserver.py
        self.bin, self.root, self.port = pgserver.binaries(), os.path.abspath(root), port
        self.data = os.path.join(self.root, "data")

    def _as_postgres(self, *args, check=True):
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=check,
                              capture_output=True, text=True)

    def running(self):
        return self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "status",
                                 check=False).returncode == 0

    def start(self):
        os.makedirs(self.root, exist_ok=True)
        subprocess.run(["chown", "postgres:", self.root], check=True)
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            log(f"initdb {self.data}")
            self._as_postgres(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "-A",
                              "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        if not self.running():
            options = (f"-h 127.0.0.1 -p {self.port} -k {self.root} -F "
                       "-c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=30min "
                       "-c maintenance_work_mem=512MB -c jit=off")
            self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-l",
                              os.path.join(self.root, "log"), "-w", "-o", options, "start")
        return self

    def url(self, name):
        exists = self._as_postgres(
            f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'").stdout.strip()
        if exists != "1":
            self._as_postgres(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port),
                              "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        if self.running():
            self._as_postgres(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")


# -- tenants ---------------------------------------------------------------------------------

def seed_tenants(small):
    """demo-hotel (the big tenant, with its demo users) and ``small`` more tenants of the
    four packs (``bench-000`` ...; staff without passwords); committed.  Idempotent."""
    from sqlalchemy import select

    from core.extensions import db
    from core.policy.plugins import manager
    from core.tenancy.models import Tenant
    from core.tenancy.scoping import unscoped
    from tenants import demo, provisioning

    with unscoped():
        have = set(db.session.scalars(select(Tenant.slug)))
    if BIG not in have:
        # One argon2 hash for every demo user instead of ~20 (seconds of CPU each run).
        hashed = provisioning.hash_password(demo.DEMO_PASSWORD)
        real, provisioning.hash_password = provisioning.hash_password, lambda _p: hashed
        try:
            demo.seed_tenant(BIG, "hotel", "示范酒店 Demo Hotel", "HT")
        finally:
            provisioning.hash_password = real
    for j in range(small):
        slug = f"{SMALL_PREFIX}{j:03d}"
        if slug in have:
            continue
        pack = PACKS[j % len(PACKS)]
        tenant = provisioning.create_tenant(slug, f"基准租户 {j}", pack, ref_prefix="BM")
        policy = manager().get(pack).policy
        title = next((r for r in policy["roles"] if r["permission"] == "staff"),
                     min(policy["roles"], key=lambda r: r["rank"]))["key"]
        for dept in policy["departments"]:
            for n in (1, 2):
                provisioning.add_staff(tenant, f"{dept['code']}-{n}", f"职员{n}",
                                       department_code=dept["code"], title=title)
    db.session.commit()


def tenant_facts(conn, small):
    """Per tenant: id, policy version, zone, staff and departments, the pack's first rule
    for a late clock and first escalation level."""
    from core.policy.plugins import manager
    slugs = [BIG] + [f"{SMALL_PREFIX}{j:03d}" for j in range(small)]
    out = []
    for slug in slugs:
        tid, pack, tz = conn.execute(text(
            "SELECT id, pack_key, timezone FROM tenants WHERE slug = :s"), {"s": slug}).one()
        pv = conn.execute(text("SELECT id FROM policy_versions WHERE tenant_id = :t "
                               "ORDER BY number LIMIT 1"), {"t": tid}).scalar()
        staff = conn.execute(text(
            "SELECT id, department_id FROM staff WHERE tenant_id = :t AND role <> 'admin' "
            "AND department_id IS NOT NULL ORDER BY id"), {"t": tid}).all()
        depts = {code: i for i, code in conn.execute(text(
            "SELECT id, code FROM departments WHERE tenant_id = :t ORDER BY id"), {"t": tid})}
        policy = manager().get(pack).policy
        rule_key, rule = next(((k, r) for k, r in policy["penalties"].items()
                               if any(t.startswith("deadline.") for t in r["triggers"])),
                              next(iter(policy["penalties"].items())))
        level = policy["escalation"]["chain"][0]
        out.append({"slug": slug, "id": tid, "pv": pv, "tz": tz, "staff": staff,
                    "departments": list(depts.values()), "rule_key": rule_key,
                    "rule_name": rule["name"], "sanction": rule["sanctions"][0]["name"],
                    "level_key": level["key"], "level_name": level["name"],
                    "level_department": depts.get(level.get("department")),
                    "channels": list(policy["channels"]),
                    "matter_types": list(policy["matter_types"])})
    return out


# -- the raw rows ----------------------------------------------------------------------------

def _helper_tables(conn, facts, big, others):
    """bench_tenants (k: 0 the big tenant, 1.. the small ones), bench_staff, bench_depts."""
    import json
    n_small = len(facts) - 1
    conn.execute(text(
        "CREATE UNLOGGED TABLE bench_tenants (k INT PRIMARY KEY, tenant_id INT UNIQUE, "
        "pv INT, customer_id INT, n INT, n_staff INT, n_depts INT, channels TEXT[], "
        "matters TEXT[], rule_key TEXT, rule_text JSONB, sanction JSONB, level_key TEXT, "
        "level_name JSONB, level_dept INT)"))
    conn.execute(text("CREATE UNLOGGED TABLE bench_staff (k INT, idx INT, staff_id INT, "
                      "dept_id INT, PRIMARY KEY (k, idx))"))
    conn.execute(text("CREATE UNLOGGED TABLE bench_depts (k INT, idx INT, dept_id INT, "
                      "PRIMARY KEY (k, idx))"))
    for k, f in enumerate(facts):
        n = big if k == 0 else (others - (k - 1) + n_small - 1) // n_small
        customer = conn.execute(text(
            "INSERT INTO customers (tenant_id, name, phone, email, room, unit, address) "
            "VALUES (:t, '赵先生', '13800000000', '', '', '', '') RETURNING id"),
            {"t": f["id"]}).scalar()
        conn.execute(text(
            "INSERT INTO bench_tenants VALUES (:k, :t, :pv, :c, :n, :ns, :nd, :ch, :mt, :rk, "
            "CAST(:rt AS JSONB), CAST(:sa AS JSONB), :lk, CAST(:ln AS JSONB), :ld)"),
            {"k": k, "t": f["id"], "pv": f["pv"], "c": customer, "n": n,
             "ns": len(f["staff"]), "nd": len(f["departments"]), "ch": f["channels"],
             "mt": f["matter_types"], "rk": f["rule_key"], "rt": json.dumps(f["rule_name"]),
             "sa": json.dumps(f["sanction"]), "lk": f["level_key"],
             "ln": json.dumps(f["level_name"]), "ld": f["level_department"]})
        conn.execute(text("INSERT INTO bench_staff VALUES (:k, :i, :s, :d)"),
                     [{"k": k, "i": i, "s": s, "d": d} for i, (s, d) in enumerate(f["staff"])])
        conn.execute(text("INSERT INTO bench_depts VALUES (:k, :i, :d)"),
                     [{"k": k, "i": i, "d": d} for i, d in enumerate(f["departments"])])


def _contacts_sql(total, big, n_small, cbase, t0, span_s):
    """Contacts ``cbase + 1 .. cbase + total``: the big tenant's spread evenly among the
    others' by id (as live tenants' rows interleave), each tenant's over the year."""
    series = (f"SELECT i, (i * {big}) / {total} AS bseq, "
              f"(i * {big}) / {total} > ((i - 1) * {big}) / {total} AS is_big, "
              "(i * 2654435761) % 1000003 % 1000 AS h, (i * 40503 + 12345) % 65537 AS h2, "
              "(i * 69069 + 7) % 104729 AS h3 "
              f"FROM generate_series(CAST(1 AS BIGINT), CAST({total} AS BIGINT)) AS s(i)")
    keyed = (f"SELECT i, h, h2, h3, CASE WHEN is_big THEN 0 ELSE 1 + (i - bseq - 1) % "
             f"{max(n_small, 1)} END AS k, CASE WHEN is_big THEN bseq ELSE (i - bseq - 1) / "
             f"{max(n_small, 1)} + 1 END AS seq FROM ({series}) AS a")
    reg = (f"TIMESTAMPTZ '{t0.isoformat()}' + (LEAST({span_s} - 1, (p.seq - 1) * "
           f"{span_s} / GREATEST(bt.n, 1) + p.h2 % 600)) * INTERVAL '1 second'")
    return (
        "INSERT INTO contacts (id, tenant_id, ref, channel, matter_type, category, summary, "
        "customer_id, received_at, registered_at, registered_by_id, owner_id, "
        "owner_department_id, co_receiver_ids, handler_department_id, handler_id, state, "
        "own_duty, policy_version_id, escalation_level, closed_at, updated_at) "
        f"SELECT {cbase} + i, bt.tenant_id, 'BM-' || p.k || '-' || p.seq, "
        "bt.channels[1 + p.h3 % cardinality(bt.channels)], "
        "bt.matters[1 + p.h % cardinality(bt.matters)], NULL, "
        "'客人反映的问题（第' || p.seq || '号）', bt.customer_id, "
        "r.reg - (p.h2 % 900) * INTERVAL '1 second', r.reg, o.staff_id, o.staff_id, o.dept_id, "
        "'[]'::jsonb, CASE WHEN p.h3 % 10 < 4 THEN o.dept_id ELSE hd.dept_id END, "
        "CASE WHEN p.h3 % 10 < 4 THEN o.staff_id END, 'closed', p.h3 % 10 < 4, bt.pv, 0, "
        "r.reg + INTERVAL '26 hours', r.reg + INTERVAL '26 hours' "
        f"FROM ({keyed}) AS p JOIN bench_tenants bt ON bt.k = p.k "
        f"CROSS JOIN LATERAL (SELECT {reg} AS reg) AS r "
        "JOIN bench_staff o ON o.k = p.k AND o.idx = p.h2 % bt.n_staff "
        "JOIN bench_depts hd ON hd.k = p.k AND hd.idx = p.h3 % bt.n_depts ORDER BY i")


# kind, stage, amount, unit, start after registration, met elapsed, breached elapsed
# (each a value of two significant figures, see rollup_sql), from a per-clock hash ``hd``.
CLOCKS = (
    ("transfer", "register", 1, "hours", "-(c.registered_at - c.received_at)",
     "(1 + hd % 9) / 10.0", "(11 + hd % 9) / 10.0"),
    ("accept", "handover", 15, "minutes", "INTERVAL '10 minutes'",
     "CAST(1 + hd % 14 AS FLOAT)", "CAST(16 + hd % 44 AS FLOAT)"),
    ("reply", "handover", 1, "working_days", "INTERVAL '30 minutes'",
     "CAST(hd % 2 AS FLOAT)", "CAST(2 + hd % 3 AS FLOAT)"),
    ("callback", "feedback", 4, "working_hours", "INTERVAL '24 hours'",
     "(1 + hd % 39) / 10.0", "(41 + hd % 59) / 10.0"),
)


def _deadlines_sql(cbase, kind, stage, amount, unit, start, met, late):
    """One clock of ``kind`` per contact (accept only for transferred ones): ~5 % breached
    (the breach at the due time, closed by the step an hour later), ~3 % cancelled."""
    step = {"hours": "1 hour", "minutes": "15 minutes", "working_days": "24 hours",
            "working_hours": "4 hours"}[unit]
    own = kind in ("transfer", "callback")
    dept = "c.owner_department_id" if own else "c.handler_department_id"
    staff = "c.owner_id" if own else "COALESCE(c.handler_id, c.owner_id)"
    salt = CLOCKS.index(next(x for x in CLOCKS if x[0] == kind)) * 40503 + 17
    inner = (f"SELECT c.*, (c.id * 2654435761 + {salt}) % 1000003 % 100 AS hd, "
             f"c.registered_at + {start} AS st FROM contacts c WHERE c.id > {cbase}"
             + (" AND NOT c.own_duty" if kind == "accept" else ""))
    status = "CASE WHEN hd < 5 THEN 'breached' WHEN hd < 8 THEN 'cancelled' ELSE 'met' END"
    return (
        "INSERT INTO deadlines (tenant_id, contact_id, kind, stage, amount, unit, start_at, "
        "due_at, calendar_confirmed, status, closed_at, breached_at, "
        "responsible_department_id, responsible_staff_id, charged_department_id, "
        "charged_staff_id, elapsed, reminders_sent) "
        f"SELECT c.tenant_id, c.id, '{kind}', '{stage}', {amount}, '{unit}', c.st, "
        f"c.st + INTERVAL '{step}', TRUE, {status}, "
        f"CASE WHEN hd < 5 THEN c.st + INTERVAL '{step}' + INTERVAL '1 hour' "
        f"WHEN hd < 8 THEN c.st + INTERVAL '1 minute' "
        f"ELSE c.st + INTERVAL '{step}' / 2 END, "
        f"CASE WHEN hd < 5 THEN c.st + INTERVAL '{step}' END, "
        f"{'NULL' if own else dept}, {'c.owner_id' if own else 'NULL'}, {dept}, {staff}, "
        f"CASE WHEN hd < 5 THEN {late} WHEN hd < 8 THEN NULL ELSE {met} END, 0 "
        f"FROM ({inner}) AS c ORDER BY c.id")


def _escalations_sql(dbase):
    """A breached transfer or reply escalates to the pack's first level; a third of them
    are conflict escalations."""
    return (
        "INSERT INTO escalations (tenant_id, contact_id, level, key, name, department_id, "
        "from_department_id, charged_department_id, conflict, by_id, deadline_id, reason, at) "
        "SELECT d.tenant_id, d.contact_id, 1, bt.level_key, bt.level_name, bt.level_dept, "
        "d.charged_department_id, d.charged_department_id, d.id % 3 = 0, NULL, d.id, '', "
        "d.breached_at FROM deadlines d JOIN bench_tenants bt ON bt.tenant_id = d.tenant_id "
        f"WHERE d.id > {dbase} AND d.status = 'breached' AND d.kind IN ('transfer', 'reply') "
        "ORDER BY d.id")


def _violations_sql(dbase):
    """Every breach proposes a violation under the pack's rule: half confirmed (1st, 2nd,
    3rd offence), a fifth waived, the rest pending."""
    status = ("CASE WHEN d.id % 10 < 5 THEN 'confirmed' WHEN d.id % 10 < 7 THEN 'waived' "
              "ELSE 'proposed' END")
    return (
        "INSERT INTO violations (tenant_id, contact_id, staff_id, department_id, trigger, "
        "rule_key, rule_text, sanction, evidence, deadline_id, status, offence, created_at, "
        "decided_by_id, decided_at, reason) "
        "SELECT d.tenant_id, d.contact_id, d.charged_staff_id, d.charged_department_id, "
        f"'deadline.' || d.kind, bt.rule_key, bt.rule_text, bt.sanction, '{{}}'::jsonb, d.id, "
        f"{status}, CASE WHEN d.id % 10 < 5 THEN 1 + (d.id / 10) % 3 END, d.breached_at, "
        "NULL, CASE WHEN d.id % 10 < 7 THEN d.breached_at + INTERVAL '1 day' END, '' "
        "FROM deadlines d JOIN bench_tenants bt ON bt.tenant_id = d.tenant_id "
        f"WHERE d.id > {dbase} AND d.status = 'breached' ORDER BY d.id")


def _callbacks_sql(cbase):
    """The owner calls 60 % of customers back a day later; 90 % reached, graded 2-5."""
    hc = "((CAST(c.id AS BIGINT) * 69069 + 11) % 104729)"
    return (
        "INSERT INTO callbacks (tenant_id, contact_id, by_id, department_id, at, reached, "
        "satisfaction, note) "
        "SELECT c.tenant_id, c.id, c.owner_id, c.owner_department_id, "
        f"c.registered_at + INTERVAL '25 hours', {hc} % 10 <> 0, "
        f"CASE WHEN {hc} % 10 <> 0 THEN (ARRAY[2, 3, 4, 4, 4, 5, 5, 5, 5, 5])"
        f"[1 + ({hc} / 10) % 10] END, '' "
        f"FROM contacts c WHERE c.id > {cbase} AND {hc} % 10 < 6 ORDER BY c.id")


def load(engine, facts, total, big, year):
    """Bulk-load ``total`` contacts (``big`` of them in the big tenant) registered in the
    local ``year``, with their clocks, escalations, violations and callbacks; returns
    ``{step: {"rows", "seconds"}}``."""
    zone = ZoneInfo(facts[0]["tz"])
    t0 = datetime(year, 1, 1, tzinfo=zone)
    span_s = ((date(year + 1, 1, 1) - date(year, 1, 1)).days - 2) * 86400
    steps = {}
    with engine.connect() as conn:
        conn.execute(text("SET synchronous_commit = off"))
        conn.execute(text("SET work_mem = '256MB'"))
        with contextlib.suppress(Exception), conn.begin_nested():
            # No foreign-key triggers for the generated (consistent) rows: superuser only.
            conn.execute(text("SET session_replication_role = replica"))
        conn.commit()
        with conn.begin():
            _helper_tables(conn, facts, big, total - big)
            cbase = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM contacts")).scalar()
            dbase = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM deadlines")).scalar()
            plan = [("contacts", _contacts_sql(total, big, len(facts) - 1, cbase, t0, span_s))]
            plan += [(f"deadlines {c[0]}", _deadlines_sql(cbase, *c)) for c in CLOCKS]
            plan += [("escalations", _escalations_sql(dbase)),
                     ("violations", _violations_sql(dbase)), ("callbacks", _callbacks_sql(cbase))]
            for name, sql in plan:
                started = time.monotonic()
                rows = conn.execute(text(sql)).rowcount
                took = time.monotonic() - started
                steps[name] = {"rows": rows, "seconds": round(took, 1)}
                log(f"  {name}: {rows:,} rows in {took:.1f} s ({rows / max(took, 1e-6):,.0f}/s)")
            conn.execute(text(
                "UPDATE tenant_counters tc SET value = bt.n FROM bench_tenants bt "
                "WHERE tc.tenant_id = bt.tenant_id AND tc.name = 'contact_ref'"))
            for table in ("contacts", "deadlines", "escalations", "violations", "callbacks"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT MAX(id) FROM {table}))"))
            conn.execute(text("DROP TABLE bench_tenants, bench_staff, bench_depts"))
        conn.execute(text("RESET ALL"))
        conn.commit()
    steps["vacuum analyze"] = {"seconds": vacuum(engine)}
    return steps


def vacuum(engine):
    started = time.monotonic()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
        conn.execute(text("CHECKPOINT"))
    took = round(time.monotonic() - started, 1)
    log(f"  vacuum analyze: {took} s")
    return took


# -- the roll-ups, set-based -----------------------------------------------------------------

def _local_day(column):
    return f"CAST(({column}) AT TIME ZONE t.timezone AS DATE)"


# What each raw row counts for, transcribed from core.supervision.contributions (one SELECT
# per contribution: at, department, person, metric, key, total).
_COUNT_SOURCES = (
    "SELECT tenant_id, registered_at AS at, owner_department_id AS dep, owner_id AS per, "
    "m.metric, m.key, 0 AS total FROM contacts CROSS JOIN LATERAL (VALUES "
    "('contacts', ''), ('contacts.channel', channel), ('contacts.matter_type', matter_type), "
    "('contacts.category', COALESCE(category, ''))) AS m(metric, key)",
    "SELECT tenant_id, CASE WHEN status = 'breached' THEN breached_at ELSE closed_at END, "
    "charged_department_id, charged_staff_id, 'clocks.' || status, kind, 0 FROM deadlines "
    "WHERE status IN ('met', 'breached', 'cancelled') "
    "AND (CASE WHEN status = 'breached' THEN breached_at ELSE closed_at END) IS NOT NULL",
    "SELECT tenant_id, at, charged_department_id, CAST(NULL AS INT), m.metric, m.key, 0 FROM escalations "
    "CROSS JOIN LATERAL (VALUES ('escalations', ''), ('escalations.to', key)) AS m(metric, key)",
    "SELECT tenant_id, at, charged_department_id, CAST(NULL AS INT), 'escalations.conflict', '', 0 "
    "FROM escalations WHERE conflict",
    "SELECT tenant_id, created_at, department_id, staff_id, 'violations.' || status, rule_key, "
    "0 FROM violations",
    "SELECT tenant_id, created_at, department_id, staff_id, 'violations.offence', "
    "CAST(LEAST(offence, 3) AS TEXT), 0 FROM violations WHERE status = 'confirmed' "
    "AND offence IS NOT NULL AND offence <> 0",
    "SELECT tenant_id, at, department_id, by_id, 'callbacks', "
    "CASE WHEN reached THEN 'reached' ELSE 'unreached' END, 0 FROM callbacks",
    "SELECT tenant_id, at, department_id, by_id, 'satisfaction', CAST(satisfaction AS TEXT), "
    "satisfaction FROM callbacks WHERE reached AND satisfaction IS NOT NULL",
)

# core.supervision.rollup.bucket: thousandths of the unit to two significant figures.  PG
# rounds a half away from zero where Python rounds it to even: the generated times have two
# significant figures already, so no value is a half (the check against recompute says so).
_BUCKET = ("CASE WHEN elapsed IS NULL OR elapsed < 0.005 THEN 0 ELSE CAST(ROUND(ROUND("
           "CAST(elapsed AS NUMERIC), CAST(1 - FLOOR(LOG(elapsed)) AS INT)) * 1000) AS BIGINT) "
           "END")


def rollup_sql(engine, tenant_ids):
    """Replace the roll-ups of ``tenant_ids`` by the sums of their raw rows: each
    contribution to its person's row (0: none), then each department's total row
    (``ALL_STAFF``) as the sum of its person rows.  Returns {table: rows}."""
    ids = ", ".join(str(int(t)) for t in tenant_ids)
    union = " UNION ALL ".join(f"SELECT * FROM ({s}) AS x WHERE tenant_id IN ({ids})"
                               for s in _COUNT_SOURCES)
    out = {}
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL work_mem = '512MB'"))
        for table in ("figure_counts", "figure_durations"):
            conn.execute(text(f"DELETE FROM {table} WHERE tenant_id IN ({ids})"))
        conn.execute(text(
            "INSERT INTO figure_counts (tenant_id, day, department_id, staff_id, metric, key, "
            f"n, total) SELECT s.tenant_id, {_local_day('s.at')}, COALESCE(s.dep, 0), "
            "COALESCE(s.per, 0), s.metric, s.key, COUNT(*), SUM(s.total) "
            f"FROM ({union}) AS s(tenant_id, at, dep, per, metric, key, total) "
            "JOIN tenants t ON t.id = s.tenant_id GROUP BY 1, 2, 3, 4, 5, 6"))
        conn.execute(text(
            "INSERT INTO figure_durations (tenant_id, day, department_id, staff_id, kind, unit, "
            f"bucket, n) SELECT d.tenant_id, {_local_day('d.closed_at')}, "
            f"COALESCE(d.charged_department_id, 0), COALESCE(d.charged_staff_id, 0), d.kind, "
            f"d.unit, {_BUCKET}, COUNT(*) FROM deadlines d JOIN tenants t ON t.id = d.tenant_id "
            f"WHERE d.tenant_id IN ({ids}) AND d.status IN ('met', 'breached') "
            "AND d.closed_at IS NOT NULL AND d.elapsed IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7"))
        for table, keys, sums in (
                ("figure_counts", "metric, key", "SUM(n), SUM(total)"),
                ("figure_durations", "kind, unit, bucket", "SUM(n)")):
            conn.execute(text(
                f"INSERT INTO {table} (tenant_id, day, department_id, staff_id, {keys}, "
                f"{'n, total' if 'total' in sums else 'n'}) SELECT tenant_id, day, "
                f"department_id, -1, {keys}, {sums} FROM {table} WHERE tenant_id IN ({ids}) "
                f"AND staff_id <> -1 GROUP BY tenant_id, day, department_id, {keys}"))
        # the monthly tables: the daily rows summed per month (migration 0019's backfill)
        for table, keys, sums in (("figure_counts", "metric, key", ("n", "total")),
                                  ("figure_durations", "kind, unit, bucket", ("n",))):
            conn.execute(text(f"DELETE FROM {table}_monthly WHERE tenant_id IN ({ids})"))
            conn.execute(text(
                f"INSERT INTO {table}_monthly (tenant_id, month, department_id, staff_id, "
                f"{keys}, {', '.join(sums)}) SELECT tenant_id, "
                "CAST(date_trunc('month', day) AS DATE), department_id, staff_id, "
                f"{keys}, {', '.join(f'SUM({x})' for x in sums)} FROM {table} "
                f"WHERE tenant_id IN ({ids}) GROUP BY 1, 2, 3, 4, {keys}"))
        for table in ("figure_counts", "figure_durations", "figure_counts_monthly",
                      "figure_durations_monthly"):
            out[table] = conn.execute(text(
                f"SELECT COUNT(*) FROM {table} WHERE tenant_id IN ({ids})")).scalar()
    return out
