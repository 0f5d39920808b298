"""Administration of the policy: the editor, the version history with diffs, the pack switch.

Thin views: the form is generated and read back by ``tenants.policy_editor``, the switch is
``tenants.pack_switch``; both save through ``core.policy.versions.create_version``.
"""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from core.contacts.models import Contact
from core.extensions import db
from core.policy import versions as policies
from core.policy.diff import version_diff
from core.policy.plugins import manager
from core.tenancy.models import PolicyVersion, Staff
from core.tenancy.permissions import can
from core.web import actor, field_errors, lang
from tenants import pack_switch
from tenants import policy_editor as pe
from tenants import policy_overrides as po
from tenants.web import bp
from tenants.web.policy_labels import (
    choice_label,
    path_words,
    segment,
    selector_label,
    translate_messages,
    value_words,
)

# Contacts have no index by policy version (registration speed matters more): the list walks
# the newest contacts and stops after this many.
CONTACTS_SHOWN = 200


def _denied(permission):
    if not can(actor(), permission):
        return render_template("web/admin_policy_forbidden.html"), 403
    return None


def _path(name):
    return pe.split_name(name)


def _group(f):
    """The sub-heading a field is shown under inside its section."""
    p = f.path
    if p[0] in ("deadlines", "penalties") or (p[0] == "wording" and p[1] == "templates"):
        return p[:2]
    if p[0] == "assessment" and len(p) > 2:
        return p[:2]
    return p[:1]


def _grouped(form):
    """{section: [(group path, [Field])]} keeping document order."""
    out = {}
    for section, items in form.items():
        groups = []
        for f in items:
            key = _group(f)
            if not groups or groups[-1][0] != key:
                groups.append((key, []))
            groups[-1][1].append(f)
        out[section] = groups
    return out


def editor_context(doc, default, sections, errors):
    """What the field macros need (shared with the calendar page)."""
    form = pe.build_form(doc, default, sections)

    def err_under(name):
        return "; ".join(v for k, v in errors.items() if k == name or k.startswith(name + "."))
    return dict(form=_grouped(form), doc=doc, default=default, errors=errors,
                err_at=errors.get, err_under=err_under, kinds=pe.deadline_kinds(doc),
                error_list=[(path_words(_path(k), doc), v) for k, v in errors.items()],
                path_words=path_words, segment=segment, value_words=value_words,
                choice_label=choice_label, selector_label=selector_label,
                selectors=pe.selectors(doc), MISSING=pe.MISSING, NEW=pe.NEW)


def save_from_form(sections, template, **extra):
    """POST handler shared by the editor and the calendar page: validate, version, redirect;
    on refusal render the user's input with messages at the fields (422)."""
    current = policies.latest_version()
    default = po.pack_default(current.pack_key)
    proposed, raw_errors = pe.read_form(request.form, current.document, default, sections)
    note = (request.form.get("note") or "").strip()[:500]
    try:
        version = po.save(g.tenant, actor(), proposed, sections, note=note,
                          raw_errors=raw_errors)
        db.session.commit()
        flash(_("Saved as policy version %(n)s. New contacts follow it; earlier contacts keep "
                "their own version.", n=version.number), "ok")
        return None
    except po.NothingChanged:
        db.session.rollback()
        flash(_("Nothing was changed, so no new version was made."), "ok")
        return None
    except ValidationError as err:
        db.session.rollback()
        errors = field_errors(translate_messages(err.messages))
        return render_template(template, note=note, current=current, **extra,
                               **editor_context(proposed, default, sections, errors)), 422


@bp.route("/admin/policy", methods=["GET", "POST"])
def policy_admin():
    denied = _denied("policy.edit")
    if denied:
        return denied
    if request.method == "POST":
        refused = save_from_form(pe.EDITOR_SECTIONS, "web/admin_policy.html")
        return refused or redirect(url_for("admin.policy_admin"))
    current = policies.latest_version()
    default = po.pack_default(current.pack_key)
    return render_template("web/admin_policy.html", note="", current=current,
                           **editor_context(current.document, default, pe.EDITOR_SECTIONS, {}))


