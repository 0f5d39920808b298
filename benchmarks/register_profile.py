#!/usr/bin/env python
"""CPU per registration, in one process: the profiler loop behind ``register.py``'s numbers.

On a 2-core machine shared with other work, requests/s under gunicorn move with the
neighbours' load; CPU seconds per request in one thread hardly do.  This script runs
``POST /api/v1/contacts`` (the same body as ``register.py``) through the Flask test client,
in process, one thread, against a PostgreSQL server started with ``tests/pgserver.py`` or a
SQLite file, and reports per request:

- CPU ms of this process (``time.process_time``: the application's Python, SQLAlchemy,
  the driver), and wall ms;
- SQL statements, counted by a cursor-execute listener;
- Python function calls (cProfile's count over 20 requests): deterministic, so two variants
  can be compared on a busy machine where CPU ms drift by 30 %;
- with ``--bare``, the same for ``benchmarks/bare_app.py``'s endpoint in the same process;
- with ``--floor``, the same for ``benchmarks/floor_app.py`` (registration's statements in
  plain Core, with and without the marshmallow schemas);
- with ``--profile``, a cProfile of the measured loop (top functions by own and cumulative
  time), or ``--pyinstrument`` for a call tree.

    python benchmarks/register_profile.py                       # PostgreSQL, 300 requests
    python benchmarks/register_profile.py --backend sqlite --bare
    python benchmarks/register_profile.py --profile --requests 500
    python benchmarks/register_profile.py --sql                 # print one request's statements

The database is prepared like ``register.py`` does (migrations, demo tenants, one token of
front-office@demo-hotel), which takes about 15 s of password hashing.  ``--database-url``
reuses a prepared database (``--keep`` prints one that stays up).
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
for path in (HERE, os.path.join(REPO, "tests"), REPO, os.path.join(REPO, "platform")):
    sys.path.insert(0, path)

from register import REGISTRATION, TENANT, USER  # noqa: E402


def prepare(url, instance):
    """Schema, demo tenants and a token (as ``register.py`` does through the CLI)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from core import create_app
    from core.extensions import db
    from core.tenancy import tokens
    from core.tenancy.models import Staff, Tenant
    from core.tenancy.scoping import tenant_scope, unscoped
    from tenants import demo
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        demo.seed()
        with unscoped():
            tenant = db.session.scalars(select(Tenant).where(Tenant.slug == TENANT)).one()
        with tenant_scope(tenant.id):
            staff = db.session.scalars(select(Staff).where(Staff.username == USER)).one()
            _, token = tokens.create(staff, label="profile")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    with open(os.path.join(instance, "token"), "w") as fh:
        fh.write(token)
    return token


def count_statements(engine):
    from sqlalchemy import event
    seen = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    return seen


def python_calls(call, n=20):
    """Python function calls per request (cProfile's count): a deterministic proxy for CPU,
    unmoved by the neighbours' load; compare variants with it, CPU ms for the absolute."""
    counter = cProfile.Profile()
    counter.enable()
    for _ in range(n):
        call()
    counter.disable()
    return pstats.Stats(counter).total_calls // n


def measure(call, n, warmup, count=True):
    for _ in range(warmup):
        call()
    cpu, wall = [], []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        call()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    out = {"cpu_ms": 1000 * statistics.mean(cpu), "cpu_ms_median": 1000 * statistics.median(cpu),
           "wall_ms": 1000 * statistics.median(wall),
           "wall_p99_ms": 1000 * sorted(wall)[int(0.99 * (len(wall) - 1))]}
    if count:
        out["python_calls"] = python_calls(call)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--database-url")
    parser.add_argument("--token", help="with --database-url: the token to use")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--bare", action="store_true", help="also measure the bare insert")
    parser.add_argument("--floor", action="store_true",
                        help="also measure floor_app.py's /floor and /floor-core")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print one registration's statements")
    parser.add_argument("--keep", action="store_true", help="leave the database up")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="shouwen-profile-")
    os.environ["SHOUWEN_INSTANCE_PATH"] = instance
    os.environ.setdefault("SHOUWEN_SECRET_KEY", "profile-only-key")
    server = None
    try:
        url, token = args.database_url, args.token
        if url is None:
            if args.backend == "postgresql":
                import pgserver
                server = pgserver.PostgresServer().start()
                url = server.create_database("shouwen_profile")
            else:
                url = "sqlite:///" + os.path.join(instance, "shouwen.db")
            t0 = time.perf_counter()
            token = prepare(url, instance)
            print(f"prepared {url} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        os.environ["SHOUWEN_DATABASE_URL"] = url
        os.environ["SHOUWEN_ENV"] = "production"

        from core import create_app
        from core.extensions import db
        app = create_app()
        client = app.test_client()
        body = json.dumps(REGISTRATION, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def register():
            response = client.post("/api/v1/contacts", data=body, headers=headers)
            assert response.status_code == 201, response.get_data(as_text=True)

        with app.app_context():
            statements = count_statements(db.engine)
        register()
        statements.clear()
        register()
        per_request = list(statements)
        if args.sql:
            for s in per_request:
                print("   ", " ".join(s.split())[:160])
        results = {"url": url.split("@")[-1], "statements": len(per_request)}

        if args.bare:
            import bare_app
            bare_app.create_table(url)
            bare = bare_app.create_app().test_client()

            def bare_call():
                assert bare.post("/bare", data=body, headers=headers).status_code == 201
            results["bare"] = measure(bare_call, args.requests, args.warmup)

        if args.floor:
            import floor_app
            floor = floor_app.create_app().test_client()
            for path in ("/floor", "/floor-core"):
                def floor_call(path=path):
                    res = floor.post(path, data=body, headers=headers)
                    assert res.status_code == 201, res.get_data(as_text=True)
                results[path.strip("/")] = measure(floor_call, args.requests, args.warmup)

        profiler = None
        if args.profile:
            profiler = cProfile.Profile(time.process_time)   # CPU, not wall: a shared machine
        elif args.pyinstrument:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
        for _ in range(args.warmup):
            register()
        if profiler:
            profiler.enable() if args.profile else profiler.start()
        results["registration"] = measure(register, args.requests, 0, count=profiler is None)
        if profiler:
            if args.profile:
                profiler.disable()
                for key in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.top)
                    print(out.getvalue())
            else:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
        print(json.dumps(results, indent=2))
        if args.keep and server is not None:
            print(f"kept: --database-url {url} --token {token}", file=sys.stderr)
            server = None
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
