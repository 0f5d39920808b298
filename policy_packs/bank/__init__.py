"""Bank branch pack (商业银行支行 / 分行 首问负责制).

Source: seed 003, which holds several bank texts (branch rules, X-bank branch rules, the short
branch rule with registers and union inspection, the xxx branch template, and the
provincial-bank variant). Facts below come from them; the numbers of hours and days do not
(the texts say "in time", "at once", "within the committed time" but give no figures), so every
deadline here is a product default a tenant can change.

Who owns a matter
    The first employee who receives a client, in person, by letter, phone, e-mail or WeChat, is
    the first-inquiry owner. Clients are external customers and colleagues alike (internal work
    requests: ``work_request``). When two are asked at once the higher rank owns it (core rule).
    Principles: must handle (首问必办), by the rules, tracked to the end, reply within the time
    limit. In scope: business, consultation, complaints and suggestions; the other public types
    are kept so that nothing is left untyped.

What the owner must do
    * Own duty: handle it now. If that is impossible, give a one-time notice of the procedure,
      all materials and requirements (template ``one_time_notice``); if it cannot be done at
      all, explain why.
    * Colleague absent: if nobody can stand in, receive it on their behalf, pass it on and
      follow it until the client has the result.
    * Another department: name it, its location and contact (template ``referral``), phone
      ahead or walk the client there (modes guide / accompany / handover).
    * Unclear rules or special cases: ask the department head at once and tell the client
      whether it can be accepted.
    * Phone calls: write the matter and the caller's number in the register; if passed on, give
      the client the handling department's contact person and phone.
    * Keep bank secrets: answer tactfully without revealing client data or business secrets.
      Do not give out a leader's phone number without the leader's consent (template
      ``reply_guidance``; the core does not enforce it).
    * Report any major public-opinion matter (重大社情民意) to the branch leadership at once:
      register it as a complaint or report of category ``public_opinion``; its registration,
      escalations, replies and closing are copied to the leadership (``leadership``).
    * Every contact goes in the department's first-inquiry register (首问登记簿, template
      ``register_entry``) and is archived.

Provincial-bank variant (head office answering member banks): each department names a contact
person (role ``liaison``) who follows every request; the department head answers first for what
the department receives, signs off how it is handled and coordinates with other departments;
every step is time-limited (限时办结).

Transfers
    The receiving department keeps what it receives: it may not pass it on to a third nor send
    it back (our reading of "must handle, tracked to the end"; the seeds do not say it in so
    many words). A wrong transfer goes to the office (办公室) for coordination.

Chain
    Department head -> deputy president in charge -> branch president. A breached deadline
    escalates automatically.

Supervision
    The branch trade union (工会, ``union``, role ``union_inspector``) inspects the registers,
    hears staff opinions and client complaints, reports to the office and rates each department
    at year end (``assessment``; the weights are a product default).

Wording
    Banned: 不知道, 不清楚, 不归我管 (from the seed), plus counter brush-offs 不是我们部门的,
    找别人去, 你自己看去, 急什么, 没空, 我正忙着 (product additions). Courtesy: the
    ten-character set 请 / 您好 / 对不起 / 谢谢 / 再见, plus 请稍候, 让您久等了 ...

Penalties (X-bank branch rules): criticism and education, no award at year end and a bonus
deduction of 500-2000 yuan. Graded here per person: 1 criticism and education, 2 no award this
year + 500 yuan, 3 no award + 1000 yuan, 4 and later no award + 2000 yuan (the steps are ours,
the range is the seed's).

Deadlines at a glance (product defaults; statutory calendar with make-up days; 09:00-12:00 and
13:30-17:00, closing 17:00)
    transfer 1 working hour · accept 1 working hour · reply 1 working day (complaints 3; from a
    handover 2; coordination 2; after agreement 1) · feedback 2 (complaints 3) · callback 1 ·
    final 10 working days (consultations 5). Callback is required for complaints and business.
"""
from core.hookspecs import hookimpl
from core.rules import Pack, text

from .policy import LEADERSHIP_CATEGORIES, LEADERSHIP_DEPARTMENT, POLICY

# Steps of a major public-opinion matter the leadership is copied on: when it is received,
# answered, moved up and closed.
_LEADERSHIP_EVENTS = ("registered", "escalated", "replied", "closed")


@hookimpl
def shouwen_pack():
    """The bank branch pack."""
    return Pack(
        key="bank",
        sector="bank",
        name=text("银行网点", "Bank branch"),
        summary=text(
            "首问必办、依规服务、全程跟踪、限时回复：首位接待的员工负责解答、办理、转交或引导，"
            "并督促结果反馈；各部门设首问登记簿，工会检查并年终评价；违规者批评教育、"
            "年终不得评优并扣发奖金500–2000元。",
            "Must handle, by the rules, tracked to the end, reply in time: the first employee a "
            "client reaches answers, handles, passes on or guides, and chases the result; every "
            "department keeps a first-inquiry register that the union inspects and rates yearly; "
            "breaches cost criticism, the year's award and 500-2000 yuan of bonus."),
        policy=POLICY,
        sources=(
            "seed 003: 商业银行日常服务首问负责制实施办法 and branch rules (scope, channels, "
            "principles, bank secrets, public-opinion reports, registers)",
            "seed 003: X-bank branch rules (courtesy set, one-time notice, sanctions 500-2000 yuan)",
            "seed 003: branch rule (register per section, union inspection and yearly rating)",
            "seed 003: provincial-bank variant (contact person per department, department head "
            "signs off, every step time-limited)",
        ),
    )


@hookimpl
def shouwen_contact_event(policy, contact, event):
    """Report a major public-opinion matter to the branch leadership at once (branch rules
    art. 5): its registration, escalations, replies and closing are copied to ``leadership``,
    when the tenant still has that department."""
    if (contact.category in LEADERSHIP_CATEGORIES and event.kind in _LEADERSHIP_EVENTS
            and any(d["code"] == LEADERSHIP_DEPARTMENT for d in policy.get("departments", []))):
        return [LEADERSHIP_DEPARTMENT]
    return None


@hookimpl
def shouwen_complaint_route(policy, contact, person):
    """Complaints about staff go to the branch union (工会), which inspects the departments and
    hears clients' complaints (seed 003, (3)); one about a union member goes to the office,
    which receives the union's reports (same item), then the leadership (product default)."""
    return ["union", "office", "leadership"]
