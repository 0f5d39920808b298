"""The checks and measurements of ``benchmarks/supervision.py`` (see its docstring)."""
import contextlib
import os
import re
import statistics
import time
from datetime import datetime, timezone

from sqlalchemy import text

from supervision_data import BIG, log
from web_pages import SQLStats, git_revision, login, percentile


class CheckFailed(Exception):
    """The generated data or its roll-ups disagree with the production rules."""


def summary(values):
    ordered = sorted(values)
    return {"p50": round(percentile(ordered, 50), 2), "p95": round(percentile(ordered, 95), 2),
            "p99": round(percentile(ordered, 99), 2), "max": round(ordered[-1], 2),
            "mean": round(statistics.fmean(ordered), 2)}


# -- machine ---------------------------------------------------------------------------------

def _proc_stat():
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    return values            # user nice system idle iowait irq softirq steal ...


def _pg_cpu(engine):
    """CPU seconds of the PostgreSQL server's processes (its postmaster's tree)."""
    from web_pages import _tree_cpu_seconds
    with contextlib.suppress(Exception), engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        ppid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        return _tree_cpu_seconds([ppid])
    return None


class Machine:
    """Load averages, CPU steal and the CPU other processes used between start and stop."""

    def __init__(self, engine):
        self.engine = engine
        self.load0, self.stat0 = os.getloadavg(), _proc_stat()
        self.me0, self.pg0 = time.process_time(), _pg_cpu(engine)
        self.wall0 = time.monotonic()

    def stop(self):
        stat1, load1 = _proc_stat(), os.getloadavg()
        delta = [b - a for a, b in zip(self.stat0, stat1, strict=False)]
        tick = os.sysconf("SC_CLK_TCK")
        wall = time.monotonic() - self.wall0
        busy = sum(delta[0:3]) + sum(delta[5:7])      # user nice system irq softirq
        pg1 = _pg_cpu(self.engine)
        mine = time.process_time() - self.me0
        pg = (pg1 - self.pg0) if pg1 is not None and self.pg0 is not None else 0.0
        return {"cpus": os.cpu_count(), "wall_s": round(wall, 1),
                "loadavg_before": [round(x, 2) for x in self.load0],
                "loadavg_after": [round(x, 2) for x in load1],
                "steal_share": round(delta[7] / max(sum(delta[:8]), 1), 4),
                "steal_cores": round(delta[7] / tick / wall, 3),
                "benchmark_cores": round(mine / wall, 2), "postgres_cores": round(pg / wall, 2),
                "other_cores": round(max(0.0, busy / tick - mine - pg) / wall, 2)}


# -- checks ----------------------------------------------------------------------------------

def check_rollup(app, tenant_id):
    """The set-based roll-up of a small tenant equals the production recomputation."""
    from core.supervision import rollup
    from core.tenancy.scoping import tenant_scope
    from core.extensions import db
    with app.app_context(), tenant_scope(tenant_id):
        stored = rollup.stored(tenant_id)
        stored_monthly = rollup.stored(tenant_id, "month")
        started = time.monotonic()
        recomputed = rollup.recompute(tenant_id)
        took = time.monotonic() - started
        rows = {t: db.session.execute(text(f"SELECT COUNT(*) FROM {t} WHERE tenant_id = :t"),
                                      {"t": tenant_id},
                                      execution_options={"cross_tenant": True}).scalar()
                for t in ("contacts", "deadlines", "escalations", "violations", "callbacks")}
        db.session.remove()
    monthly = rollup.monthly(*recomputed)
    for name, a, b in (("counts", stored[0], recomputed[0]),
                       ("durations", stored[1], recomputed[1]),
                       ("monthly counts", stored_monthly[0], monthly[0]),
                       ("monthly durations", stored_monthly[1], monthly[1])):
        if a != b:
            diff = sorted(set(a.items()) ^ set(b.items()))[:10]
            raise CheckFailed(f"roll-up {name} of tenant {tenant_id} differ from "
                              f"core.supervision.rollup.recompute: {diff}")
    raw = sum(rows.values())
    log(f"roll-up check: tenant {tenant_id} equal to recompute ({len(stored[0]):,} count and "
        f"{len(stored[1]):,} duration rows); recompute read {raw:,} raw rows in {took:.1f} s")
    return {"tenant_id": tenant_id, "equal": True, "count_rows": len(stored[0]),
            "duration_rows": len(stored[1]), "raw_rows": rows,
            "recompute_s": round(took, 2), "recompute_rows_per_s": round(raw / max(took, 1e-6))}


