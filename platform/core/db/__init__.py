"""The database layer: column types, SQLite's writer lock, every SQLAlchemy listener (one
registration, ``listeners``), the after-commit queue (``after_commit``) and the Alembic
migrations (``migrations/``)."""


def upgrade():
    """Bring the database to the latest schema (Alembic, through Flask-Migrate)."""
    from flask_migrate import upgrade as alembic_upgrade
    alembic_upgrade()
