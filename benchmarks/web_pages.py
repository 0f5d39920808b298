#!/usr/bin/env python
"""Benchmark: server time of the staff web pages with 1,000,000 contacts in one tenant.

This script

1. starts a throw-away PostgreSQL server (``tests/pgserver.py``; ``--backend sqlite`` uses a
   SQLite file in a temp dir instead), migrates it (``flask_migrate.upgrade``) and seeds the
   demo tenants (``tenants.demo.seed``), in process, with ``SHOUWEN_ENV=production``;
2. bulk-loads, with plain SQL (``INSERT ... SELECT ... FROM generate_series`` on PostgreSQL, a
   recursive CTE on SQLite), ``--contacts`` contacts (default 1,000,000) into ``demo-hotel``
   and ``--other-contacts`` (default 100,000) into ``demo-property``, interleaved by id the
   way two live tenants' rows are: one customer per contact, 1-4 deadlines, 1-12 events, a
   reply and a transfer where the state says so; a year of ``registered_at`` (newest ~a minute
   ago); mostly closed, a few thousand open across owners and departments, some of them past
   due; owners weighted towards the front office; policy version 1 of each tenant; unique refs
   in the app's format (``HT-<local day>-<seq>``, the tenant counter set to match); then
   ``VACUUM ANALYZE`` (``ANALYZE`` on SQLite);
3. signs in as ``front-office`` and ``inspector`` of demo-hotel through the login form (CSRF
   token from the page) with the Flask test client and times GET pages in process: the home
   page (the four queues), a contact page (a contact with 12 events), the register (page 1,
   each filter, all filters together, page 21 reached by following "older" 20 times, two
   departments' registers).  Each page is requested ``--warmup`` times, then ``--repeat``
   times, round robin over the pages; "server time" is the time ``client.get`` takes to
   produce the whole response (routing, queries, template);
4. counts the SQL statements each page runs (a ``before_cursor_execute`` listener: a constant
   count means no per-row queries) and the time spent in them, prints a table with
   p50/p95/p99 and PASS/FAIL against p95 < 50 ms, and writes the result as JSON to
   ``benchmarks/results/`` (git-ignored).  ``--explain`` also writes EXPLAIN (ANALYZE,
   BUFFERS) of every statement slower than ``--explain-ms`` (EXPLAIN QUERY PLAN on SQLite).

The server and the temp dir are removed at the end, also on error, Ctrl-C or SIGTERM
(``--keep-server`` leaves PostgreSQL running and prints its URL, for EXPLAIN by hand; a later
run can reuse it with ``--database-url``, which skips the server and loads only if the tenant
has fewer contacts than asked).

    python benchmarks/web_pages.py                         # PostgreSQL, 1,000,000 contacts
    python benchmarks/web_pages.py --backend sqlite
    python benchmarks/web_pages.py --contacts 100000 --repeat 50 --explain

PostgreSQL needs the server binaries (/usr/lib/postgresql/*/bin), root and runuser (the server
runs as the ``postgres`` user, see tests/pgserver.py).  Loading takes a few minutes on 2 cores.
"""
import argparse
import contextlib
import functools
import html
import json
import os
import secrets
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
# Measure the code of this checkout (where the script lives), whatever is pip-installed.
sys.path[:0] = [os.path.join(REPO, "platform"), REPO]

TARGET_P95_MS = 50.0
HOTEL, OTHER = "demo-hotel", "demo-property"
SPAN_S = 365 * 86400                 # registered_at spread over a year
NOISY_CORES = 0.15                   # other load above this (in cores) earns a warning
ACTIVE = ("registered", "handling", "transferred", "coordinating", "referred", "replied",
          "awaiting_callback", "called_back")


