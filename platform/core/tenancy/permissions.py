"""Roles and what each may do: the one table every view, API call and domain guard asks.

A staff member has one role.  Contact-level rules that depend on the person's
relation to the contact (owner, handling department) live in ``core.contacts.guards``;
they ask :func:`can` for the role-based part, so a role change is made here once.
"""
from core.errors import Forbidden

ROLES = ("staff", "dept_supervisor", "cr_supervisor", "inspector", "leader", "admin")
EVERYONE = ROLES
SUPERVISORS = ("dept_supervisor", "cr_supervisor", "inspector", "leader", "admin")
OVERSEERS = ("cr_supervisor", "inspector", "leader", "admin")

PERMISSIONS = {
    "contact.register": EVERYONE,
    "contact.close_any": ("cr_supervisor", "leader", "admin"),       # close as a supervisor
    "contact.coordinate_any": ("cr_supervisor", "leader", "admin"),  # route unclear matters
    "contact.escalate_any": SUPERVISORS,
    "contact.accept_any": ("admin",),                                # sign on a dept's behalf
    "contact.approve_handover": ("dept_supervisor", "leader", "admin"),
    # Record the decision asked for by an escalation (请示) on behalf of the level asked.
    "contact.decide_any": ("leader", "admin"),
    # Issue a new progress query code for any contact (a customer lost theirs); the owner
    # of a contact always may (core.progress.codes).
    "contact.query_code_any": SUPERVISORS,
    "queue.see_all": OVERSEERS,
    # The "copied to us" list of any department (everyone sees their own department's).
    "copies.view_any": SUPERVISORS,
    "register.view": EVERYONE,
    "violation.view": SUPERVISORS,
    "violation.decide": SUPERVISORS,
    "policy.view": EVERYONE,
    "policy.edit": ("admin",),
    "policy.history": SUPERVISORS,                 # versions, who changed what, diffs
    "calendar.view": SUPERVISORS,
    "calendar.edit": ("admin",),                   # special days, entered official years
    "staff.manage": ("admin",),
    "department.manage": ("admin",),
    "token.manage_all": ("admin",),
    "tenant.settings": ("admin",),
    "admin.open": ("admin",),                    # the Administration pages and nav link
    "token.manage_own": EVERYONE,                # one's own API tokens
    "account.manage_own": EVERYONE,              # one's account page, "sign out everywhere"
    "webhook.manage": ("admin",),
    "sms.manage": ("admin",),                      # the SMS gateway telling customers
    # Who is told (core.notify.recipients): a department's supervisors of its own breaches and
    # violation proposals; the overseers of every escalation and proposal in the tenant.
    "notification.department": ("dept_supervisor",),
    # Supervision (core.supervision): the figures of one's own department (a department's
    # supervisor) or of all (overseers); assessments and spot checks are the overseers'
    # (QI, the supervision office, the union, customer relations) and the leaders'.
    "supervision.view": SUPERVISORS,
    "supervision.view_all": OVERSEERS,
    "assessment.view": SUPERVISORS,
    "assessment.run": OVERSEERS,                   # run, review, adjust with a reason
    "assessment.publish": ("inspector", "leader", "admin"),
    "assessment.view_published": EVERYONE,         # a published run is a notice (通报)
    "spotcheck.view": SUPERVISORS,
    "spotcheck.draw": OVERSEERS,
    "spotcheck.record": OVERSEERS,
    # Complaints about staff (core.voice.complaints): anyone registers one on a customer's
    # behalf; the receiving body's supervisors see and handle those routed to their
    # department; leaders and administrators see all.  Nobody sees or handles a complaint
    # about themselves (the domain's rule, not a role's).
    "complaint.register": EVERYONE,
    "complaint.receive": SUPERVISORS,
    "complaint.view_all": ("leader", "admin"),
    "report.receive": OVERSEERS,                   # the scheduled (monthly) summary
    # Questionnaires (core.voice.questionnaires): an administrator defines them and starts
    # rounds; whoever closes matters may send a resident the link; supervisors read scores.
    "questionnaire.manage": ("admin",),
    "questionnaire.send": EVERYONE,
    "questionnaire.view": SUPERVISORS,
    "notification.oversight": ("cr_supervisor", "inspector"),
    # The customer's rating (core.voice): a department's supervisors appeal a rating of their
    # department to the supervising side, which decides (never the department appealing).
    "rating.appeal": ("dept_supervisor", "leader", "admin"),
    "rating.appeal_decide": OVERSEERS,
    "rating.rectify_any": ("admin",),            # record a rectification for a department
}


def roles_with(permission):
    """The roles holding ``permission`` (for set-based queries such as "notify all overseers")."""
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"unknown permission {permission!r}") from None


def can(staff, permission):
    """Whether ``staff`` (a Staff row) holds ``permission``."""
    try:
        allowed = PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"unknown permission {permission!r}") from None
    return staff is not None and staff.active and staff.role in allowed


def require(staff, permission):
    if not can(staff, permission):
        raise Forbidden({"zh": "您没有此项权限。", "en": "You are not allowed to do this."},
                        code="forbidden")
