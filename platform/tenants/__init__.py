"""The SaaS shell around the engine in ``core``: sign-up, provisioning, administration, the
policy editor, overrides and pack switch, calendar administration, platform operators and the
demo.  It imports ``core``; ``core`` never imports it (the app factory, which assembles both,
is the one exception).
"""


def init_app(app):
    """Register the shell's tables, pages and commands on an application ``core`` built."""
    from tenants import calendar_changes, cli, operators  # noqa: F401  (their tables)
    from tenants.web import bp as admin_bp
    from tenants.web import platform, signup
    app.register_blueprint(admin_bp)
    app.register_blueprint(signup.bp)
    app.register_blueprint(platform.bp)
    cli.init_app(app)