def maintenance(fn):
    """The loader's raw SQL works across tenants: marked as such for the tenant scoping."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from core.tenancy.scoping import unscoped
        with unscoped():
            return fn(*args, **kwargs)
    return wrapper


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def q(value):
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def pick(index_sql, values):
    """``CASE <index> WHEN 0 THEN v0 WHEN 1 THEN v1 ... END`` (values already SQL)."""
    return ("(CASE " + index_sql + " "
            + " ".join(f"WHEN {n} THEN {v}" for n, v in enumerate(values)) + " END)")


def small_series(n, name="k"):
    return ("(" + " UNION ALL ".join(f"SELECT {k} AS {name}" for k in range(1, n + 1))
            + f") AS {name}s")


# -- the two SQL dialects of the loader ------------------------------------------------------

class Postgres:
    name = "postgresql"
    ts_type = "TIMESTAMPTZ"
    empty_list = "'[]'::jsonb"

    def series(self, n):
        return f"generate_series(CAST(1 AS BIGINT), CAST({int(n)} AS BIGINT)) AS s(i)"

    def ts(self, dt):
        return f"TIMESTAMPTZ {q(dt.astimezone(timezone.utc).isoformat())}"

    def add(self, ts, seconds):
        return f"({ts} + ({seconds}) * INTERVAL '1 second')"

    def local_day(self, ts, tz):
        return f"to_char(({ts}) AT TIME ZONE {q(tz)}, 'YYYYMMDD')"

    def seq4(self, e):               # Python's f"{seq:04d}"
        return f"(CASE WHEN ({e}) < 10000 THEN lpad(({e})::text, 4, '0') ELSE ({e})::text END)"

    def digits(self, e, width):      # zero-padded, e < 10**width
        return f"lpad(({e})::text, {width}, '0')"

    def text(self, e):
        return f"(({e})::text)"

    def least(self, a, b):
        return f"LEAST({a}, {b})"

    def obj(self, *pairs):
        return "jsonb_build_object(" + ", ".join(pairs) + ")"


class SQLite(Postgres):
    name = "sqlite"
    ts_type = "TEXT"
    empty_list = "'[]'"

    def series(self, n):
        return (f"(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                f"WHERE i < {int(n)}) SELECT i FROM r) AS s")

    def ts(self, dt):                # SQLAlchemy's SQLite DATETIME text, naive UTC
        return q(dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + ".000000")

    def add(self, ts, seconds):
        return f"(strftime('%Y-%m-%d %H:%M:%S', {ts}, ({seconds}) || ' seconds') || '.000000')"

    def local_day(self, ts, tz):     # tenant zones here have no DST (Asia/Shanghai)
        offset = datetime.now(ZoneInfo(tz)).utcoffset().total_seconds()
        return f"strftime('%Y%m%d', {ts}, '{int(offset)} seconds')"

    def seq4(self, e):
        return f"printf('%04d', {e})"

    def digits(self, e, width):
        return f"printf('%0{width}d', {e})"

    def text(self, e):
        return f"CAST({e} AS TEXT)"

    def least(self, a, b):
        return f"min({a}, {b})"

    def obj(self, *pairs):
        return "json_object(" + ", ".join(pairs) + ")"


# -- bulk load -------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TRANSFER_NOTE, FEEDBACK = "请协助处理，谢谢。", "已处理完毕，已向客人说明情况。"
REPLY = "您好，关于您反映的问题已处理完毕，感谢您的理解与支持。"
TOPICS = {
    "hotel": ["房间空调不制冷", "热水不够热", "隔壁房间太吵", "退房账单有误",
              "预订的早餐没有送到", "遗失手机一部", "会议室投影仪无法使用", "洗衣服务延误",
              "希望延迟退房", "停车场收费咨询"],
    "property": ["楼道灯不亮", "地下室渗水", "门禁卡失效", "物业费账单疑问", "装修噪音扰民",
                 "电梯停运", "垃圾未及时清运", "小区绿化修剪", "车位被占用", "暖气不热"],
}


def _rows(conn, sql, **params):
    from sqlalchemy import text
    return conn.execute(text(sql), params).all()


def tenant_facts(conn, slug):
    """What the loader needs about a seeded tenant: ids, staff, departments, policy lists."""
    tenant = _rows(conn, "SELECT id, pack_key, ref_prefix, timezone FROM tenants "
                         "WHERE slug = :slug", slug=slug)[0]
    tid = tenant[0]
    pv = _rows(conn, "SELECT id, document FROM policy_versions WHERE tenant_id = :t "
                     "AND number = 1", t=tid)[0]
    doc = pv[1] if isinstance(pv[1], dict) else json.loads(pv[1])
    depts = _rows(conn, "SELECT id, code FROM departments WHERE tenant_id = :t ORDER BY id",
                  t=tid)
    staff = _rows(conn, "SELECT id, username, department_id FROM staff WHERE tenant_id = :t "
                        "AND role <> 'admin' ORDER BY id", t=tid)
    first = depts[0][1].replace("_", "-")   # the front office / customer service desk
    pool = []                                # owners, weighted towards the first desk
    for sid, username, dept in staff:
        pool += [(sid, dept)] * (8 if username == first else 2 if username == first + "-lead"
                                 else 1)
    return {"slug": slug, "id": tid, "pack": tenant[1], "prefix": tenant[2], "tz": tenant[3],
            "policy_version_id": pv[0], "departments": depts, "pool": pool,
            "matter_types": list(doc["matter_types"]), "channels": list(doc["channels"]),
            "first_desk": first}


def _plan_sql(d, t, other, n_other, total, cbase, ubase, t0):
    """SELECT of the per-contact plan of one tenant (the rows of the series that are its)."""
    taken = f"(i * {n_other}) / {total} > ((i - 1) * {n_other}) / {total}"
    seq = f"(i * {n_other}) / {total}" if other else f"i - (i * {n_other}) / {total}"
    level1 = (f"SELECT i, {t['id']} AS tenant_id, {cbase} + i AS contact_id, "
              f"{ubase} + i AS customer_id, {seq} AS seq, "
              f"{SPAN_S} - (i * {SPAN_S}) / {total} AS age_s, (i * {SPAN_S}) / {total} AS off, "
              f"(i * 2654435761) % 1000003 % 1000 AS h, (i * 40503 + 12345) % 65537 AS h2, "
              f"(i * 69069 + 7) % 104729 AS h3 "
              f"FROM {d.series(total)} WHERE {'' if other else 'NOT '}({taken})")
    open_state = ("(CASE WHEN h2 % 100 < 5 THEN 'registered' WHEN h2 % 100 < 35 THEN 'handling' "
                  "WHEN h2 % 100 < 55 THEN 'transferred' WHEN h2 % 100 < 60 THEN 'coordinating' "
                  "WHEN h2 % 100 < 63 THEN 'referred' WHEN h2 % 100 < 70 THEN 'replied' "
                  "WHEN h2 % 100 < 90 THEN 'awaiting_callback' ELSE 'called_back' END)")
    # Older than a week: 0.3 % never closed (stuck, overdue); 1-7 days: 10 % open; the last
    # day: 70 % open.
    state = (f"(CASE WHEN age_s > 604800 THEN "
             f"(CASE WHEN h >= 3 THEN 'closed' ELSE {open_state} END) "
             f"WHEN age_s > 86400 THEN (CASE WHEN h >= 100 THEN 'closed' ELSE {open_state} END) "
             f"ELSE (CASE WHEN h >= 700 THEN 'closed' ELSE {open_state} END) END)")
    pool, depts = t["pool"], t["departments"]
    matters, channels = t["matter_types"], t["channels"]
    topics = TOPICS.get(t["pack"], TOPICS["hotel"])
    level2 = (f"SELECT b.*, {state} AS state, "
              f"{pick(f'(h2 % {len(pool)})', [str(s) for s, _ in pool])} AS owner_id, "
              f"{pick(f'(h2 % {len(pool)})', [str(x) if x else 'NULL' for _, x in pool])} "
              f"AS owner_dept, "
              f"{pick(f'(h3 % {len(depts)})', [str(i) for i, _ in depts])} AS other_dept, "
              f"{pick(f'(h % {len(matters)})', [q(m) for m in matters])} "
              f"AS matter_type, "
              f"{pick(f'(h3 % {len(channels)})', [q(c) for c in channels])} AS channel, "
              f"{pick(f'(h2 % {len(topics)})', [q(x) for x in topics])} AS topic, "
              f"{d.add(d.ts(t0), 'off')} AS reg_at, {d.add(d.ts(t0), 'off - h2 % 900')} AS rec_at "
              f"FROM ({level1}) AS b")
    closed_after = "CASE WHEN age_s > 259200 THEN 3600 + h2 * 2 ELSE age_s / 2 END"
    own = ("(CASE WHEN h3 % 10 < 4 AND state IN ('handling', 'replied', 'awaiting_callback', "
           "'called_back', 'closed') THEN 1 ELSE 0 END)")
    level3 = (f"SELECT c.*, {own} AS own, "
              f"(CASE state WHEN 'registered' THEN 1 WHEN 'awaiting_callback' THEN 4 "
              f"WHEN 'called_back' THEN 4 WHEN 'closed' THEN 4 ELSE 3 END) AS n_dl, "
              f"(CASE WHEN state = 'closed' AND i % 1000 = 7 THEN 12 ELSE (CASE state "
              f"WHEN 'registered' THEN 1 WHEN 'handling' THEN 2 WHEN 'transferred' THEN 2 "
              f"WHEN 'coordinating' THEN 3 WHEN 'referred' THEN 3 WHEN 'replied' THEN 4 "
              f"WHEN 'awaiting_callback' THEN 4 WHEN 'called_back' THEN 5 ELSE 6 END) END) "
              f"AS n_ev, (CASE WHEN state = 'closed' THEN {d.add('reg_at', closed_after)} END) "
              f"AS closed_at, "
              f"(CASE WHEN state IN ('closed', 'called_back') AND h % 3 = 0 THEN 3 + h2 % 3 END) "
              f"AS satisfaction "
              f"FROM ({level2}) AS c")
    return (f"SELECT i, tenant_id, contact_id, customer_id, seq, age_s, h, h2, h3, reg_at, rec_at, "
            f"{q(t['prefix'] + '-')} || {d.local_day('reg_at', t['tz'])} || '-' || {d.seq4('seq')} "
            f"AS ref, {t['policy_version_id']} AS pv_id, matter_type, channel, "
            f"'客人反映：' || topic || '（来电第' || {d.text('seq')} || '号）' AS summary, "
            f"state, own, "
            f"owner_id, owner_dept, (CASE WHEN state = 'registered' THEN NULL WHEN own = 1 "
            f"THEN owner_dept ELSE other_dept END) AS handler_dept, n_dl, n_ev, closed_at, "
            f"satisfaction FROM ({level3}) AS l3")


PLAN_COLUMNS = ("i, tenant_id, contact_id, customer_id, seq, age_s, h, h2, h3, reg_at, rec_at, "
                "ref, pv_id, matter_type, channel, summary, state, own, owner_id, owner_dept, "
                "handler_dept, n_dl, n_ev, closed_at, satisfaction")


def _dept_code(p_col, facts):
    whens = " ".join(f"WHEN {i} THEN {q(code)}" for t in facts for i, code in t["departments"])
    return f"(CASE {p_col} {whens} ELSE '' END)"


@maintenance
def load(engine, d, n_hotel, n_other):
    """Bulk-load the contacts of both tenants; returns {step: seconds}."""
    from sqlalchemy import text
    timings = {}
    total = n_hotel + n_other
    now = datetime.now(timezone.utc).replace(microsecond=0)
    t0 = now - timedelta(seconds=SPAN_S + 60)

    def step(name, sql, conn):
        started = time.monotonic()
        result = conn.execute(text(sql))
        timings[name] = round(time.monotonic() - started, 1)
        rows = result.rowcount if result.rowcount is not None and result.rowcount >= 0 else "?"
        log(f"  {name}: {rows} rows, {timings[name]} s")

    with engine.connect() as conn:
        # Loader-only session settings, undone below (the app reuses pooled connections).
        if d.name == "postgresql":
            conn.execute(text("SET synchronous_commit = off"))
            conn.execute(text("SET work_mem = '256MB'"))
            # No foreign-key triggers for the generated (consistent) rows: a third of the
            # time.  Superuser only, as on the throw-away server; else they just run.
            with contextlib.suppress(Exception), conn.begin_nested():
                conn.execute(text("SET session_replication_role = replica"))
            conn.commit()
        else:   # generated consistent; PRAGMA outside any transaction (else a no-op)
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        with conn.begin():
            hotel, other = tenant_facts(conn, HOTEL), tenant_facts(conn, OTHER)
            cbase = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM contacts")).scalar()
            ubase = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM customers")).scalar()
            unlogged = "UNLOGGED " if d.name == "postgresql" else ""
            conn.execute(text(
                f"CREATE {unlogged}TABLE bench_plan (i BIGINT PRIMARY KEY, tenant_id INTEGER, "
                f"contact_id INTEGER, customer_id INTEGER, seq INTEGER, age_s BIGINT, h INTEGER, "
                f"h2 INTEGER, h3 INTEGER, reg_at {d.ts_type}, rec_at {d.ts_type}, "
                f"ref VARCHAR(40), pv_id INTEGER, matter_type VARCHAR(30), channel VARCHAR(20), "
                f"summary TEXT, state VARCHAR(20), own INTEGER, owner_id INTEGER, "
                f"owner_dept INTEGER, handler_dept INTEGER, n_dl INTEGER, n_ev INTEGER, "
                f"closed_at {d.ts_type}, satisfaction INTEGER)"))
            for facts, is_other in ((hotel, False), (other, True)):
                step(f"plan {facts['slug']}", f"INSERT INTO bench_plan ({PLAN_COLUMNS}) "
                     + _plan_sql(d, facts, is_other, n_other, total, cbase, ubase, t0), conn)
            hotel_tid = hotel["id"]
            step("customers", (
                "INSERT INTO customers (id, tenant_id, name, phone, email, room, unit, address) "
                "SELECT customer_id, tenant_id, "
                f"substr({q(SURNAMES)}, 1 + h2 % 20, 1) || "
                "(CASE WHEN h % 2 = 0 THEN '先生' ELSE '女士' END), "
                f"'13' || {d.text('h3 % 10')} || {d.digits('(i * 7919) % 100000000', 8)}, '', "
                f"(CASE WHEN tenant_id = {hotel_tid} THEN {d.text('100 * (1 + h % 20) + h2 % 40')} "
                "ELSE '' END), "
                f"(CASE WHEN tenant_id = {hotel_tid} THEN '' ELSE {d.text('1 + h % 30')} || '栋' "
                f"|| {d.text('1 + h2 % 4')} || '单元' || {d.text('100 * (1 + h3 % 30) + h % 4')} "
                "END), "
                "'' FROM bench_plan ORDER BY i"), conn)
            step("contacts", (
                "INSERT INTO contacts (id, tenant_id, ref, channel, matter_type, category, "
                "summary, customer_id, received_at, registered_at, registered_by_id, owner_id, "
                "co_receiver_ids, handler_department_id, handler_id, state, own_duty, "
                "policy_version_id, escalation_level, satisfaction, closed_at, updated_at) "
                "SELECT contact_id, tenant_id, ref, channel, matter_type, NULL, summary, "
                "customer_id, rec_at, reg_at, owner_id, owner_id, " + d.empty_list + ", "
                "handler_dept, (CASE WHEN own = 1 THEN owner_id END), state, "
                "(CASE WHEN own = 1 THEN TRUE ELSE FALSE END), pv_id, 0, satisfaction, "
                "closed_at, COALESCE(closed_at, reg_at) FROM bench_plan ORDER BY i"), conn)
            # Clocks: 1 transfer (from received_at), 2 accept, 3 reply, 4 callback; the last one
            # of an open contact is running (breached once 10 minutes past due: the sweep has
            # seen it); earlier ones met, ~5 % breached, ~10 % cancelled.
            running = ("(k = n_dl AND state IN ('registered', 'handling', 'transferred', "
                       "'coordinating', 'referred', 'awaiting_callback'))")
            inner = (
                "SELECT p.*, k, "
                "(CASE k WHEN 1 THEN -(h2 % 900) WHEN 4 THEN (CASE WHEN age_s > 180000 "
                f"THEN 90000 ELSE age_s / 2 END) ELSE {d.least('1200', 'age_s / 4')} END) AS st, "
                "(CASE k WHEN 1 THEN 3600 WHEN 2 THEN 900 WHEN 3 THEN 86400 ELSE 14400 END) "
                "AS dur, "
                f"(CASE WHEN {running} THEN 1 ELSE 0 END) AS run "
                f"FROM bench_plan p CROSS JOIN {small_series(4)} WHERE k <= n_dl")
            status = ("(CASE WHEN run = 1 THEN (CASE WHEN age_s - st - dur > 600 THEN 'breached' "
                      "ELSE 'open' END) WHEN (h2 + 7 * k) % 20 = 0 THEN 'breached' "
                      "WHEN (h3 + k) % 10 = 0 THEN 'cancelled' ELSE 'met' END)")
            step("deadlines", (
                "INSERT INTO deadlines (tenant_id, contact_id, kind, stage, amount, unit, "
                "start_at, due_at, calendar_confirmed, status, closed_at, breached_at, "
                "responsible_department_id, responsible_staff_id, reminders_sent) "
                "SELECT tenant_id, contact_id, "
                "(CASE k WHEN 1 THEN 'transfer' WHEN 2 THEN 'accept' WHEN 3 THEN 'reply' "
                "ELSE 'callback' END), "
                "(CASE k WHEN 1 THEN 'register' WHEN 4 THEN 'feedback' ELSE 'handover' END), "
                "(CASE k WHEN 1 THEN 1 WHEN 2 THEN 15 WHEN 3 THEN 1 ELSE 4 END), "
                "(CASE k WHEN 1 THEN 'hours' WHEN 2 THEN 'minutes' WHEN 3 THEN 'working_days' "
                "ELSE 'working_hours' END), "
                f"{d.add('reg_at', 'st')}, {d.add('reg_at', 'st + dur')}, TRUE, {status}, "
                f"(CASE WHEN run = 1 THEN NULL WHEN (h2 + 7 * k) % 20 = 0 THEN "
                f"{d.add('reg_at', d.least('st + dur + 600', 'age_s'))} ELSE "
                f"{d.add('reg_at', d.least('st + dur / 2', 'age_s'))} END), "
                f"(CASE WHEN run = 1 AND age_s - st - dur > 600 THEN "
                f"{d.add('reg_at', 'st + dur + 300')} WHEN run = 0 AND (h2 + 7 * k) % 20 = 0 THEN "
                f"{d.add('reg_at', d.least('st + dur + 1', 'age_s'))} END), "
                "(CASE WHEN k IN (2, 3) THEN handler_dept END), "
                "(CASE WHEN k IN (1, 4) THEN owner_id END), 0 "
                f"FROM ({inner}) AS dl ORDER BY contact_id, k"), conn)
            normal = ["'registered'", "'transferred'", "'accepted'", "'feedback'",
                      "'called_back'", "'closed'"]
            rich = (["'registered'"] + ["'transferred'", "'accepted'"] * 4
                    + ["'feedback'", "'called_back'", "'closed'"])
            kind = (f"(CASE WHEN n_ev = 12 THEN {pick('(k - 1)', rich)} "
                    f"ELSE {pick('(k - 1)', normal)} END)")
            obj, dept = d.obj, _dept_code("handler_dept", (hotel, other))
            registered = obj(q("channel"), "channel", q("matter_type"), "matter_type",
                             q("own_duty"), "own")
            transferred = obj(q("to_department"), dept, q("mode"), q("handover"), q("note"),
                              q(TRANSFER_NOTE))
            called_back = obj(q("reached"), "1", q("satisfaction"), "COALESCE(satisfaction, 5)",
                              q("note"), q(""))
            details = (
                f"(CASE kind WHEN 'registered' THEN {registered} "
                f"WHEN 'transferred' THEN {transferred} "
                f"WHEN 'accepted' THEN {obj(q('signed_by'), q('值班员'), q('note'), q(''))} "
                f"WHEN 'feedback' THEN {obj(q('text'), q(FEEDBACK))} "
                f"WHEN 'called_back' THEN {called_back} "
                f"ELSE {obj(q('note'), q(''))} END)")
            spacing = "(k - 1) * (CASE WHEN age_s > 86400 THEN 1800 ELSE age_s / 30 END)"
            step("contact_events", (
                "INSERT INTO contact_events (tenant_id, contact_id, at, actor_id, kind, details) "
                f"SELECT tenant_id, contact_id, {d.add('reg_at', spacing)}, owner_id, kind, "
                f"{details} FROM (SELECT p.*, k, {kind} AS kind FROM bench_plan p "
                f"CROSS JOIN {small_series(12)} WHERE k <= n_ev) AS ev "
                "ORDER BY contact_id, k"), conn)
            step("replies", (
                "INSERT INTO replies (tenant_id, contact_id, by_id, at, text) "
                "SELECT tenant_id, contact_id, owner_id, "
                f"{d.add('reg_at', d.least('7200', 'age_s / 2'))}, {q(REPLY)} FROM bench_plan "
                "WHERE state IN ('replied', 'awaiting_callback', 'called_back', 'closed') "
                "ORDER BY i"), conn)
            step("transfers", (
                "INSERT INTO transfers (tenant_id, contact_id, mode, from_department_id, "
                "to_department_id, to_staff_id, by_id, at, note, opinion, is_return, status, "
                "accepted_at, accepted_by_id, wrong) "
                "SELECT tenant_id, contact_id, 'handover', owner_dept, handler_dept, NULL, "
                f"owner_id, {d.add('reg_at', d.least('600', 'age_s / 4'))}, {q(TRANSFER_NOTE)}, "
                "'', FALSE, (CASE WHEN state = 'transferred' THEN 'pending' ELSE 'accepted' END), "
                "(CASE WHEN state = 'transferred' THEN NULL ELSE "
                f"{d.add('reg_at', d.least('1200', 'age_s / 3'))} END), "
                "NULL, FALSE FROM bench_plan WHERE own = 0 AND handler_dept IS NOT NULL "
                "ORDER BY i"), conn)
            for facts, count in ((hotel, n_hotel), (other, n_other)):
                done = conn.execute(text(
                    "UPDATE tenant_counters SET value = value + :n WHERE tenant_id = :t "
                    "AND name = 'contact_ref'"), {"n": count, "t": facts["id"]}).rowcount
                if not done:
                    conn.execute(text("INSERT INTO tenant_counters (tenant_id, name, value) "
                                      "VALUES (:t, 'contact_ref', :n)"),
                                 {"n": count, "t": facts["id"]})
            if d.name == "postgresql":
                for table in ("contacts", "customers"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT MAX(id) FROM {table}))"))
            conn.execute(text("DROP TABLE bench_plan"))
        if d.name == "postgresql":
            conn.execute(text("RESET ALL"))
            conn.commit()
        else:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
    started = time.monotonic()
    if d.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
            conn.execute(text("CHECKPOINT"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        with engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()            # no loader session survives into the measured app
    timings["vacuum analyze" if d.name == "postgresql" else "analyze"] = round(
        time.monotonic() - started, 1)
    log(f"  analyze: {timings.get('vacuum analyze', timings.get('analyze'))} s")
    return timings


@maintenance
def dataset(engine, d, slug_ids):
    """Row counts and the mixture actually loaded (for the report)."""
    from sqlalchemy import text
    out = {}
    now = datetime.now(timezone.utc)
    with engine.connect() as conn:
        for slug, tid in slug_ids.items():
            row = {}
            for table in ("contacts", "customers", "deadlines", "contact_events", "replies",
                          "transfers"):
                row[table] = conn.execute(text(f"SELECT COUNT(*) FROM {table} "
                                               "WHERE tenant_id = :t"), {"t": tid}).scalar()
            row["states"] = dict(conn.execute(text(
                "SELECT state, COUNT(*) FROM contacts WHERE tenant_id = :t GROUP BY state "
                "ORDER BY 2 DESC"), {"t": tid}).all())
            row["running_clocks"] = conn.execute(text(
                "SELECT COUNT(*) FROM deadlines WHERE tenant_id = :t AND closed_at IS NULL "
                "AND status IN ('open', 'breached')"), {"t": tid}).scalar()
            row["breached_clocks_all_time"] = conn.execute(text(
                "SELECT COUNT(*) FROM deadlines WHERE tenant_id = :t AND status = 'breached'"),
                {"t": tid}).scalar()
            row["overdue_contacts"] = conn.execute(text(
                "SELECT COUNT(DISTINCT contact_id) FROM deadlines WHERE tenant_id = :t "
                "AND closed_at IS NULL AND status IN ('open', 'breached') "
                f"AND due_at < {d.ts(now)}"), {"t": tid}).scalar()
            out[slug] = row
    return out


@maintenance
def indexes(engine, d):
    from sqlalchemy import text
    with engine.connect() as conn:
        if d.name == "postgresql":
            rows = conn.execute(text(
                "SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN "
                "('contacts', 'deadlines') ORDER BY tablename, indexname")).all()
        else:
            rows = conn.execute(text(
                "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                "('contacts', 'deadlines') ORDER BY tbl_name, name")).all()
    return [f"{t}: {sql}" for t, sql in rows if sql]


# -- measuring -------------------------------------------------------------------------------

class SQLStats:
    """Statements and their time, per request (a before/after_cursor_execute listener)."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.count, self.seconds, self.capture = 0, 0.0, None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self, capture=False):
        self.count, self.seconds = 0, 0.0
        self.capture = [] if capture else None

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info["bench_t0"].pop()
        self.seconds += elapsed
        if self.capture is not None:
            self.capture.append((elapsed, statement, parameters))


