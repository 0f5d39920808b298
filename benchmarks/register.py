#!/usr/bin/env python
"""Benchmark: contact registration through the API vs a bare one-row insert, under gunicorn.

For each backend (a SQLite file in a temp dir; a throw-away PostgreSQL server) this script

1. prepares the database with the real CLI (``init-db``, ``demo``, ``token create`` for
   front-office@demo-hotel),
2. starts two gunicorn servers on 127.0.0.1 (free ports): the real app (``wsgi:app``) and
   ``benchmarks/bare_app.py`` (one POST that inserts one row into ``bench_bare`` of the same
   database with SQLAlchemy Core on a pooled engine),
3. drives each in turn with N keep-alive clients on loopback: a warm-up, then a fixed
   measured duration; records requests/s, p50/p95/p99 latency, errors and the CPU seconds the
   server processes (gunicorn, and PostgreSQL) used per request,
4. prints a side-by-side table with the registration/bare ratio and PASS/FAIL against the
   targets (ratio >= 0.60, registration p99 < 50 ms, no errors) and writes the result as
   JSON to ``benchmarks/results/`` (git-ignored).

Everything it starts (gunicorn, wrk, PostgreSQL) and every temp dir is removed at the end,
also on error, Ctrl-C or SIGTERM.  It only ever talks to 127.0.0.1, and every run is bounded
(``--duration`` <= 300 s, ``--clients`` <= 256).

    python benchmarks/register.py                                # both backends, 15 s, 8 clients
    python benchmarks/register.py --rounds 3                     # on a shared machine
    python benchmarks/register.py --backends sqlite --duration 5 --clients 16

Exit status: 0 if every backend meets the targets, 1 if not (or a backend failed to run),
130 when interrupted.  The code measured is the checkout this script lives in (its
``platform/`` and root go first on the servers' PYTHONPATH).

PostgreSQL needs the server binaries (/usr/lib/postgresql/*/bin) and root (it runs the server
as the ``postgres`` user through ``runuser``, see tests/pgserver.py).  The load generator is
``wrk`` when installed (``apt-get install -y wrk``), else a Python one (threads,
``http.client`` keep-alive connections); see benchmarks/README.md for why.
"""
import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")

TARGET_RATIO = 0.60
TARGET_P99_MS = 50.0
MAX_DURATION, MAX_WARMUP, MAX_CLIENTS = 300, 60, 256
NOISY_CORES = 0.15   # other load above this (in cores) during a run earns a warning

# gunicorn layout per backend (both servers of a backend use it): one process per core for
# PostgreSQL; one process with threads for SQLite, whose writers then queue on the process's
# writer lock (core.db.sqlite_writers) instead of sleeping in SQLite's busy handler.
LAYOUT = {"postgresql": (2, 4), "sqlite": (1, 8)}

TENANT, USER = "demo-hotel", "front-office"
REGISTRATION = {"channel": "phone", "matter_type": "complaint",
                "summary": "客房空调不制冷，客人要求尽快处理。",
                "customer": {"name": "赵先生", "phone": "13800000000"}}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- processes -----------------------------------------------------------------------------

class Processes:
    """Every long-running child we start, each in its own session so it can be stopped as a
    group (gunicorn master + workers) and is not hit by the terminal's Ctrl-C half-way."""

    def __init__(self):
        self.procs = []

    def start(self, args, log_path=None, **kwargs):
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        try:
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True, **kwargs)
        finally:
            if log_path:
                out.close()
        self.procs.append(proc)
        return proc

    def stop(self, proc, timeout=10):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)     # our own session: pgid == pid
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)         # stragglers of the group, if any
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in reversed(list(self.procs)):
            try:
                self.stop(proc)
            except Exception as exc:  # noqa: BLE001  (cleanup goes on)
                log(f"could not stop pid {proc.pid}: {exc}")


def _tree_cpu_seconds(root_pids):
    """user+system CPU seconds of the given processes and all their descendants (Linux /proc)."""
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
        # fields[1] = ppid, fields[11] = utime, fields[12] = stime (man 5 proc, minus 2)
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


def _machine_busy_seconds():
    """CPU seconds all CPUs spent busy since boot (/proc/stat), to see other load on the box."""
    try:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return None
    # user + nice + system (irq/softirq time is not charged to processes either, so leave it out)
    return sum(values[:3]) / os.sysconf("SC_CLK_TCK")


