"""The baseline for ``benchmarks/register.py``: a bare Flask endpoint that inserts one row.

``POST /bare`` takes any JSON body, inserts it into ``bench_bare(id, payload, created_at)``
with plain SQLAlchemy Core on a pooled engine, commits and answers ``201 {"id": ...}``.
Nothing else: no auth, no ORM, no validation.  It uses the database of
``SHOUWEN_DATABASE_URL`` (the same one the app under test uses) with the same SQLite
settings as the app (WAL, synchronous=NORMAL, busy_timeout), so the two differ only in
what the application does per request.

    python benchmarks/bare_app.py create-table     # once, before the workers start
    gunicorn --chdir benchmarks bare_app:app        # then serve it

The table is created by ``create-table`` (not at worker boot): two workers creating
it at the same moment would race on PostgreSQL and SQLite alike.
"""
import json
import os
import sys
from datetime import datetime, timezone

from flask import Flask, Response, request
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    insert,
)

metadata = MetaData()
bench_bare = Table(
    "bench_bare", metadata,
    Column("id", Integer, primary_key=True),
    Column("payload", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def database_url():
    url = os.environ.get("SHOUWEN_DATABASE_URL")
    if not url:
        raise SystemExit("SHOUWEN_DATABASE_URL is not set")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url=None):
    """A pooled engine (QueuePool, the SQLAlchemy default for files and servers)."""
    engine = create_engine(url or database_url(), pool_size=5, max_overflow=10)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):   # the same settings as core/__init__.py
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    return engine


def create_table(url=None):
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app():
    app = Flask(__name__)
    engine = make_engine()

    @app.post("/bare")
    def bare_insert():
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return Response('{"error": "JSON object expected"}', 400,
                            mimetype="application/json")
        with engine.begin() as conn:
            result = conn.execute(insert(bench_bare).values(
                payload=payload, created_at=datetime.now(timezone.utc)))
            row_id = result.inserted_primary_key[0]
        return Response(json.dumps({"id": row_id}), 201, mimetype="application/json")

    @app.get("/health")
    def health():
        return Response("ok", 200, mimetype="text/plain")

    return app


if __name__ == "__main__":
    if sys.argv[1:] == ["create-table"]:
        create_table()
        print("bench_bare is ready")
    else:
        raise SystemExit("usage: python benchmarks/bare_app.py create-table")
else:
    app = create_app()