RAW = {  # the same figures straight from the raw rows (org-wide; per department: + GROUP BY)
    "contacts": "SELECT {g} channel, matter_type, COUNT(*) FROM contacts WHERE tenant_id = :t "
                "AND registered_at >= :a AND registered_at < :b GROUP BY {g} channel, matter_type",
    "clocks": "SELECT {gd} kind, status, COUNT(*) FROM deadlines WHERE tenant_id = :t AND ("
              "(status IN ('met', 'cancelled') AND closed_at >= :a AND closed_at < :b) OR "
              "(status = 'breached' AND breached_at >= :a AND breached_at < :b)) "
              "GROUP BY {gd} kind, status",
    "escalations": "SELECT {ge} COUNT(*), COUNT(*) FILTER (WHERE conflict) FROM escalations "
                   "WHERE tenant_id = :t AND at >= :a AND at < :b {by_e}",
    "violations": "SELECT {gv} status, rule_key, COUNT(*) FROM violations WHERE tenant_id = :t "
                  "AND created_at >= :a AND created_at < :b GROUP BY {gv} status, rule_key",
    "callbacks": "SELECT {gv} reached, COUNT(*), SUM(satisfaction) FROM callbacks "
                 "WHERE tenant_id = :t AND at >= :a AND at < :b GROUP BY {gv} reached",
}


def raw_figures(conn, tenant_id, period, tz, per_department):
    """The raw scan: {part: rows} for the period (the baseline of the roll-ups)."""
    a, b = period.instants(tz)
    g = {"g": "owner_department_id," if per_department else "",
         "gd": "charged_department_id," if per_department else "",
         "ge": "charged_department_id," if per_department else "",
         "gv": "department_id," if per_department else "",
         "by_e": "GROUP BY charged_department_id" if per_department else ""}
    return {part: conn.execute(text(sql.format(**g)), {"t": tenant_id, "a": a, "b": b}).all()
            for part, sql in RAW.items()}


def check_raw_equals_figures(app, tenant_id, period, tz):
    """The big tenant's figures of ``period`` equal the raw scan's (organisation-wide)."""
    from core.extensions import db
    from core.supervision import figures
    from core.tenancy.scoping import tenant_scope
    with app.app_context(), tenant_scope(tenant_id):
        fig = figures.read(period).get(None, figures.Figures())
        with db.engine.execution_options(cross_tenant=True).connect() as conn:
            raw = raw_figures(conn, tenant_id, period, tz, False)
        db.session.remove()
    got = {"contacts": fig.n("contacts"),
           "clocks": {(k, s): fig.n(f"clocks.{s}", k) for (m, k) in fig.counts
                      if m.startswith("clocks.") for s in ("met", "breached", "cancelled")},
           "escalations": (fig.n("escalations"), fig.n("escalations.conflict")),
           "violations": sum(fig.violations()[s] for s in ("pending", "confirmed", "waived")),
           "reached": fig.callbacks()["reached"]}
    want = {"contacts": sum(r[-1] for r in raw["contacts"]),
            "clocks": {(k, s): 0 for (k, s) in got["clocks"]} | {(r[0], r[1]): r[2]
                                                                 for r in raw["clocks"]},
            "escalations": tuple(raw["escalations"][0]),
            "violations": sum(r[-1] for r in raw["violations"]),
            "reached": sum(r[1] for r in raw["callbacks"] if r[0])}
    if got != want:
        raise CheckFailed(f"{period.key}: figures {got} but the raw rows say {want}")
    log(f"raw check: {period.key} figures equal the raw scan ({want['contacts']:,} contacts)")
    return {"period": period.key, "equal": True, "contacts": want["contacts"]}


