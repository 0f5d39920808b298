"""Spot checks (抽查): draw a reproducible sample of closed contacts, record the calls.

One function per user action, taking a :class:`Context` and never committing.

Reproducible: each department's sample is ``random.Random(f"{seed}/{department_id}")``
sampling that department's closed contacts ordered by id, so the same seed over the same
closed contacts gives the same sample, and adding a department to a draw leaves the
others' samples as they were.  The seed is drawn with ``secrets`` unless given, and kept.

A sampled contact belongs to the department that handled it, else to its owner's
department at registration (see ``spot_check_models``).

The outcome of a call (the rule the figures and the violations follow):

- not reached: ``unreached``, never a contradiction (the customer did not answer);
- reached, and the customer denies the handling, or denies the owner's callback, or gives
  a grade two or more below the grade the owner recorded at the callback: ``failed``;
- otherwise ``confirmed``.

A failure proposes a ``spot_check_failed`` violation under the pack's rules: against the
owner when the callback is contradicted (denied, or the grade), against the handler and
the handling department when the handling is denied (the owner when it was the owner's
own duty).  Packs without such a rule propose nothing.
"""
import math
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from core import clock
from core.contacts import violations
from core.contacts.context import for_contact
from core.contacts.models import Contact
from core.errors import Invalid
from core.extensions import db
from core.policy import versions as policies
from core.supervision.spot_check_models import SpotCheckDraw, SpotCheckItem, SpotCheckRecord
from core.tenancy.models import Department
from core.tenancy.permissions import require

TRIGGER = "spot_check_failed"
GRADE_GAP = 2      # a grade this much below the owner's recorded one contradicts it
MAX_SEED = 2 ** 64


@dataclass
class Context:
    tenant: object
    actor: object
    at: object = field(default_factory=clock.now)


def _refuse(fields, en, zh, status=422, code=None):
    raise Invalid({"zh": zh, "en": en}, fields=fields, status=status, code=code)


def resolve_departments(codes):
    """Department rows for ``codes`` (all active departments when none are named);
    an unknown code is a field error."""
    codes = [c for c in (codes or []) if c]
    stmt = select(Department).order_by(Department.id)
    if not codes:
        return db.session.scalars(stmt.where(Department.active.is_(True))).all()
    found = db.session.scalars(stmt.where(Department.code.in_(codes))).all()
    unknown = sorted(set(codes) - {d.code for d in found})
    if unknown:
        _refuse({"departments": [f"Unknown department: {', '.join(unknown)}."]},
                "Unknown department.", "部门不存在。")
    return found


def _how_many(number, share, available):
    if number is not None:
        return min(number, available)
    return min(available, math.ceil(share * available - 1e-9))


def _check_size(number, share, seed):
    if (number is None) == (share is None):
        _refuse({"number": ["Give a number or a share, not both."]},
                "Give a number or a share per department.", "请填写每个部门的抽查数量或比例（二选一）。")
    if number is not None and number < 1:
        _refuse({"number": ["At least 1."]}, "The number must be at least 1.", "数量至少为 1。")
    if share is not None and not 0 < share <= 1:
        _refuse({"share": ["A share above 0 and at most 1."]},
                "The share must be above 0 and at most 1.", "比例须大于 0 且不超过 1。")
    if seed is not None and not 0 <= seed < MAX_SEED:
        _refuse({"seed": [f"A whole number from 0 to {MAX_SEED - 1}."]},
                "The seed is not valid.", "随机种子无效。")


def closed_by_department(period, department_ids, tz):
    """{department id: [contact ids, ascending]} closed in ``period``: one query
    (``ix_contacts_tenant_state_closed``)."""
    start, end = period.instants(tz)
    dept = func.coalesce(Contact.handler_department_id, Contact.owner_department_id)
    rows = db.session.execute(
        select(Contact.id, dept).where(Contact.state == "closed", Contact.closed_at >= start,
                                       Contact.closed_at < end, dept.in_(department_ids))
        .order_by(Contact.id))
    out = defaultdict(list)
    for contact_id, department_id in rows:
        out[department_id].append(contact_id)
    return out


def sample(seed, department_id, contact_ids, number=None, share=None):
    """The sample of one department: the same seed and contacts give the same ids."""
    rng = random.Random(f"{seed}/{department_id}")
    return sorted(rng.sample(contact_ids, _how_many(number, share, len(contact_ids))))


