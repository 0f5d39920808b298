"""The SaaS shell's commands: ``shouwen demo`` and ``shouwen operator``."""
import re
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from core.db import upgrade
from core.extensions import db
from core.tenancy import password_rules, usernames
from tenants import demo, operators
from tenants.demo_contacts import seed_samples


@click.command("demo")
@click.option("--no-samples", is_flag=True, help="Don't add the sample contacts.")
@click.option("--force", is_flag=True,
              help="Seed even when SHOUWEN_ENV=production (about 90 accounts, one published "
                   "password).")
@with_appcontext
def demo_command(no_samples, force):
    """Create the demo tenants (idempotent) with a few sample contacts; print how to log in."""
    if current_app.config["SHOUWEN_ENV"] == "production" and not force:
        raise click.ClickException(
            "refused in production: the demo creates about 90 accounts whose password is "
            "published; pass --force if this production database is a demonstration")
    upgrade()
    for slug, created, users in demo.seed():
        click.echo(f"{'created' if created else 'exists '} {slug}: users {', '.join(users)}")
        if created and not no_samples:
            lookups = []
            count = seed_samples(demo.tenant(slug), lookups=lookups)
            db.session.commit()
            click.echo(f"        {count} sample contacts")
            for ref, code in lookups:
                click.echo(f"        a customer looks one up at http://127.0.0.1:5000/t/{slug}/progress"
                           f"  (reference {ref}, query code {code})")
    click.echo(f"Password of every demo user: {demo.DEMO_PASSWORD}")
    click.echo("Web: http://127.0.0.1:5000/t/demo-hotel/  (user admin)")
    click.echo("API: shouwen token create --tenant demo-hotel --user admin")


@click.group("operator")
def operator_group():
    """Platform operators (who manage tenants at /platform/)."""


@operator_group.command("create")
@click.option("--username", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def operator_create(username, password_stdin):
    """Create a platform operator; the password is prompted for (or read from stdin)."""
    username = usernames.normalise(username)
    if not re.match(operators.USERNAME, username):
        raise click.ClickException("user name: 3-64 lower-case letters, digits, . _ -")
    if operators.find(username) is not None:
        raise click.ClickException(f"operator {username!r} exists already")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems = password_rules.problems(password, username)
    if problems:
        raise click.ClickException("password refused: " + " ".join(problems))
    operators.create(username, password)
    db.session.commit()
    click.echo(f"operator {username} created; sign in at /platform/login")


def init_app(app):
    for command in (demo_command, operator_group):
        app.cli.add_command(command)
