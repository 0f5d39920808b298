"""Self-service sign-up at ``/signup`` (outside any tenant): a new organisation and its
administrator, signed in at the end.  Successful sign-ups are limited per address."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from core.extensions import db, limiter
from core.web import WebUser
from tenants import signup
from tenants.admin_schemas import SignupIn
from tenants.provisioning import ProvisioningError
from tenants.web.admin_text import form_errors, translate

bp = Blueprint("signup", __name__)
CREATED = 302


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"],
               deduct_when=lambda response: response.status_code == CREATED)
@limiter.limit("30 per hour", methods=["POST"])
def signup_page():
    packs = signup.packs()
    errors, form = {}, request.form
    if request.method == "POST":
        try:
            data = SignupIn(packs=[p.key for p in packs]).load(form.to_dict())
            tenant, admin = signup.create_organisation(data)
            db.session.commit()
        except ValidationError as err:
            db.session.rollback()
            errors = form_errors(err.messages)
        except ProvisioningError as err:            # the slug was taken meanwhile
            db.session.rollback()
            errors = form_errors(err.fields)
        except IntegrityError:                      # ... by a concurrent sign-up
            db.session.rollback()
            errors = {"slug": translate("This address is already taken.")}
        except Exception:
            db.session.rollback()                   # nothing half-created, whatever failed
            raise
        else:
            login_user(WebUser(admin))
            flash(_("Welcome! %(name)s is ready. Next: check the departments and add your "
                    "staff under Administration.", name=tenant.name), "ok")
            return redirect(url_for("web.home", slug=tenant.slug))
    return render_template("public/signup.html", packs=packs, errors=errors, form=form), \
        (422 if errors else 200)