def draw(ctx, period, department_codes=None, number=None, share=None, seed=None):
    """Draw a sample of each department's contacts closed in ``period``."""
    require(ctx.actor, "spotcheck.draw")
    _check_size(number, share, seed)
    departments = resolve_departments(department_codes)
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    ids = [d.id for d in departments]
    row = SpotCheckDraw(tenant_id=ctx.tenant.id, first=period.first, last=period.last,
                        department_ids=ids, number=number, share=share, seed=str(seed),
                        policy_version_id=policies.latest_version_id(),
                        drawn_by_id=ctx.actor.id, drawn_at=ctx.at)
    db.session.add(row)
    db.session.flush()
    closed = closed_by_department(period, ids, ctx.tenant.timezone)
    for department_id in ids:
        for contact_id in sample(seed, department_id, closed.get(department_id, []),
                                 number, share):
            db.session.add(SpotCheckItem(tenant_id=ctx.tenant.id, draw_id=row.id,
                                         contact_id=contact_id, department_id=department_id,
                                         status="pending"))
    db.session.flush()
    return row


def outcome(contact, reached, satisfaction, handling_confirmed, callback_confirmed):
    """``unreached`` | ``failed`` | ``confirmed`` and which parts contradict the record."""
    if not reached:
        return "unreached", []
    failed = []
    if handling_confirmed is False:
        failed.append("handling")
    grade_gap = (satisfaction is not None and contact.satisfaction is not None
                 and contact.satisfaction - satisfaction >= GRADE_GAP)
    if callback_confirmed is False or grade_gap:
        failed.append("callback")
    return ("failed" if failed else "confirmed"), failed


def _check_call(reached, satisfaction, handling_confirmed, callback_confirmed):
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        _refuse({"satisfaction": ["From 1 to 5."]}, "Satisfaction is from 1 to 5.",
                "满意度为 1 至 5。")
    if reached:
        missing = {name: ["Say yes or no when the customer was reached."]
                   for name, value in (("handling_confirmed", handling_confirmed),
                                       ("callback_confirmed", callback_confirmed))
                   if value is None}
        if missing:
            _refuse(missing, "Say whether the handling and the callback are confirmed.",
                    "请选择处理情况和回访是否属实。")


def record(ctx, item, reached, satisfaction=None, handling_confirmed=None,
           callback_confirmed=None, findings=""):
    """Record the verification call of ``item``; a recorded item answers 409."""
    require(ctx.actor, "spotcheck.record")
    _check_call(reached, satisfaction, handling_confirmed, callback_confirmed)
    if not reached:
        satisfaction = handling_confirmed = callback_confirmed = None
    # One winner: the conditional update waits for a concurrent one's row lock on
    # PostgreSQL and then finds the item recorded (SQLite serialises writers).
    won = db.session.execute(
        update(SpotCheckItem).where(SpotCheckItem.id == item.id,
                                    SpotCheckItem.status == "pending")
        .values(status="recorded").execution_options(synchronize_session=False)).rowcount
    if not won:
        _refuse({}, "This spot check has already been recorded.", "该抽查已记录。",
                status=409, code="already_recorded")
    db.session.refresh(item)
    contact = item.contact
    result, failed = outcome(contact, reached, satisfaction, handling_confirmed,
                             callback_confirmed)
    row = SpotCheckRecord(
        tenant_id=ctx.tenant.id, item_id=item.id, contact_id=contact.id,
        department_id=item.department_id, owner_id=contact.owner_id, reached=reached,
        satisfaction=satisfaction, handling_confirmed=handling_confirmed,
        callback_confirmed=callback_confirmed, outcome=result,
        findings=(findings or "").strip(), inspector_id=ctx.actor.id, at=ctx.at)
    db.session.add(row)
    db.session.flush()
    if failed:
        _propose(ctx, item, contact, row, failed)
    return row


def _propose(ctx, item, contact, row, failed):
    cctx = for_contact(ctx.tenant, contact, at=ctx.at)
    evidence = {"spot_check_record_id": row.id, "draw_id": item.draw_id, "failed": failed,
                "satisfaction": row.satisfaction, "recorded_satisfaction": contact.satisfaction,
                "findings": row.findings}
    targets = []
    if "callback" in failed:
        targets.append((contact.owner_id, contact.owner_department_id))
    if "handling" in failed:
        handler = contact.handler_id or contact.owner_id
        targets.append((handler, item.department_id))
    seen = set()
    for staff_id, department_id in targets:
        if staff_id in seen:
            continue
        seen.add(staff_id)
        violations.propose(cctx, TRIGGER, staff_id=staff_id, department_id=department_id,
                           evidence=evidence)


def results(draw_ids):
    """{draw id: Counter(outcome -> n)} and the pending count under ``"pending"``."""
    out = {i: Counter() for i in draw_ids}
    if not draw_ids:
        return out
    rows = db.session.execute(
        select(SpotCheckItem.draw_id, SpotCheckRecord.outcome, func.count(SpotCheckItem.id))
        .outerjoin(SpotCheckRecord, SpotCheckRecord.item_id == SpotCheckItem.id)
        .where(SpotCheckItem.draw_id.in_(draw_ids))
        .group_by(SpotCheckItem.draw_id, SpotCheckRecord.outcome))
    for draw_id, key, n in rows:
        out[draw_id][key or "pending"] = n
    return out