def login(app, slug, username):
    from tenants.demo import DEMO_PASSWORD
    client = app.test_client()
    page = client.get(f"/t/{slug}/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    res = client.post(f"/t/{slug}/login", data={"username": username, "password": DEMO_PASSWORD,
                                                 "csrf_token": token})
    if res.status_code != 302:
        raise RuntimeError(f"login as {username}@{slug} failed: HTTP {res.status_code}")
    return client


def follow_older(client, url, times):
    for _ in range(times):
        page = client.get(url).get_data(as_text=True)
        found = re.search(r'id="page-older" href="([^"]+)"', page)
        if not found:
            raise RuntimeError(f"no 'older' link on {url}")
        url = html.unescape(found.group(1))
    return url


@maintenance
def pick_contacts(engine, tid):
    """A closed contact with 12 events from the middle of the year, and an overdue open one."""
    from sqlalchemy import text
    with engine.connect() as conn:
        rich = conn.execute(text(
            "SELECT c.ref FROM contacts c WHERE c.tenant_id = :t AND c.id IN "
            "(SELECT contact_id FROM contact_events WHERE tenant_id = :t "
            "GROUP BY contact_id HAVING COUNT(*) >= 12) ORDER BY c.id LIMIT 1 OFFSET 400"),
            {"t": tid}).scalar()
        if rich is None:     # small data sets
            rich = conn.execute(text(
                "SELECT ref FROM contacts WHERE tenant_id = :t AND state = 'closed' "
                "ORDER BY id DESC LIMIT 1"), {"t": tid}).scalar()
        overdue = conn.execute(text(
            "SELECT c.ref FROM contacts c WHERE c.tenant_id = :t AND c.state = 'transferred' "
            "AND c.id IN (SELECT contact_id FROM deadlines WHERE tenant_id = :t "
            "AND closed_at IS NULL AND status = 'breached') ORDER BY c.id DESC LIMIT 1"),
            {"t": tid}).scalar()
    return rich, overdue