# -- measured cases --------------------------------------------------------------------------

def periods(year):
    from core.supervision.periods import containing
    return {"month": containing("month", date_(year, 12, 1)),
            "quarter": containing("quarter", date_(year, 10, 1)),
            "year": containing("year", date_(year, 1, 1))}


def date_(*parts):
    from datetime import date
    return date(*parts)


def _in_scope(app, tenant_id, fn):
    """``fn()`` as a request would run it: a fresh app context, the tenant's scope."""
    from core.extensions import db
    from core.tenancy.scoping import tenant_scope

    def call():
        with app.app_context(), tenant_scope(tenant_id):
            try:
                return fn()
            finally:
                db.session.remove()
    return call


def figure_cases(app, tenant_id, dept_id, year):
    from core.supervision import figures

    def read(period, **kw):
        return lambda: {k: f.as_dict() for k, f in figures.read(period, **kw).items()}
    out = []
    for name, period in periods(year).items():
        out += [("figures", f"figures.read {name}, organisation", read(period)),
                ("figures", f"figures.read {name}, per department", read(period, by="department")),
                ("figures", f"figures.read {name}, one department",
                 read(period, department_id=dept_id)),
                ("figures", f"figures.read {name}, per person", read(period, by="staff"))]
    month = periods(year)["month"]
    out += [("trend", "figures.trend 6 months", lambda: figures.trend(month, 6)),
            ("trend", "figures.trend 6 quarters", lambda: figures.trend(periods(year)["quarter"], 6)),
            ("trend", "figures.trend 6 months, one department",
             lambda: figures.trend(month, 6, department_id=dept_id))]
    return [(g, n, _in_scope(app, tenant_id, fn)) for g, n, fn in out]


def page_cases(app, tenant_id, year):
    """The dashboard (inspector: any department; a department supervisor: their own) and
    the API summary, through the Flask test client."""
    from core.extensions import db
    from core.tenancy import tokens
    from core.tenancy.models import Staff
    from core.tenancy.scoping import tenant_scope
    from sqlalchemy import select
    inspector, lead = login(app, BIG, "inspector"), login(app, BIG, "front-office-lead")
    with app.app_context(), tenant_scope(tenant_id):
        staff = db.session.scalars(select(Staff).where(Staff.username == "inspector")).one()
        _, token = tokens.create(staff, "benchmark")
        db.session.commit()
        db.session.remove()
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    base, y = f"/t/{BIG}/supervision", year
    pages = [
        ("dashboard", "dashboard month (inspector)", inspector, f"{base}?period=month&at={y}-12"),
        ("dashboard", "dashboard quarter (inspector)", inspector, f"{base}?period=quarter&at={y}-Q4"),
        ("dashboard", "dashboard year (inspector)", inspector, f"{base}?period=year&at={y}"),
        ("dashboard", "dashboard month by department", inspector,
         f"{base}?period=month&at={y}-12&group_by=department"),
        ("dashboard", "dashboard year by person", inspector,
         f"{base}?period=year&at={y}&group_by=staff"),
        ("dashboard", "dashboard month, one department", inspector,
         f"{base}?period=month&at={y}-12&department=front_office"),
        ("dashboard", "dashboard year (front-office-lead, own dept)", lead,
         f"{base}?period=year&at={y}"),
    ]
    calls = [(g, n, (lambda c=c, u=u: c.get(u))) for g, n, c, u in pages]
    for query in (f"period=month&at={y}-12", f"period=year&at={y}&group_by=department",
                  f"period=year&at={y}&group_by=kind", f"period=month&at={y}-12&group_by=staff"):
        url = f"/api/v1/supervision/summary?{query}"
        calls.append(("api", f"api summary {query.split('&', 1)[1] if '&' in query else query}",
                      (lambda u=url: api.get(u, headers=auth))))
    for group, name, call in calls:
        res = call()
        if res.status_code != 200:
            raise CheckFailed(f"{name}: HTTP {res.status_code}")
    return calls