# -- version history ----------------------------------------------------------------------

def _names(ids):
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids)))
                .all()) if ids else {}


def _version(number):
    row = db.session.scalars(select(PolicyVersion).where(PolicyVersion.number == number)).first()
    if row is None:
        abort(404)
    return row


def _previous(version):
    return db.session.scalars(select(PolicyVersion).where(PolicyVersion.number < version.number)
                              .order_by(PolicyVersion.number.desc()).limit(1)).first()


@bp.app_template_global("may_read_policy_history")
def may_read_policy_history():
    """Supervisors read the history too (``policy.history``), not only administrators."""
    return current_user.is_authenticated and can(current_user.staff, "policy.history")


@bp.get("/admin/policy/versions")
def policy_versions():
    denied = _denied("policy.history")
    if denied:
        return denied
    rows = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())).all()
    return render_template("web/admin_policy_versions.html", rows=rows,
                           names=_names(r.created_by_id for r in rows),
                           packs=manager().packs)


@bp.get("/admin/policy/versions/<int:number>")
def policy_version(number):
    version = _version(number)      # first: another tenant's version is a 404, not a 403
    denied = _denied("policy.history")
    if denied:
        return denied
    previous = _previous(version)
    changes = version_diff(version, previous) if previous is not None else []
    return render_template("web/admin_policy_version.html", version=version, previous=previous,
                           changes=changes, names=_names([version.created_by_id]),
                           path_words=path_words, value_words=value_words, MISSING=pe.MISSING)


@bp.get("/admin/policy/versions/<int:number>/contacts")
def policy_version_contacts(number):
    version = _version(number)      # first: another tenant's version is a 404, not a 403
    denied = _denied("policy.history")
    if denied:
        return denied
    rows = db.session.scalars(select(Contact).where(Contact.policy_version_id == version.id)
                              .order_by(Contact.id.desc()).limit(CONTACTS_SHOWN)).all()
    return render_template("web/admin_policy_version_contacts.html", version=version,
                           rows=rows, shown=CONTACTS_SHOWN)


# -- pack switch --------------------------------------------------------------------------

@bp.route("/admin/policy/pack", methods=["GET", "POST"])
def policy_pack():
    denied = _denied("policy.edit")
    if denied:
        return denied
    packs = sorted(manager().packs.values(), key=lambda p: p.key)
    chosen = request.values.get("pack", "")
    if request.method == "POST" and request.form.get("confirm"):
        note = (request.form.get("note") or "").strip()[:500]
        try:
            version, created = pack_switch.switch(
                g.tenant, actor(), chosen, note=note,
                create_departments=request.form.getlist("create_department"))
            db.session.commit()
        except ValidationError as err:
            db.session.rollback()
            flash("; ".join(field_errors(translate_messages(err.messages)).values()), "error")
            return redirect(url_for("admin.policy_pack"))
        flash(_("Switched to the %(pack)s pack as policy version %(n)s.",
                pack=manager().get(version.pack_key).name.get(lang()), n=version.number), "ok")
        if created:
            flash(_("Departments created: %(names)s.",
                    names="、".join(d.name(lang()) for d in created)), "ok")
        return redirect(url_for("admin.policy_version", number=version.number))
    found = None
    if chosen and chosen != g.tenant.pack_key:
        if chosen not in manager().packs:
            abort(404)
        found = pack_switch.preview(policies.latest_version(), chosen)
    current = policies.latest_version()
    return render_template("web/admin_policy_pack.html", packs=packs, chosen=chosen,
                           preview=found, current=current, path_words=path_words,
                           value_words=value_words, MISSING=pe.MISSING)


@bp.app_template_global("pack_name")
def pack_name(key):
    pack = manager().packs.get(key)
    return pack.name.get(lang(), key) if pack else key
