"""Hotel policy pack: first-inquiry responsibility (首问责任制) in a hotel.

Where the rules come from
    seed 000 "酒店首问责任制" (items 1-11), seed 001 (the same hotel text, "什么是首问责任制"),
    seed 002 (training slides with three cases: the lost phone at 03:00, the bottle of glue,
    the steamed buns).  Numbers are in ``policy.py`` with the seed each one comes from; anything
    marked "product default" is Shouwen's choice where the seeds are silent.

Who is the owner
    Any employee a guest first reaches, in person or by phone, whatever their department.
    When two staff are asked at once the higher rank owns it (staff < supervisor < duty
    manager < quality inspector < department manager < deputy GM < GM).

What the owner must do
    Help warmly and never brush the guest off.  A matter within the owner's department is
    settled there (seed 000 item 2 and 6: transfer only when the department truly cannot).
    If it cannot be answered at once, explain why.  Otherwise the owner records the guest's
    name, room and phone, fills the complaint/inquiry slip (投诉/查询处理单) and passes it
    to the responsible department, copied to Quality Inspection (质检部).  After the
    department's feedback the owner calls the guest back; QI spot-checks those callbacks.
    At night, write it in the shift handover log too (seed 002, lost-phone case).

Deadlines (hotels work every day: ``seven_day`` calendar, a working day ends at 17:30)
    transfer   1 hour on the wall clock (seed 000 item 3); lost property 15 min (product)
    accept     15 min: the receiving department names a handler "at once" (item 4; product
               choice of 15 min, because 0 would breach on every handover)
    reply      1 working day: the receiving department answers the guest (item 4)
    feedback   1 working day: the result goes to the issuing department, owner and QI (item 4)
    on_site    room repair: engineering on site within 30 min (product default)
    callback   4 working hours after feedback (product default; the seeds say "in time")
    final      none

Escalation chain, all "conflict escalations" (矛盾升级, item 6)
    Quality Inspection -> deputy GM in charge -> general manager.  A slip reaching any of them
    counts against the department; QI reports the count per department.  A breached deadline
    escalates automatically.

Transfer policy
    Modes: hand over with the slip, accompany the guest, or guide the guest.  Nobody may refuse
    a transferred slip (item 11).  A department that is truly not responsible returns it with a
    written opinion or passes it on to the next department; unlike property and government,
    hotels allow both.  Every department handling the slip signs it with name and time
    (item 7).  Every slip is copied to QI, which also sorts out wrong transfers.

Wording
    Banned (a reply containing one is refused): 不归我管, 不知道, 不清楚, 这不是我的事, 找别人去,
    下班了, 明天再来, 下回再来, 办不了, 没办法, 我这没有, ... (seeds 001, 002 and 000).  Suggested:
    您好, 请, 谢谢, 对不起, 请稍候, 再见, 请问有什么可以帮您, 谢谢您支持我们的工作.  Templates:
    reply, transfer notice, one-time notice, complaint/inquiry slip.

Penalties (QI applies its "考核处罚办法", item 10; the amounts are product defaults)
    Graded 1st / 2nd / 3rd time: late transfer or late handling -> verbal warning, written
    warning + 50 yuan, 100 yuan + hotel-wide notice; buck-passing (only when a tenant forbids
    passing slips on or returning them) -> written warning, 100 yuan, 200 yuan + notice; banned phrase -> verbal warning, written warning + 50 yuan, 100 yuan +
    repeat courtesy training; late callback -> reminder, verbal warning, written warning + 50.

Assessment
    QI weighs departments on conflict escalations (40 %), deadlines met (30 %) and callback
    satisfaction (30 %) (product default weights).

Not in the document
    "Solve it inside your own department first", signing the slip with name and time, and the
    night-shift handover log are practice the staff follow; the core records transfers and
    signatures but does not check them against this pack.
"""
from core.hookspecs import hookimpl
from core.rules import Pack, text

from .policy import POLICY


@hookimpl
def shouwen_pack():
    """The hotel pack: key ``hotel``, sector ``hotel``."""
    return Pack(
        key="hotel",
        sector="hotel",
        name=text("酒店", "Hotel"),
        summary=text(
            "酒店首问责任制:客人接触到的第一位员工负责到底;本部门解决不了的,1小时内填单转交"
            "责任部门并抄送质检部;接单部门立即指定处理人,1个工作日内答复客人并反馈;"
            "首问责任人回访客人。处理单报到质检部、分管副总、总经理即为“矛盾升级”,按部门统计。",
            "Hotel first-inquiry responsibility: the first employee a guest reaches stays "
            "responsible.  What their department cannot solve goes on a slip to the responsible "
            "department within 1 hour, copied to Quality Inspection; that department names a "
            "handler at once and answers the guest within 1 working day; the owner calls the "
            "guest back.  A slip reaching QI, the deputy GM or the GM is a conflict escalation, "
            "counted per department."),
        policy=POLICY,
        sources=(
            "seed 000 酒店首问责任制 (items 1-11)",
            "seed 001 什么是首问责任制 (hotel section)",
            "seed 002 首问责任制 training slides (hotel cases)",
        ),
    )


@hookimpl
def shouwen_complaint_route(policy, contact, person):
    """Complaints about staff go to Quality Inspection (质检部), which supervises, checks and
    assesses the handling of guests' complaints (seed 000 hotel items 3, 8, 10); one about a
    QI member goes to the general manager's office, the next level a slip reaches (item 6)."""
    return ["quality", "management"]