def _cpu_snapshot(app_pid, db_pids):
    """CPU seconds so far of: the gunicorn tree, the database server's tree, this process and
    its reaped children (wrk), and the whole machine."""
    import resource
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)   # wrk, once it has been waited for
    return (_tree_cpu_seconds([app_pid]), _tree_cpu_seconds(db_pids) if db_pids else 0.0,
            me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
            _machine_busy_seconds())


def run_cli(args, env, log_path):
    """``shouwen <args>`` (the ``core.cli:main`` entry point) with the backend's environment."""
    cmd = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())", *args]
    res = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    with open(log_path, "a") as fh:
        fh.write(f"$ shouwen {' '.join(args)}\n{res.stdout}{res.stderr}\n")
    if res.returncode != 0:
        raise RuntimeError(f"shouwen {' '.join(args)} failed ({res.returncode}):\n"
                           f"{res.stderr[-2000:]}")
    return res.stdout


# -- HTTP ----------------------------------------------------------------------------------

def post(port, path, body, headers, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def wait_ready(proc, port, path, body, headers, expect, log_path, timeout=60):
    """Until one real request succeeds (the workers are up and the endpoint works)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, data = post(port, path, body, headers)
            if status == expect:
                return
            last = f"HTTP {status}: {data[:300]!r}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.2)
    tail = ""
    with contextlib.suppress(OSError), open(log_path, errors="replace") as fh:
        tail = fh.read()[-3000:]
    raise RuntimeError(f"server on port {port} not ready ({last}); log:\n{tail}")


# -- load generators -----------------------------------------------------------------------

WRK_SCRIPT = r"""
wrk.method = "POST"
wrk.body = [==[%(body)s]==]
%(headers)s
done = function(summary, latency, requests)
  local e = summary.errors
  local f = io.open([==[%(out)s]==], "w")
  f:write(string.format(
    '{"requests": %%d, "duration_s": %%.6f, "bytes": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}, ' ..
    '"latency_ms": {"min": %%.3f, "mean": %%.3f, "max": %%.3f, "p50": %%.3f, "p90": %%.3f, ' ..
    '"p95": %%.3f, "p99": %%.3f, "p99.9": %%.3f}}',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min / 1e3, latency.mean / 1e3, latency.max / 1e3,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency:percentile(99.9) / 1e3))
  f:close()
end
"""


def wrk_load(procs, workdir, name, port, path, body, headers, clients, seconds):
    """One wrk run (1 thread: a few thousand req/s is far below what one wrk thread drives,
    and it leaves the 2nd core to the server)."""
    out = os.path.join(workdir, f"{name}.json")
    script = os.path.join(workdir, f"{name}.lua")
    lines = "\n".join(f'wrk.headers["{k}"] = [==[{v}]==]' for k, v in headers.items())
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(WRK_SCRIPT % {"body": body.decode("utf-8"), "headers": lines, "out": out})
    proc = procs.start(["wrk", "-t", "1", "-c", str(clients), "-d", f"{seconds}s",
                        "--timeout", "10s", "-s", script, f"http://127.0.0.1:{port}{path}"],
                       log_path=os.path.join(workdir, f"{name}.wrk.log"))
    try:
        proc.wait(seconds + 30)
    finally:
        procs.stop(proc)
    with open(out) as fh:
        raw = json.load(fh)
    errors = sum(raw["errors"].values())
    ok = raw["requests"] - raw["errors"]["status"]
    return {"requests": raw["requests"], "ok": ok, "errors": errors,
            "error_detail": raw["errors"], "seconds": raw["duration_s"],
            "rps": ok / raw["duration_s"], "latency_ms": raw["latency_ms"]}


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def python_load(port, path, body, headers, clients, seconds):
    """N threads, each with its own keep-alive ``http.client`` connection; counts what
    completes inside the window.  Costs CPU on the same 2 cores as the server (the GIL),
    so it under-reports both endpoints; the ratio is still like for like."""
    start = time.monotonic()
    end = start + seconds
    results = [[] for _ in range(clients)]
    errors = [0] * clients

    def client(i):
        conn = None
        lat, err = results[i], 0
        while True:
            t0 = time.monotonic()
            if t0 >= end:
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", path, body=body, headers=headers)
                res = conn.getresponse()
                res.read()
                t1 = time.monotonic()
                if t1 > end:
                    break
                if res.status >= 400:
                    err += 1
                else:
                    lat.append(t1 - t0)
                if res.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                err += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
        errors[i] = err

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    elapsed = time.monotonic() - start
    lat = sorted(x * 1000 for r in results for x in r)
    n_err = sum(errors)
    return {"requests": len(lat) + n_err, "ok": len(lat), "errors": n_err,
            "error_detail": {"any": n_err}, "seconds": elapsed, "rps": len(lat) / elapsed,
            "latency_ms": {"min": lat[0] if lat else None,
                           "mean": sum(lat) / len(lat) if lat else None,
                           "max": lat[-1] if lat else None,
                           "p50": percentile(lat, 50), "p90": percentile(lat, 90),
                           "p95": percentile(lat, 95), "p99": percentile(lat, 99),
                           "p99.9": percentile(lat, 99.9)}}


# -- one backend ---------------------------------------------------------------------------

def layout(args, backend):
    """(workers, threads) for ``backend``: --workers/--threads if given, else LAYOUT's."""
    workers, threads = LAYOUT[backend]
    return args.workers or workers, args.threads or threads


def gunicorn_cmd(args, backend, port, chdir, target):
    workers, threads = layout(args, backend)
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}", "--chdir", chdir, "--graceful-timeout", "5",
            "--log-level", "warning", target]


