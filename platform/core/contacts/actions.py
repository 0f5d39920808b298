"""The lifecycle actions, each declared once: the table every interface is generated from.

An :class:`Action` names its guard (``core.contacts.guards``), its input schema
(``core.contacts.schemas``), which input fields name departments or staff (resolved once by
``core.contacts.references``), the domain call, its label and web form partial, and its API
path, method and status.  ``core.api.contacts`` builds the API routes from it, and
``core.web.contacts`` the web dispatch; :func:`offers` answers "what may I do now" for the
contact page.

:func:`offers` asks the same functions the domain asks when the step is taken: the guard,
then, where the domain has more to say, the pack's decision hooks (may this person transfer
to that department? is there a next escalation level?) and the domain's own checks (may it be
closed yet?).  So the screen never offers a step that would be refused, and never invites
someone to click their way into a proposed violation.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.contacts import escalation, guards, lifecycle, references, resolution
from core.contacts import schemas as s
from core.contacts.references import DEPARTMENT, DEPARTMENTS, STAFF
from core.errors import DomainError
from core.extensions import db
from core.tenancy.models import Staff
from core.tenancy.scoping import get_or_404
from core.voice import signatures

# An opinion stands in for the one the form asks for, when the pack wants one to allow a step.
SOME_OPINION = "…"


@dataclass(frozen=True)
class Action:
    name: str
    label: object                      # lazily translated (Flask-Babel)
    guard: Callable                    # guard(ctx, actor) -> value, raises DomainError
    schema: type                       # marshmallow schema of the input
    perform: Callable                  # perform(ctx, actor, data, refs) -> result
    path: str                          # API path under /contacts/<ref>
    status: int = 200                  # the API's status on success
    method: str = "POST"
    summary: str = ""                  # the OpenAPI operation summary
    refs: dict = field(default_factory=dict)   # input field -> DEPARTMENT | DEPARTMENTS | STAFF
    body_optional: bool = False        # the API accepts no body at all (defaults)
    offer: Callable | None = None      # offer(ctx, actor, guarded) -> form options, or None
    path_refs: Callable | None = None  # path_refs(ctx, **url_args) -> refs named by the URL

    @property
    def partial(self):
        """The web form of this step (``core/templates/web/actions/<name>.html``)."""
        return f"web/actions/{self.name}.html"


# -- the domain calls ----------------------------------------------------------------------

def _transfer(ctx, actor, data, refs):
    return lifecycle.transfer(ctx, actor, refs["to_department"], data["mode"],
                              to_staff=refs["to_user"], note=data["note"],
                              opinion=data["opinion"], approved_by=refs["approved_by"])


def _accept(ctx, actor, data, refs):
    # The API names the transfer in its URL; the web form signs for the pending one.
    row = refs.get("transfer") or guards.may_accept(ctx, actor)
    return lifecycle.accept(ctx, actor, row, wrong=data["wrong_transfer"], note=data["note"])


def _transfer_in_url(ctx, transfer_id):
    from core.contacts.models import Transfer
    return {"transfer": get_or_404(Transfer, id=transfer_id, contact_id=ctx.contact.id)}


def _coordinate(ctx, actor, data, refs):
    return lifecycle.coordinate(ctx, actor, refs["lead_department"], refs["departments"],
                                data["reason"])


def _callback(ctx, actor, data, refs):
    return resolution.callback(ctx, actor, data["satisfaction"], data["reached"], data["note"])


# -- what the guard alone does not know -------------------------------------------------------

def transfer_targets(ctx, actor, by_owner):
    """The active departments the pack lets ``actor`` transfer the matter to now, asked
    exactly as :func:`core.contacts.lifecycle.transfer` asks; and whether any of them needs a
    written opinion.  A target refused only for want of an opinion is allowed (the form
    asks for one)."""
    current = lifecycle.current_transfer(ctx.contact)
    mode = ctx.policy["transfer"]["modes"][0]
    targets, opinion = [], False
    for department in references.active_departments():
        if department.id == ctx.contact.handler_department_id:
            continue                    # refused as "already with this department"
        request = lifecycle.transfer_request(ctx, actor, department.id, mode, by_owner,
                                             current)
        decision = lifecycle.transfer_decision(ctx, request)
        if not decision.allowed and decision.code == "opinion_required":
            decision = lifecycle.transfer_decision(ctx, dict(request, opinion=SOME_OPINION))
            opinion = opinion or decision.allowed
        if decision.allowed:
            targets.append(department)
    return targets, opinion, current


def _offer_transfer(ctx, actor, by_owner):
    """Transfer is offered only with at least one allowed target, and, when a mid-way
    handover needs approval, with at least one person who may approve it."""
    targets, opinion, current = transfer_targets(ctx, actor, by_owner)
    if not targets:
        return None
    approvers = None
    if lifecycle.needs_handover_approval(ctx, by_owner):
        approvers = [p for p in db.session.scalars(select(Staff).where(Staff.active)
                                                   .order_by(Staff.name))
                     if guards.may_approve_handover(ctx.policy, p)]
        if not approvers:
            return None
    rules = ctx.policy["transfer"]
    returns_to = current.from_department_id if current is not None and not by_owner else None
    return {"targets": targets, "approvers": approvers, "returns_to": returns_to,
            "modes": rules["modes"], "by_owner": by_owner,
            "opinion": opinion or (not by_owner and bool(
                rules.get("receiver_may_return") or rules.get("pass_on_requires_opinion")))}


def _offer_escalate(ctx, actor, guarded):
    """The next level as the pack names it; none (the pack's chain ends here): no escalation."""
    step = ctx.hooks.shouwen_next_escalation(policy=ctx.policy, contact=ctx.contact,
                                             level=ctx.contact.escalation_level)
    return {"next": step} if step else None


def _offer_confirm(ctx, actor, waiting):
    """The forms still waiting for the customer's confirmation, and the ways staff may
    record it (paper, tablet) that the pack allows."""
    ways = [w for w in signatures.asked(ctx.policy)[1] if w in signatures.STAFF_WAYS]
    return {"forms": waiting, "ways": ways}


def _offer_close(ctx, actor, guarded):
    return {} if resolution.closing_refusal(ctx) is None else None


# -- the table, in the order the contact page shows the steps -----------------------------

ACTIONS = (
    Action("handle", _l("Handle it myself"), guards.may_handle, s.NoteIn,
           lambda ctx, actor, data, refs: lifecycle.handle(ctx, actor, data["note"]),
           "/handle", summary="Owner handles it in own duty", body_optional=True),
    Action("accept", _l("Sign for it"), guards.may_accept, s.AcceptIn, _accept,
           "/transfers/<int:transfer_id>/accept", summary="Accept (sign for) a transfer",
           body_optional=True, path_refs=_transfer_in_url),
    Action("transfer", _l("Hand over to a department"), guards.may_transfer, s.TransferIn,
           _transfer, "/transfers", 201, summary="Transfer to a department",
           refs={"to_department": DEPARTMENT, "to_user": STAFF, "approved_by": STAFF},
           offer=_offer_transfer),
    Action("coordinate", _l("Coordinate several departments"), guards.may_coordinate,
           s.CoordinationIn, _coordinate, "/coordination", 201,
           summary="Open a coordination",
           refs={"lead_department": DEPARTMENT, "departments": DEPARTMENTS}),
    Action("agree", _l("Record the agreement"), guards.may_agree, s.NoteIn,
           lambda ctx, actor, data, refs: lifecycle.agree(ctx, actor, data["note"]),
           "/coordination/agree", summary="Record the coordination's agreement",
           body_optional=True),
    Action("refer", _l("Refer to an outside body"), guards.may_refer, s.ReferralIn,
           lambda ctx, actor, data, refs: lifecycle.refer(ctx, actor, **data),
           "/referral", 201, summary="Refer outside"),
    Action("reply", _l("Reply to the customer"), guards.may_reply, s.TextIn,
           lambda ctx, actor, data, refs: resolution.reply(ctx, actor, data["text"]),
           "/replies", 201, summary="Reply to the customer"),
    Action("on_site", _l("Arrived on site"), guards.may_on_site, s.NoteIn,
           lambda ctx, actor, data, refs: resolution.on_site(ctx, actor, data["note"]),
           "/on-site", summary="Record arrival on site", body_optional=True),
    Action("feedback", _l("Report back to the owner"), guards.may_feedback, s.TextIn,
           lambda ctx, actor, data, refs: resolution.feedback(ctx, actor, data["text"]),
           "/feedback", 201, summary="Handler's feedback to the owner"),
    Action("callback", _l("Call the customer back"), guards.may_callback, s.CallbackIn,
           _callback, "/callbacks", 201, summary="Owner's callback"),
    Action("confirm", _l("Record the customer's confirmation"), signatures.may_record,
           signatures.ConfirmationIn,
           lambda ctx, actor, data, refs: signatures.record(ctx, actor, data["form"],
                                                            data["how"], data["signature"]),
           "/confirmation", 201, summary="Record the customer's confirmation of a form "
                                         "(signed on paper or drawn on the tablet)",
           body_optional=True, offer=_offer_confirm),
    Action("escalate", _l("Escalate"), guards.may_escalate, s.EscalationIn,
           lambda ctx, actor, data, refs: escalation.escalate(ctx, actor, data["reason"],
                                                              data["decision_needed"]),
           "/escalations", 201, summary="Escalate", offer=_offer_escalate),
    Action("decide", _l("Record the decision"), guards.may_decide, s.TextIn,
           lambda ctx, actor, data, refs: escalation.decide(ctx, actor, data["text"]),
           "/decision", summary="The level asked records its decision"),
    Action("close", _l("Close"), guards.may_close, s.NoteIn,
           lambda ctx, actor, data, refs: resolution.close(ctx, actor, data["note"]),
           "/close", summary="Close", body_optional=True, offer=_offer_close),
)
BY_NAME = {action.name: action for action in ACTIONS}


def offers(ctx, actor):
    """``{action name: form options}`` of the steps ``actor`` may take now, in table order:
    the guard lets them, and the action's ``offer`` (the pack's hooks, the domain's checks)
    does not refuse.  The options are what the form needs (e.g. the allowed targets)."""
    found = {}
    for action in ACTIONS:
        try:
            guarded = action.guard(ctx, actor)
        except DomainError:
            continue
        options = action.offer(ctx, actor, guarded) if action.offer is not None else {}
        if options is not None:
            found[action.name] = options
    return found


def available(ctx, actor):
    """The names of the steps ``actor`` may take on the contact now, in table order."""
    return list(offers(ctx, actor))


def perform(action, ctx, actor, data, refs):
    """Take the step with loaded ``data`` and resolved ``refs``; the caller commits.

    A refusal carries the contact's current state.  One that comes because another step on
    the contact committed while this one waited for the contact's lock
    (``ContactContext.changed_under_us``) is a conflict, 409, whatever the guard would say
    of the new state: the person acted on what they saw, and now must look again."""
    try:
        return action.perform(ctx, actor, data, refs)
    except DomainError as err:
        err.details.setdefault("state", str(ctx.contact.state))
        if ctx.changed_under_us and err.status == 403:
            raise DomainError(
                {"zh": "此事项刚被他人处理，请刷新后再操作。",
                 "en": f"Someone else has just acted on this matter; it is now "
                       f"{ctx.contact.state}. Look again before you act."},
                code="changed", details=err.details) from err
        raise