def page_list(app, engine, hotel_id, tz):
    base = f"/t/{HOTEL}"
    rich, overdue = pick_contacts(engine, hotel_id)
    today = datetime.now(ZoneInfo(tz)).date()
    def days_ago(first, last):
        return f"from={today - timedelta(days=first)}&to={today - timedelta(days=last)}"
    clients = {user: login(app, HOTEL, user) for user in ("front-office", "inspector")}
    deep = follow_older(clients["front-office"], f"{base}/register", 20)
    pages = [
        ("home (queues)", "front-office", f"{base}/"),
        ("home (queues)", "inspector", f"{base}/"),
        ("contact, 12 events", "front-office", f"{base}/contacts/{rich}"),
        ("contact, open overdue", "front-office", f"{base}/contacts/{overdue}"),
        ("register page 1", "front-office", f"{base}/register"),
        ("register from/to, last 30 days", "front-office",
         f"{base}/register?{days_ago(30, 0)}"),
        ("register from/to, 90-120 days ago", "front-office",
         f"{base}/register?{days_ago(120, 90)}"),
        ("register from/to, 330-360 days ago", "front-office",
         f"{base}/register?{days_ago(360, 330)}"),
        ("register state=handling", "front-office", f"{base}/register?state=handling"),
        ("register overdue=1", "front-office", f"{base}/register?overdue=1"),
        ("register owner=front-office", "front-office", f"{base}/register?owner=front-office"),
        ("register all 4 (last 30 days)", "front-office",
         f"{base}/register?{days_ago(30, 0)}&state=handling&overdue=1&owner=front-office"),
        ("register overdue=1, 330-360 days ago", "front-office",
         f"{base}/register?{days_ago(360, 330)}&overdue=1"),
        ("register overdue=1 + handler dept finance", "front-office",
         f"{base}/register?overdue=1&handler_department=finance"),
        ("register page 21 (20 x older)", "front-office", deep),
        ("department register front_office", "front-office",
         f"{base}/register?department=front_office"),
        ("department register finance", "front-office", f"{base}/register?department=finance"),
    ]
    if rich is None or overdue is None:
        pages = [p for p in pages if not p[2].endswith("/None")]
    return pages, clients