def measure(args, procs, workdir, name, port, path, body, headers, app_pid, db_pids):
    """Warm-up (discarded), then the measured run; plus the servers' CPU seconds meanwhile."""
    generator = args.generator
    log(f"  {name}: warm-up {args.warmup}s, then {args.duration}s with {args.clients} clients")
    if generator == "wrk":
        wrk_load(procs, workdir, f"{name}-warmup", port, path, body, headers,
                 args.clients, args.warmup)
    else:
        python_load(port, path, body, headers, args.clients, args.warmup)
    before = _cpu_snapshot(app_pid, db_pids())
    if generator == "wrk":
        res = wrk_load(procs, workdir, name, port, path, body, headers, args.clients,
                       args.duration)
    else:
        res = python_load(port, path, body, headers, args.clients, args.duration)
    after = _cpu_snapshot(app_pid, db_pids())
    if None not in before + after and res["requests"]:
        app_cpu, db_cpu, loadgen, machine = (b - a for a, b in zip(before, after))
        n = res["requests"]
        res["server_cpu_ms_per_request"] = round((app_cpu + db_cpu) * 1000 / n, 3)
        res["gunicorn_cpu_ms_per_request"] = round(app_cpu * 1000 / n, 3)
        res["database_cpu_ms_per_request"] = round(db_cpu * 1000 / n, 3)
        res["loadgen_cpu_s"] = round(loadgen, 3)
        # Anything else running on the machine meanwhile (in cores): other jobs skew the run.
        res["other_load_cores"] = round(max(0.0, machine - app_cpu - db_cpu - loadgen)
                                        / res["seconds"], 2)
    lat = res["latency_ms"]
    log(f"  {name}: {res['rps']:.1f} req/s, p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, "
        f"errors {res['errors']}, other load {res.get('other_load_cores', '?')} cores")
    if res.get("other_load_cores", 0) > NOISY_CORES:
        log(f"  WARNING: other processes used {res['other_load_cores']} cores during the run; "
            "the numbers are skewed (run it on a quiet machine)")
    return res


def run_backend(args, procs, backend, workdir):
    pg = None
    if backend == "postgresql":
        sys.path.insert(0, os.path.join(REPO, "tests"))
        import pgserver
        if not pgserver.available():
            raise RuntimeError("PostgreSQL needs its server binaries, root and runuser")
        log("starting a throw-away PostgreSQL server")
        pg = pgserver.PostgresServer()
        try:
            pg.start()
            url = pg.create_database("shouwen_bench")
        except BaseException:
            _stop_pg(pg)
            raise
        database_info = {"server_version": _pg_version(pg)}
    else:
        url = "sqlite:///" + os.path.join(workdir, "instance", "shouwen.db")
        import sqlite3
        database_info = {"sqlite_version": sqlite3.sqlite_version}
    try:
        return _run_backend(args, procs, backend, workdir, url, pg, database_info)
    finally:
        if pg is not None:
            _stop_pg(pg)


def _stop_pg(pg):
    try:
        pg.stop()
    except Exception as exc:  # noqa: BLE001
        log(f"stopping PostgreSQL: {exc}")
        shutil.rmtree(pg.dir, ignore_errors=True)


