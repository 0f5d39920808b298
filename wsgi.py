"""WSGI entry point: ``gunicorn wsgi:app``."""
from core import create_app

app = create_app()
