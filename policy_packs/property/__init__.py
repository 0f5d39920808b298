"""Property-management policy pack: first-inquiry responsibility (首问责任制 / 首接责任制度).

Where the rules come from
    seed 000: the Vanke (万科物业) implementation rules and questionnaire, the 天盛 rules
    (江苏天盛物业 德林艺墅管理处, art. 1-8) and the "物业管理部制度上墙" rules (items 1-13);
    seed 004: 首接责任制度 (Traditional Chinese): the four-part countersign form (会签单) and the
    repair times.  Numbers are in ``policy.py`` with their seed; anything marked "product
    default" is Shouwen's choice where the seeds are silent.

Who is the owner
    The first employee a resident reaches, by visit, phone, letter or otherwise, whether or not
    the matter is in their job (天盛 art. 2-3).  When two staff are asked at once the higher
    rank owns it (operator < receptionist < team leader < supervisor < quality liaison <
    customer-relations supervisor < office manager < property-centre director).

What the owner must do (Vanke)
    Operators (guards, cleaners, repair workers) serve what is theirs and pass the rest to their
    direct superior.  Managers answer consultations themselves (by phone if they must check).
    A matter of one other department goes to that department's supervisor; an unclear or
    multi-department matter goes to the customer-relations supervisor (客户关系主管), who routes
    it or opens a coordination form (客户接待事项协调单) with a lead department; matters across
    management offices go to the office manager.  Customer service writes every request on the
    countersign form, the receiving person signs the handover book, the form comes back signed
    and is archived (seed 004).  The handler tells the owner when it is done, which ends the
    owner's responsibility; customer service calls the resident back.
    Utilities and sibling companies (water, power, heat, real estate): contact their local
    office within 30 minutes and pass on the resident's name, address, phone and matter
    (天盛 art. 6); other outside bodies: give their address and phone (art. 7).
    Complaints about supervisors and above or customer-service staff go to the property-centre
    director (seed 004).

Deadlines (statutory calendar; repairs and utilities on the wall clock)
    on_site    repair: ordinary 60 min, simple 20 min, urgent (water, heating, gas) at once (004);
               counted from the resident's call (seed 004 counts from the notice to the repair
               worker: the 10-minute repair transfer bounds the difference); once handed over,
               the repair department answers for it
    feedback   repair slip back to customer service within 24 hours (004); others 1 working day
    transfer   utility 30 min (天盛 art. 6); repair 10 min, urgent 5 min, others 1 working hour
               (product defaults for "立即告知相关部门", art. 5)
    accept     1 working hour, repairs 10 min (product defaults)
    reply      1 working day, repairs 24 hours (product defaults)
    callback   2 working days after feedback (product default)
    final      none

Escalation chain (no "conflict escalation" count in this sector)
    customer-relations supervisor -> management office manager -> property-centre director.
    A breached deadline escalates automatically.

Transfer policy
    Modes: hand over with a record, accompany the resident, or guide.  The receiving department
    may neither pass the matter on nor return it: after a wrong transfer it still takes it on
    towards the resident (the internal mix-up is not the resident's business), then files a
    coordination form with the customer-service supervisor (coordinator: customer service).
    Routing is not passing on: a matter still in the owner's department (an operator handed it
    to their direct superior) or with customer service (the customer-relations supervisor
    routes unclear matters) may be sent on to the responsible department (hook in this module).
    Every transfer is copied to customer service, which tracks and archives the forms.

Wording
    Banned: 不归我管, 不归我们管, 不知道, 不清楚, 办不了, 没办法 (天盛 art. 4, seed 004) and similar,
    also in traditional characters (不歸我管, 沒辦法 ...: seed 004 is written in them).
    Templates: reply, one-time notice, coordination form (协调单), countersign form (会签单,
    four parts), referral to a utility (with the 30-minute contact).

Penalties (graded 1st / 2nd / 3rd; amounts are product defaults)
    Late repair, transfer or reply: criticism, notice + 50 yuan off the bonus, 100 yuan + talk
    with the manager.  Buck-passing: notice, 100 yuan, 200 yuan + off front-line duty.
    Brush-off phrase: criticism, notice, 50 yuan + courtesy training.

Assessment (Vanke questionnaire)
    Department score = customer supervisors and quality liaisons 40 % + other supervisors and
    managers 40 % + security captains and cleaning leads 20 %.
"""
from core.hookspecs import hookimpl
from core.rules import Decision, Pack, text