def _pg_version(pg):
    res = subprocess.run([os.path.join(pg.bin, "postgres"), "--version"], capture_output=True,
                         text=True)
    return res.stdout.strip()


def _pg_roots(pg):
    if pg is None:
        return []
    with contextlib.suppress(OSError, ValueError):
        with open(os.path.join(pg.dir, "data", "postmaster.pid")) as fh:
            return [int(fh.readline())]
    return []


def _run_backend(args, procs, backend, workdir, url, pg, database_info):
    instance = os.path.join(workdir, "instance")
    os.makedirs(instance, exist_ok=True)
    env = dict(os.environ)
    env.pop("SHOUWEN_NOW", None)
    # Measure the code of this checkout (where the script lives), whatever is pip-installed.
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(REPO, "platform"), REPO] + [p for p in [env.get("PYTHONPATH")] if p])
    env.update(SHOUWEN_DATABASE_URL=url, SHOUWEN_INSTANCE_PATH=instance,
               SHOUWEN_SECRET_KEY=secrets.token_hex(32), SHOUWEN_ENV="production",
               PYTHONDONTWRITEBYTECODE="1")
    cli_log = os.path.join(workdir, "cli.log")
    log(f"[{backend}] init-db, demo (argon2 hashing: ~15 s), token")
    run_cli(["init-db"], env, cli_log)
    run_cli(["demo"], env, cli_log)
    token = run_cli(["token", "create", "--tenant", TENANT, "--user", USER],
                    env, cli_log).strip().splitlines()[-1].strip()
    subprocess.run([sys.executable, os.path.join(HERE, "bare_app.py"), "create-table"],
                   env=env, check=True, capture_output=True, timeout=60)

    app_port, bare_port = free_port(), free_port()
    app_log, bare_log = os.path.join(workdir, "app.log"), os.path.join(workdir, "bare.log")
    app = procs.start(gunicorn_cmd(args, backend, app_port, REPO, "wsgi:app"), app_log, env=env)
    bare = procs.start(gunicorn_cmd(args, backend, bare_port, HERE, "bare_app:app"), bare_log,
                       env=env)

    body = json.dumps(REGISTRATION, ensure_ascii=False).encode("utf-8")
    json_h = {"Content-Type": "application/json"}
    reg_h = {**json_h, "Authorization": f"Bearer {token}"}
    wait_ready(app, app_port, "/api/v1/contacts", body, reg_h, 201, app_log)
    wait_ready(bare, bare_port, "/bare", body, json_h, 201, bare_log)
    endpoints = [("bare", bare, bare_port, "/bare", json_h, bare_log),
                 ("registration", app, app_port, "/api/v1/contacts", reg_h, app_log)]
    floor = None
    if args.floor:
        floor_port, floor_log = free_port(), os.path.join(workdir, "floor.log")
        floor = procs.start(gunicorn_cmd(args, backend, floor_port, HERE, "floor_app:app"),
                            floor_log, env=env)
        wait_ready(floor, floor_port, "/floor", body, reg_h, 201, floor_log)
        endpoints.append(("floor", floor, floor_port, "/floor", reg_h, floor_log))
    workers, threads = layout(args, backend)
    log(f"[{backend}] app on :{app_port}, bare on :{bare_port} "
        f"({workers} workers x {threads} threads each)")

    runs = {key: [] for key, *_ in endpoints}
    try:
        # Rounds alternate bare / registration, so drift on the machine hits both alike.
        for n in range(args.rounds):
            for key, proc, port, path, headers, log_path in endpoints:
                runs[key].append(measure(args, procs, workdir, f"{backend}-{key}-{n + 1}", port,
                                         path, body, headers, proc.pid, lambda: _pg_roots(pg)))
                if proc.poll() is not None:
                    raise RuntimeError(f"the {key} server died (log: {log_path})")
    finally:
        procs.stop(app)
        procs.stop(bare)
        if floor is not None:
            procs.stop(floor)
    out = {"database": database_info,
           "gunicorn": {"workers": workers, "worker_class": "gthread", "threads": threads}}
    out.update((key, combine(rs)) for key, rs in runs.items())
    return out


