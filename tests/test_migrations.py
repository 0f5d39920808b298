"""The migrations build exactly the schema the models describe.

The suite builds its databases with the Alembic migrations (conftest), so a
model change without a migration would otherwise pass here and fail on a real
upgrade; autogenerate's comparison must find nothing to do.
"""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.extensions import db


def _relevant(diff):
    # Server-side defaults and comments are not modelled; everything else counts.
    op = diff[0] if isinstance(diff, tuple) else diff[0][0]
    return op not in ("modify_default", "modify_comment")


def test_migrations_match_models(app):
    # The test's own connection: on SQLite another one would wait for its write lock.
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    diffs = [d for d in compare_metadata(context, db.metadata) if _relevant(d)]
    assert diffs == [], "models and migrations differ; add a migration:\n" + "\n".join(map(str, diffs))