def measure(cases, repeat, warmup, stats, budget_s=60.0):
    """Round robin over the cases; ms and SQL statements per call.  A case that has used
    ``budget_s`` seconds (with 20 calls at least) leaves the rotation, so slow cases do
    not hold up the run; its ``n`` says how many calls it had."""
    for _ in range(warmup):
        for _g, _n, call in cases:
            call()
    times = {n: [] for _g, n, _c in cases}
    sql = {n: set() for _g, n, _c in cases}
    for _ in range(repeat):
        live = [c for c in cases if len(times[c[1]]) < 20 or sum(times[c[1]]) < budget_s * 1000]
        if not live:
            break
        for _g, name, call in live:
            stats.reset()
            t0 = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - t0) * 1000)
            sql[name].add(stats.count)
    return [{"group": g, "case": n, "n": len(times[n]), "ms": summary(times[n]),
             "sql": "-".join(str(x) for x in sorted({min(sql[n]), max(sql[n])}))}
            for g, n, _c in cases]


def raw_cases(app, tenant_id, tz, year, repeat):
    from core.extensions import db
    out, cases = [], []
    with app.app_context():
        engine = db.engine.execution_options(cross_tenant=True)   # raw SQL: maintenance
    for name, period in periods(year).items():
        for per_dept in (False, True):
            label = f"raw scan {name}, {'per department' if per_dept else 'organisation'}"

            def call(period=period, per_dept=per_dept):
                with engine.connect() as conn:
                    return raw_figures(conn, tenant_id, period, tz, per_dept)
            cases.append(("raw", label, call))
    for group, name, call in cases:
        call()                                              # warm the cache once
        ms = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            ms.append((time.perf_counter() - t0) * 1000)
        out.append({"group": group, "case": name, "n": repeat, "ms": summary(ms), "sql": 5})
        log(f"  {name}: p50 {out[-1]['ms']['p50']:.0f} ms")
    return out


def assessment(app, tenant_id, year, repeat):
    from core.supervision import assessments
    from core.tenancy.models import Tenant
    from core.extensions import db
    period = periods(year)["year"]
    seconds, rows = [], None
    for _ in range(repeat):
        def run():
            return assessments.compute(db.session.get(Tenant, tenant_id), period)
        t0 = time.perf_counter()
        rows = _in_scope(app, tenant_id, run)()
        seconds.append(time.perf_counter() - t0)
    return {"period": period.key, "departments": len(rows["rows"]), "s": summary(seconds),
            "scores": {r["code"]: r["score"] for r in rows["rows"]}}


# -- EXPLAIN ---------------------------------------------------------------------------------

def _seq_scans(node, found):
    if node.get("Node Type") == "Seq Scan":
        found.append(node.get("Relation Name"))
    for child in node.get("Plans", []):
        _seq_scans(child, found)
    return found


def explain(engine, cases, stats, big_rows=10_000):
    """EXPLAIN (ANALYZE, FORMAT JSON) every statement of one call of each case; a
    sequential scan on a table of more than ``big_rows`` rows is reported."""
    with engine.connect() as conn:
        sizes = dict(conn.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")).all())
    out, warnings = [], []
    for _group, name, call in cases:
        stats.reset(capture=True)
        call()
        captured, stats.capture = stats.capture, None
        for elapsed, statement, params in captured:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
                plan = cur.fetchone()[0][0]
                raw.rollback()
            finally:
                raw.close()
            scans = _seq_scans(plan["Plan"], [])
            large = [t for t in scans if sizes.get(t, 0) > big_rows]
            entry = {"case": name, "ms": round(elapsed * 1000, 2),
                     "plan_ms": plan.get("Execution Time"), "seq_scans": scans,
                     "statement": re.sub(r"\s+", " ", statement)[:300]}
            out.append(entry)
            warnings += [f"{name}: Seq Scan on {t} ({int(sizes[t]):,} rows)" for t in large]
    return {"statements": out, "seq_scans": sorted(set(warnings))}


# -- everything ------------------------------------------------------------------------------

def counts(engine):
    with engine.connect() as conn:
        tables = ("tenants", "contacts", "deadlines", "escalations", "violations", "callbacks",
                  "figure_counts", "figure_durations", "figure_counts_monthly",
                  "figure_durations_monthly")
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}