def combine(runs):
    """One result from several rounds: counts summed, rates and latencies the median."""
    if len(runs) == 1:
        return runs[0]
    from statistics import median
    out = {k: sum(r[k] for r in runs) for k in ("requests", "ok", "errors", "seconds")}
    out["rps"] = median(r["rps"] for r in runs)
    out["latency_ms"] = {k: median(r["latency_ms"][k] for r in runs)
                         for k in runs[0]["latency_ms"] if runs[0]["latency_ms"][k] is not None}
    for k in ("server_cpu_ms_per_request", "gunicorn_cpu_ms_per_request",
              "database_cpu_ms_per_request", "other_load_cores"):
        if all(k in r for r in runs):
            out[k] = median(r[k] for r in runs)
    out["aggregate"] = f"median of {len(runs)} rounds"
    out["rounds"] = runs
    return out


# -- report --------------------------------------------------------------------------------

def verdict(bare, reg):
    ratio = reg["rps"] / bare["rps"] if bare["rps"] else 0.0
    checks = {"ratio": ratio >= TARGET_RATIO,
              "p99": reg["latency_ms"]["p99"] is not None
              and reg["latency_ms"]["p99"] < TARGET_P99_MS,
              "errors": reg["errors"] == 0 and bare["errors"] == 0}
    return ratio, checks


def table(results):
    head = (f"{'backend':<11} {'endpoint':<13} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'errors':>7} {'cpu ms/req':>11} {'other':>5}  {'reg/bare':>8}"
            "  verdict")
    lines = [head, "-" * len(head)]
    for backend, res in results.items():
        if "error" in res:
            lines.append(f"{backend:<11} FAILED TO RUN: {res['error'].splitlines()[0][:90]}")
            continue
        ratio, checks = verdict(res["bare"], res["registration"])
        for key, label in (("bare", "bare insert"), ("registration", "registration"),
                           ("floor", "floor (Core)")):
            if key not in res:
                continue
            r = res[key]
            lat = r["latency_ms"]
            cpu = "-"
            if r.get("server_cpu_ms_per_request") is not None:
                cpu = f"{r['gunicorn_cpu_ms_per_request']:.2f}"
                if r.get("database_cpu_ms_per_request"):
                    cpu += f"+{r['database_cpu_ms_per_request']:.2f}"
            other = r.get("other_load_cores")
            tail = ""
            if key == "floor":
                tail = f"  {r['rps'] / res['bare']['rps']:>8.2f}  (the same writes in Core)"
            if key == "registration":
                why = [f"ratio {'>=' if checks['ratio'] else '<'} {TARGET_RATIO:.2f}",
                       f"p99 {'<' if checks['p99'] else '>='} {TARGET_P99_MS:.0f} ms"]
                if not checks["errors"]:
                    why.append("errors")
                tail = (f"  {ratio:>8.2f}  {'PASS' if all(checks.values()) else 'FAIL'}"
                        f" ({', '.join(why)})")
            lines.append(f"{backend:<11} {label:<13} {r['rps']:>8.1f} {lat['p50']:>8.1f} "
                         f"{lat['p95']:>8.1f} {lat['p99']:>8.1f} {r['errors']:>7} "
                         f"{cpu:>11} "
                         f"{(f'{other:.2f}' if other is not None else '-'):>5}{tail}")
    return "\n".join(lines)


def git_revision():
    """The commit measured, and whether the working tree differed from it."""
    def git(*args):
        res = subprocess.run(["git", "-C", REPO, *args], capture_output=True, text=True)
        return res.stdout.strip() if res.returncode == 0 else None
    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "platform",
                "policy_packs", "wsgi.py")
    return {"commit": head, "app_code_modified": bool(dirty)} if head else None


def versions():
    from importlib.metadata import PackageNotFoundError, version
    out = {"python": sys.version.split()[0]}
    for dist in ("flask", "sqlalchemy", "flask-sqlalchemy", "gunicorn", "psycopg", "marshmallow"):
        with contextlib.suppress(PackageNotFoundError):
            out[dist] = version(dist)
    if shutil.which("wrk"):
        res = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        out["wrk"] = (res.stdout or res.stderr).splitlines()[0].strip()
    return out