def rows_on(page_html, path):
    if "/contacts/" in path and "register" not in path:
        return len(re.findall(r'<li class="ev-', page_html))          # timeline entries
    return len(re.findall(r'<td><a href="/t/[^"]+/contacts/', page_html))  # contact rows


def percentile(sorted_values, pct):
    k = max(0, min(len(sorted_values) - 1,
                   int(round(pct / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def _tree_cpu_seconds(root_pids):
    """user+system CPU seconds of processes and all their descendants (Linux /proc)."""
    if not os.path.isdir("/proc"):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        stats[int(name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [p for p in root_pids if p in stats]
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, ()))
    return total / tick


def _cpu_snapshot(db_pids):
    """(this process, the database server's processes, the whole machine) CPU seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    try:
        with open("/proc/stat") as fh:
            machine = sum(int(v) for v in fh.readline().split()[1:4]) / os.sysconf("SC_CLK_TCK")
    except OSError:
        machine = None
    return (me.ru_utime + me.ru_stime, _tree_cpu_seconds(db_pids) if db_pids else 0.0, machine)


def measure(engine, pages, clients, repeat, warmup, db_pids):
    stats = SQLStats(engine)
    data = {i: {"ms": [], "cpu_ms": [], "sql": [], "sql_ms": [], "status": set(), "rows": None}
            for i in range(len(pages))}
    for i, (name, user, url) in enumerate(pages):     # check each page once
        res = clients[user].get(url)
        if res.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {res.status_code} for {url}")
        data[i]["rows"] = rows_on(res.get_data(as_text=True), url)
    log(f"warm-up: {warmup} x {len(pages)} pages")
    for _ in range(warmup):
        for name, user, url in pages:
            clients[user].get(url)
    log(f"measuring: {repeat} x {len(pages)} pages, round robin")
    before = _cpu_snapshot(db_pids)
    wall = time.monotonic()
    for _ in range(repeat):
        for i, (name, user, url) in enumerate(pages):
            stats.reset()
            c0, t0 = time.thread_time(), time.perf_counter()
            res = clients[user].get(url)
            elapsed, cpu = time.perf_counter() - t0, time.thread_time() - c0
            d = data[i]
            d["ms"].append(elapsed * 1000)
            d["cpu_ms"].append(cpu * 1000)
            d["sql"].append(stats.count)
            d["sql_ms"].append(stats.seconds * 1000)
            d["status"].add(res.status_code)
    wall = time.monotonic() - wall
    after = _cpu_snapshot(db_pids)
    other = None
    if None not in before + after:
        mine, dbcpu, machine = (b - a for a, b in zip(before, after))
        other = round(max(0.0, machine - mine - dbcpu) / wall, 2)
    results = []
    for i, (name, user, url) in enumerate(pages):
        d = data[i]
        ms, cpu = sorted(d["ms"]), sorted(d["cpu_ms"])
        results.append({
            "page": name, "user": user, "url": url, "rows": d["rows"],
            "requests": len(ms), "status": sorted(d["status"]),
            "sql_statements": {"min": min(d["sql"]), "max": max(d["sql"])},
            "sql_ms_p50": round(statistics.median(d["sql_ms"]), 2),
            "ms": {"min": round(ms[0], 2), "p50": round(percentile(ms, 50), 2),
                   "p95": round(percentile(ms, 95), 2), "p99": round(percentile(ms, 99), 2),
                   "max": round(ms[-1], 2), "mean": round(statistics.fmean(ms), 2)},
            "app_cpu_ms": {"p50": round(percentile(cpu, 50), 2),
                           "p95": round(percentile(cpu, 95), 2)},
            "pass": percentile(ms, 95) < TARGET_P95_MS and d["status"] == {200},
        })
    return results, {"wall_s": round(wall, 1), "other_load_cores": other}, stats


def explain(engine, d, pages, clients, stats, threshold_ms, path):
    """EXPLAIN every statement of each page slower than ``threshold_ms`` (one request each)."""
    out = []
    for name, user, url in pages:
        clients[user].get(url)                      # warm
        stats.reset(capture=True)
        clients[user].get(url)
        captured, stats.capture = stats.capture, None
        out.append(f"=== {name} as {user}: {url}\n    {len(captured)} statements:\n" + "".join(
            f"    {e * 1000:7.1f} ms  {' '.join(stmt.split())[:150]}\n" for e, stmt, _ in captured))
        for elapsed, statement, params in captured:
            if elapsed * 1000 < threshold_ms:
                continue
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if d.name == "postgresql"
                          else "EXPLAIN QUERY PLAN ")
                cur.execute(prefix + statement, params)
                plan = "\n".join("    " + " | ".join(str(c) for c in row)
                                 for row in cur.fetchall())
                raw.rollback()
            finally:
                raw.close()
            out.append(f"--- {elapsed * 1000:.1f} ms\n{statement}\n{params!r}\n{plan}\n")
    with open(path, "w") as fh:
        fh.write("\n".join(out))


# -- report ----------------------------------------------------------------------------------

def table(results):
    head = (f"{'page':<42} {'user':<12} {'rows':>4} {'SQL':>4} {'SQL ms':>7} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'CPU p50':>7} {'CPU p95':>7}  verdict")
    lines = [head, "-" * len(head)]
    for r in results:
        sql = r["sql_statements"]
        count = str(sql["min"]) if sql["min"] == sql["max"] else f"{sql['min']}-{sql['max']}"
        lines.append(f"{r['page']:<42} {r['user']:<12} {r['rows']:>4} {count:>4} "
                     f"{r['sql_ms_p50']:>7.1f} {r['ms']['p50']:>7.1f} {r['ms']['p95']:>7.1f} "
                     f"{r['ms']['p99']:>7.1f} {r['ms']['max']:>7.1f} "
                     f"{r['app_cpu_ms']['p50']:>7.1f} {r['app_cpu_ms']['p95']:>7.1f}  "
                     f"{'PASS' if r['pass'] else 'FAIL'}")
    return "\n".join(lines)


def git_revision():
    def git(*args):
        res = subprocess.run(["git", "-C", REPO, *args], capture_output=True, text=True)
        return res.stdout.strip() if res.returncode == 0 else None
    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "platform",
                "policy_packs", "wsgi.py")
    return {"commit": head, "app_code_modified": bool(dirty)} if head else None


@maintenance
def versions(engine, d):
    from importlib.metadata import PackageNotFoundError, version

    from sqlalchemy import text
    out = {"python": sys.version.split()[0]}
    for dist in ("flask", "sqlalchemy", "flask-sqlalchemy", "psycopg", "jinja2", "werkzeug"):
        with contextlib.suppress(PackageNotFoundError):
            out[dist] = version(dist)
    with engine.connect() as conn:
        out[d.name] = conn.execute(text("SELECT version()" if d.name == "postgresql"
                                        else "SELECT sqlite_version()")).scalar()
    return out


# -- main ------------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--contacts", type=int, default=1_000_000,
                   help="contacts in demo-hotel (default 1,000,000)")
    p.add_argument("--other-contacts", type=int, default=100_000,
                   help="contacts in demo-property, interleaved by id (default 100,000)")
    p.add_argument("--repeat", type=int, default=200, help="measured requests per page "
                   "(default 200)")
    p.add_argument("--warmup", type=int, default=20, help="discarded requests per page first "
                   "(default 20)")
    p.add_argument("--only", metavar="TEXT[,TEXT]", help="measure only the pages whose name "
                   "contains one of these (e.g. 'home,overdue')")
    p.add_argument("--explain", action="store_true", help="also write EXPLAIN (ANALYZE, "
                   "BUFFERS) of the statements slower than --explain-ms, per page")
    p.add_argument("--explain-ms", type=float, default=2.0)
    p.add_argument("--database-url", help="use this (PostgreSQL) database instead of starting "
                   "a server; loads only if demo-hotel has fewer contacts than --contacts")
    p.add_argument("--keep-server", action="store_true",
                   help="leave the PostgreSQL server and its data dir (print how to stop it)")
    p.add_argument("--output", help="JSON result file (default "
                   "benchmarks/results/web_pages-<time>.json)")
    args = p.parse_args(argv)
    if not 1 <= args.contacts <= 5_000_000 or not 1 <= args.other_contacts <= 5_000_000:
        p.error("--contacts and --other-contacts must be between 1 and 5,000,000")
    if not 1 <= args.repeat <= 10_000 or not 0 <= args.warmup <= 1_000:
        p.error("--repeat must be 1..10000 and --warmup 0..1000")
    if args.database_url and args.backend != "postgresql":
        p.error("--database-url is for PostgreSQL")
    return args


def _sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@maintenance
def _db_pids(engine, d):
    """The PostgreSQL postmaster (its backends are its children), to count its CPU."""
    if d.name != "postgresql":
        return []
    from sqlalchemy import text
    with contextlib.suppress(Exception):
        with engine.connect() as conn:
            data = conn.execute(text("SHOW data_directory")).scalar()
        with open(os.path.join(data, "postmaster.pid")) as fh:
            return [int(fh.readline())]
    return []


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = datetime.now(timezone.utc)
    tmp = tempfile.mkdtemp(prefix="shouwen-webbench-")
    pg, engine, keep = None, None, False
    try:
        d = Postgres() if args.backend == "postgresql" else SQLite()
        if args.database_url:
            url = args.database_url
        elif args.backend == "postgresql":
            sys.path.insert(0, os.path.join(REPO, "tests"))
            import pgserver
            if not pgserver.available():
                raise RuntimeError("PostgreSQL needs its server binaries, root and runuser")
            log("starting a throw-away PostgreSQL server")
            pg = pgserver.PostgresServer()
            pg.start()
            url = pg.create_database("shouwen_webbench")
        else:
            url = "sqlite:///" + os.path.join(tmp, "shouwen.db")
        os.environ.pop("SHOUWEN_NOW", None)
        os.environ.update(SHOUWEN_DATABASE_URL=url, SHOUWEN_INSTANCE_PATH=os.path.join(tmp, "i"),
                          SHOUWEN_SECRET_KEY=secrets.token_hex(32), SHOUWEN_ENV="production")
        from flask_migrate import upgrade
        from sqlalchemy import func, select

        from core import create_app
        from core.contacts.models import Contact
        from core.extensions import db
        from core.tenancy.models import Tenant
        from core.tenancy.scoping import unscoped
        from tenants import demo

        app = create_app()
        with app.app_context():
            engine = db.engine
            log(f"[{d.name}] migrate, seed the demo tenants (password hashing takes a while)")
            upgrade()
            demo.seed()
            with unscoped():
                ids = dict(db.session.execute(select(Tenant.slug, Tenant.id)).all())
                tz = db.session.scalar(select(Tenant.timezone).where(Tenant.slug == HOTEL))
                have = db.session.scalar(select(func.count(Contact.id))
                                         .where(Contact.tenant_id == ids[HOTEL]))
            db.session.remove()
        timings = {}
        if have < args.contacts:
            if have:
                raise RuntimeError(f"{HOTEL} has {have} contacts already (fewer than asked)")
            log(f"loading {args.contacts:,} contacts into {HOTEL} and "
                f"{args.other_contacts:,} into {OTHER}")
            t = time.monotonic()
            timings = load(engine, d, args.contacts, args.other_contacts)
            timings["total"] = round(time.monotonic() - t, 1)
            log(f"loaded in {timings['total']} s")
        else:
            log(f"{HOTEL} has {have:,} contacts already: not loading")
        data = dataset(engine, d, {HOTEL: ids[HOTEL], OTHER: ids[OTHER]})
        log(f"{HOTEL}: {json.dumps(data[HOTEL], ensure_ascii=False)}")
        # Requests run with no app context of ours around them: each one pushes its own, as
        # under a real server (an outer one would share ``g`` across requests).
        pages, clients = page_list(app, engine, ids[HOTEL], tz)
        if args.only:
            wanted = [w.strip() for w in args.only.split(",") if w.strip()]
            pages = [p for p in pages if any(w in p[0] for w in wanted)] or pages
        results, run, stats = measure(engine, pages, clients, args.repeat, args.warmup,
                                      _db_pids(engine, d))
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        explain_path = None
        if args.explain:
            explain_path = os.path.join(RESULTS, f"web_pages-{stamp}-explain.txt")
            os.makedirs(RESULTS, exist_ok=True)
            explain(engine, d, pages, clients, stats, args.explain_ms, explain_path)
        report = {
            "benchmark": "staff web pages, server time in process (Flask test client)",
            "started_at": started.isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": sys.platform},
            "versions": versions(engine, d), "git": git_revision(),
            "backend": d.name,
            "settings": {"contacts": args.contacts, "other_contacts": args.other_contacts,
                         "repeat": args.repeat, "warmup": args.warmup, "only": args.only,
                         "env": "production", "order": "round robin over the pages"},
            "target": {"p95_ms_max": TARGET_P95_MS},
            "load_seconds": timings, "dataset": data, "indexes": indexes(engine, d),
            "run": run, "pages": results, "pass": all(r["pass"] for r in results),
            "explain": explain_path and os.path.relpath(explain_path, REPO),
        }
        path = args.output or os.path.join(RESULTS, f"web_pages-{stamp}.json")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as fh:
            json.dump(report, fh, indent=2, ensure_ascii=False, default=str)
        print()
        print(f"{d.name}: {args.contacts:,} contacts in {HOTEL} + {args.other_contacts:,} in "
              f"{OTHER}; {args.repeat} requests per page after {args.warmup} warm-up, round "
              f"robin, in process; {os.cpu_count()} CPUs")
        print(table(results))
        print(f"\ntarget: p95 < {TARGET_P95_MS:.0f} ms of server time per page.  SQL: statements "
              "per request (min-max); SQL ms: median time in them; CPU: the app's own CPU "
              "time per request (this thread; not the database's), which other load on the "
              "machine inflates far less than wall time.")
        other = run["other_load_cores"]
        if other is not None:
            print(f"other processes used {other:.2f} cores meanwhile"
                  + (" (skewed: run it on a quiet machine)" if other > NOISY_CORES else ""))
        if explain_path:
            print(f"explain: {os.path.relpath(explain_path)}")
        print(f"result: {os.path.relpath(path)}")
        keep = args.keep_server and pg is not None
        if keep:
            print(f"\nkept PostgreSQL: {url}\n  stop: runuser -u postgres -- {pg.bin}/pg_ctl -D "
                  f"{pg.dir}/data -m fast stop && rm -rf {pg.dir}")
        return 0 if report["pass"] else 1
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        if engine is not None:
            engine.dispose()
        if pg is not None and not keep:
            try:
                pg.stop()
            except Exception as exc:  # noqa: BLE001
                log(f"stopping PostgreSQL: {exc}")
                shutil.rmtree(pg.dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