def big_facts(app):
    from core.extensions import db
    with app.app_context(), db.engine.execution_options(cross_tenant=True).connect() as conn:
        tid, tz = conn.execute(text("SELECT id, timezone FROM tenants WHERE slug = :s"),
                               {"s": BIG}).one()
        dept = conn.execute(text("SELECT id FROM departments WHERE tenant_id = :t AND "
                                 "code = 'front_office'"), {"t": tid}).scalar()
        small = conn.execute(text("SELECT id FROM tenants WHERE slug LIKE 'bench-%' "
                                  "ORDER BY slug LIMIT 1")).scalar()
        big_rows = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t} WHERE tenant_id = :t"),
                                    {"t": tid}).scalar()
                    for t in ("contacts", "deadlines", "escalations", "violations", "callbacks",
                              "figure_counts", "figure_durations", "figure_counts_monthly",
                              "figure_durations_monthly")}
        version = conn.execute(text("SELECT version()")).scalar()
        return tid, tz, dept, small, big_rows, version, db.engine


def everything(app, meta, args):
    """The checks, then the measurements; the result document."""
    tid, tz, dept, small, big_rows, version, engine = big_facts(app)
    checks = {"rollup_vs_recompute": check_rollup(app, small),
              "figures_vs_raw": [check_raw_equals_figures(app, tid, p, tz)
                                 for p in periods(args.year).values()]}
    stats = SQLStats(engine)          # the app's engine: it sees the session's statements
    engine = engine.execution_options(cross_tenant=True)      # raw SQL below: maintenance
    machine = Machine(engine)
    cases = figure_cases(app, tid, dept, args.year) + page_cases(app, tid, args.year)
    log(f"measuring {len(cases)} cases x {args.repeat} (after {args.warmup}), round robin")
    measured = measure(cases, args.repeat, args.warmup, stats, args.case_budget)
    log(f"raw scans x {args.raw_repeat}")
    raw = raw_cases(app, tid, tz, args.year, args.raw_repeat)
    log(f"year assessment x {args.assessment_repeat}")
    assessed = assessment(app, tid, args.year, args.assessment_repeat)
    machine_run = machine.stop()
    log("EXPLAIN of the figure reads")
    plans = explain(engine, [c for c in cases if c[0] in ("figures", "trend")], stats)
    by_name = {c["case"]: c for c in measured + raw}
    ratios = []
    for period in ("month", "quarter", "year"):
        for scope in ("organisation", "per department"):
            r, f = by_name[f"raw scan {period}, {scope}"], by_name[f"figures.read {period}, {scope}"]
            ratios.append({"what": f"{period}, {scope}", "raw_p50_ms": r["ms"]["p50"],
                           "rollup_p50_ms": f["ms"]["p50"],
                           "ratio": round(r["ms"]["p50"] / max(f["ms"]["p50"], 1e-6), 1)})
    return {"benchmark": "supervision figures at scale (issue 11)",
            "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "data_generated_at": meta.get("generated_at"), "git": git_revision(),
            "postgresql": version, "settings": {k: getattr(args, k) for k in (
                "contacts", "big_tenant", "tenants", "year", "repeat", "warmup", "raw_repeat",
                "assessment_repeat")},
            "rows": {"all": counts(engine), BIG: big_rows}, "checks": checks,
            "machine": machine_run, "cases": measured, "raw": raw, "ratios": ratios,
            "assessment": assessed, "explain": plans}