# -- main ----------------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=int, default=15, help="measured seconds per endpoint "
                   "(default 15, max %d)" % MAX_DURATION)
    p.add_argument("--warmup", type=int, default=3, help="warm-up seconds, discarded (default 3)")
    p.add_argument("--rounds", type=int, default=1,
                   help="alternate bare / registration this many times and report the medians "
                        "(default 1; use 3 on a shared machine)")
    p.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections "
                   "(default 8, max %d)" % MAX_CLIENTS)
    p.add_argument("--backends", default="sqlite,postgresql",
                   help="comma-separated: sqlite, postgresql (default both)")
    p.add_argument("--workers", type=int, help="gunicorn workers per server (default: 2 for "
                   "PostgreSQL, 1 for SQLite)")
    p.add_argument("--threads", type=int,
                   help="gthread threads per worker (default: 4 for PostgreSQL, 8 for SQLite)")
    p.add_argument("--floor", action="store_true",
                   help="also measure benchmarks/floor_app.py: registration's statements in "
                        "plain Core with its schemas (the floor of its cost)")
    p.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                   help="load generator (default: wrk if installed, else python)")
    p.add_argument("--output",
                   help="JSON result file (default benchmarks/results/register-<time>.json)")
    p.add_argument("--keep-temp", action="store_true",
                   help="keep the temp dir (server logs, wrk scripts) for debugging")
    args = p.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    bad = [b for b in backends if b not in ("sqlite", "postgresql")]
    if bad or not backends:
        p.error(f"unknown backend(s): {', '.join(bad) or '(none)'}")
    args.backends = list(dict.fromkeys(backends))
    for name, low, high in (("duration", 1, MAX_DURATION), ("warmup", 0, MAX_WARMUP),
                            ("clients", 1, MAX_CLIENTS), ("workers", 1, 16), ("threads", 1, 64),
                            ("rounds", 1, 10)):
        value = getattr(args, name)
        if value is not None and not low <= value <= high:
            p.error(f"--{name} must be between {low} and {high}")
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    elif args.generator == "wrk" and not shutil.which("wrk"):
        p.error("wrk is not installed (apt-get install -y wrk), use --generator python")
    return args


def _sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even if started with it ignored
    procs = Processes()
    tmp = tempfile.mkdtemp(prefix="shouwen-bench-")
    started = datetime.now(timezone.utc)
    results = {}
    interrupted = False
    try:
        log(f"load generator: {args.generator}; gunicorn per backend (workers x threads): "
            + ", ".join(f"{b} {'x'.join(map(str, layout(args, b)))}" for b in args.backends)
            + f"; temp dir {tmp}")
        for backend in args.backends:
            workdir = os.path.join(tmp, backend)
            os.makedirs(workdir)
            try:
                results[backend] = run_backend(args, procs, backend, workdir)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001  (report it, go on with the next backend)
                log(f"[{backend}] failed: {exc}")
                results[backend] = {"error": str(exc)}
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: cleaning up")
    finally:
        procs.stop_all()
        if args.keep_temp:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if interrupted:
        return 130
    report = {
        "benchmark": "contact registration vs bare insert",
        "started_at": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": sys.platform},
        "versions": versions(),
        "git": git_revision(),
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup, "rounds": args.rounds,
                     "clients": args.clients, "generator": args.generator,
                     "gunicorn": {b: dict(zip(("workers", "threads"), layout(args, b)))
                                  for b in args.backends},
                     "tenant": TENANT, "user": USER, "body": REGISTRATION},
        "targets": {"ratio_min": TARGET_RATIO, "p99_ms_max": TARGET_P99_MS},
        "results": results,
    }
    for backend, res in results.items():
        if "error" not in res:
            ratio, checks = verdict(res["bare"], res["registration"])
            res["ratio"] = round(ratio, 3)
            res["checks"] = checks
            res["pass"] = all(checks.values())
    path = args.output or os.path.join(
        RESULTS, f"register-{started.strftime('%Y%m%dT%H%M%SZ')}.json")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(report, fh, indent=2, ensure_ascii=False)
    print()
    rounds = f", median of {args.rounds} alternating rounds" if args.rounds > 1 else ""
    gunicorn = ", ".join(f"{b} {'x'.join(map(str, layout(args, b)))}" for b in args.backends)
    print(f"{args.clients} clients, {args.duration} s measured after {args.warmup} s warm-up"
          f"{rounds}, {args.generator}; gunicorn gthread (workers x threads) {gunicorn}; "
          f"{os.cpu_count()} CPUs")
    print(table(results))
    print(f"\ntargets: registration >= {TARGET_RATIO:.0%} of bare req/s, "
          f"p99 < {TARGET_P99_MS:.0f} ms, no errors.")
    print("cpu ms/req: CPU per request of the gunicorn processes (+ the PostgreSQL server's).")
    print(f"other: cores used meanwhile by processes outside the benchmark "
          f"(above {NOISY_CORES} the run is skewed).")
    print(f"result: {os.path.relpath(path)}")
    ok = all(r.get("pass") for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