from .policy import POLICY


@hookimpl
def shouwen_pack():
    """The property-management pack: key ``property``, sector ``property``."""
    return Pack(
        key="property",
        sector="property",
        name=text("物业管理", "Property management"),
        summary=text(
            "物业首问责任制:业主第一个找到的员工负责到底;不属自己的交直接上司或责任部门,"
            "判定不清或涉及多部门的交客户关系主管协调;转错了的部门照样承接、不得再转,并填协调单"
            "报客服主管。报修一般60分钟、简单20分钟、水暖燃气急修立即到场,维修单24小时内返回客服;"
            "水电热等兄弟单位30分钟内联系。",
            "Property first-inquiry responsibility: the first employee a resident reaches stays "
            "responsible.  What is not theirs goes to their superior or the responsible "
            "department; unclear or multi-department matters go to the customer-relations "
            "supervisor.  A department that receives a wrong transfer still takes it on, passes "
            "it nowhere else and files a coordination form with customer service.  Repairs: on "
            "site in 60 min (ordinary), 20 min (simple), at once (water, heating, gas); the "
            "repair slip is back within 24 hours; utilities are contacted within 30 minutes."),
        policy=POLICY,
        sources=(
            "seed 000 (万科物业) 首问责任制实施细则 and 实施调查问卷",
            "seed 000 江苏天盛物业 首问责任制实施办法 (art. 1-8)",
            "seed 000 物业管理部制度上墙 (一)首问责任制度",
            "seed 004 首接責任制度 (会签单, repair times)",
        ),
    )


@hookimpl
def shouwen_transfer_decision(policy, contact, transfer):
    """Routing is not passing on (Vanke rules): an operator hands what is not theirs to their
    direct superior, who sends it to the responsible department; unclear matters go to the
    customer-relations supervisor in customer service (the ``wrong_transfer_coordinator``), who
    routes them.  Those steps are allowed although a department that received a matter may
    neither pass it on nor return it; everything else is left to the core default."""
    rules = policy["transfer"]
    if transfer["by_owner"] or transfer["is_return"] or transfer["mode"] not in rules["modes"]:
        return None
    still_with_owner = transfer["from_department_id"] == contact.owner.department_id
    handler = contact.handler_department
    at_router = handler is not None and handler.code == rules.get("wrong_transfer_coordinator")
    return Decision(True) if still_with_owner or at_router else None


# Seed 004: complaints about department supervisors and above, customer-service staff or the
# company's administrative staff go to the property-centre director.
SENIOR_TITLES = ("supervisor", "quality", "cr_supervisor", "office_manager", "director")
DIRECTOR_DEPARTMENTS = ("customer_service", "director")


@hookimpl
def shouwen_complaint_route(policy, contact, person):
    """Residents complain about the first-inquiry owner to the quality department (品质部),
    which investigates and reports back (seed 000 物业管理部制度上墙 items 11-12); complaints
    about supervisors and above or customer-service staff go to the property-centre
    director (seed 004).  Each body's alternative comes next (product default), for a
    complaint about one of its own members."""
    senior = person.get("title") in SENIOR_TITLES or person.get("role") in (
        "dept_supervisor", "cr_supervisor", "leader") and person.get("title") != "team_leader"
    if senior or person.get("department") in DIRECTOR_DEPARTMENTS:
        return ["director", "quality"]
    return ["quality", "director"]
