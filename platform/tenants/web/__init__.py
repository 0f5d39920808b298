"""The tenant administration pages under ``/t/<slug>/admin/`` (blueprint ``admin``), the
set-password page, and the pages outside any tenant: sign-up (``/signup``) and the
platform operators' pages (``/platform/``).

The administration blueprint is made by :func:`core.web.tenant_blueprint`, so the tenant is
resolved, scoped and signed in exactly as on the staff pages.
"""
from core.web import tenant_blueprint

# The shell's templates (administration, sign-up, platform) are found through this folder,
# searched after core's.
bp = tenant_blueprint("admin", __name__, template_folder="../templates")

from tenants.web import (  # noqa: E402,F401
                         admin,
                         admin_staff,
                         calendar_page,
                         policy_admin,
                         sms_admin,
                         webhooks_admin,  # (routes)
)
