"""Sample contacts for a demo tenant, so a newcomer opens queues that already show the product.

Run by ``shouwen demo`` for tenants it has just created (not by the test seed, whose tests count
contacts).  Each story is played through the same domain functions as the web and the API, at
instants in the past, so its clocks are computed by the tenant's own pack and calendar: one
contact just registered, one handed over hours ago and not yet signed for (its deadline passes or
has passed, which the sweep turns into a breach, a violation proposal and an escalation), one
whose handler has given feedback so the owner must call the customer back, and one closed.
"""
from datetime import timedelta

from sqlalchemy import func, select

from core import clock
from core.contacts import context, lifecycle, resolution
from core.contacts.models import Contact
from core.extensions import db
from core.tenancy.models import Department, Staff
from core.tenancy.scoping import tenant_scope

CUSTOMERS = [("赵先生", "13800138001"), ("钱女士", "13900139002"),
             ("孙先生", "13700137003"), ("李女士", "13600136004")]


def _pick(policy, *preferred):
    for key in preferred:
        if key in policy["matter_types"]:
            return key
    return next(iter(policy["matter_types"]))


def _staff_of(department):
    return db.session.scalars(select(Staff).where(Staff.department_id == department.id,
                                                  Staff.active.is_(True))
                              .order_by(Staff.rank, Staff.id)).first()


def _register(tenant, actor, matter_type, summary, customer, at, own_duty):
    name, phone = customer
    with clock.frozen(at.isoformat()):
        return lifecycle.register(tenant, actor, {
            "channel": "phone" if not own_duty else "visit", "matter_type": matter_type,
            "summary": summary, "customer": {"name": name, "phone": phone},
            "received_at": at, "co_receivers": [], "own_duty": own_duty}, at)


def _at(ctx, when):
    return context.for_contact(ctx.tenant, ctx.contact, at=when)


def seed_samples(tenant, now=None, lookups=None):
    """Play the sample stories in ``tenant`` unless it already has contacts; returns how many.

    ``lookups``, if a list, receives ``(ref, query code)`` of the sample that is with a
    department, so ``shouwen demo`` can show how a customer looks it up (the code exists in
    clear only at registration: docs/progress.md)."""
    now = now or clock.now()
    with tenant_scope(tenant.id):
        if db.session.scalar(select(func.count(Contact.id))):
            return 0
        from core.policy import versions as policies
        _, policy = policies.load(policies.latest_version_id())
        departments = db.session.scalars(select(Department).where(Department.active.is_(True))
                                         .order_by(Department.id)).all()
        front = departments[0]
        owner = _staff_of(front)
        ask = _pick(policy, "consultation", "inquiry")
        complaint = _pick(policy, "complaint", "help", "repair")
        handler_dept = next((d for d in departments[1:] if d.handles(complaint)
                             and _staff_of(d) is not None), departments[1])
        handler = _staff_of(handler_dept)

        _register(tenant, owner, ask, "询问办理流程和所需材料 / asks how to apply and what to bring",
                  CUSTOMERS[0], now - timedelta(minutes=10), own_duty=True)

        t0 = now - timedelta(hours=3)
        ctx = _register(tenant, owner, complaint, "投诉处理不及时 / complains nobody came back",
                        CUSTOMERS[1], t0, own_duty=False)
        lifecycle.transfer(_at(ctx, t0 + timedelta(minutes=5)), owner, handler_dept, "handover")
        if lookups is not None:
            lookups.append((ctx.contact.ref, ctx.query_code))

        t1 = now - timedelta(days=2)
        ctx = _register(tenant, owner, complaint, "反映服务问题，要求答复 / reports a problem, wants an answer",
                        CUSTOMERS[2], t1, own_duty=False)
        row = lifecycle.transfer(_at(ctx, t1 + timedelta(minutes=5)), owner, handler_dept, "handover")
        lifecycle.accept(_at(ctx, t1 + timedelta(minutes=20)), handler, row)
        resolution.feedback(_at(ctx, t1 + timedelta(hours=20)), handler,
                            "已查明原因并处理完毕。 / Cause found and fixed.")

        t2 = now - timedelta(days=5)
        ctx = _register(tenant, owner, ask, "咨询营业时间 / asks about opening hours",
                        CUSTOMERS[3], t2, own_duty=True)
        resolution.reply(_at(ctx, t2 + timedelta(minutes=30)), owner,
                         "您好，我们的服务时间是每天9:00至17:30，欢迎您来办理。")
        if ask in policy["callback"]["required_for"]:
            resolution.callback(_at(ctx, t2 + timedelta(hours=2)), owner, 5)
        resolution.close(_at(ctx, t2 + timedelta(hours=2, minutes=5)), owner)
        db.session.flush()
        return 4
