"""Government service hall pack (政务服务大厅 / 行政服务中心 / 税务、社保等机关).

Who owns a matter
    The first staff member a citizen or company asks, at a window, on the phone, by letter,
    e-mail or online, is the first-inquiry owner (首问责任人). When two staff are asked at once,
    the one in the higher post owns it (seed 001, food & drug bureau art. 2; ranks in ``roles``).
    The owner may not brush the applicant off and stays accountable until the matter is closed.

What the owner must do (seed 000 tax rules arts. 8-13, seed 001)
    * Own duty: settle it on the spot. If that is impossible, write it on the record sheet
      (记录单) and reply within 3 working days.
    * Another department's duty: write it down and pass it to that department within 1 working
      day with a written handover; both sides keep a copy. The receiving department replies
      within 3 working days counted from the handover, not from its signature.
      In the same building the owner may walk the visitor there (accompany), or tell them
      exactly where to go (guide).
    * Several departments: the owner's department (or the first one to receive it) opens a
      consultation within 2 working days (deadline kind ``consult``, a pack addition); once they
      agree, the reply is due within 2 working days.
    * Major or difficult matters: ask up the chain level by level; 15 working days in total at
      most. (The seeds' "reply within 2 working days after the leader decides" has no stage of
      its own in the core; the 15-day ceiling still applies.)
    * Outside the hall's remit: explain, name the competent body and how to reach it.
    * One-time notice (一次性告知): conditions, time limit, procedure, fees, every material
      needed, or the reasons for refusal, in writing and once (template ``one_time_notice``).
    * Refusals are reported to the hall with reasons (否定报备, template ``refusal_record``).
    * The first handler may not hand a matter to a colleague mid-way without the director's
      consent, and must tell the applicant who the new handler is (seed 001, service centre
      art. 5: 中心主要领导, so only the director approves: ``transfer.handover_approvers``;
      template ``handover_request``).

Transfers
    Modes: handover, accompany, guide. The handling unit may not pass a matter on to a third
    unit and may not send it back (seed 001, three-part form part 2). If it really is not theirs,
    they take it on and ask the hall office (``office``) to coordinate; the office holds the
    first unit to account (signing for a handover as a wrong transfer proposes a violation
    against whoever made it, trigger ``wrong_transfer``). The three-part form (双卡 / 三联单, template ``three_part_form``):
    part 1 by the first unit (proposed unit, reason), part 2 by the handling unit, part 3 by the
    citizen (satisfaction, sent to the supervision office).

Chain
    Section chief (股/科长) -> deputy director in charge (分管领导) -> director (主要领导).
    A breached deadline escalates automatically. The hall office director routes unclear or
    multi-department matters (``cr_supervisor``); the supervision office (督查股 / 作风办)
    is the inspector: it takes complaints about staff, checks the register, calls applicants
    back and scores departments every quarter.

Wording
    Banned brush-offs from the seeds: 不知道, 不清楚, 人不在, 不归我管, 不归我们管, 下回再来,
    办不了; product additions 不是我们管的, 找领导去, 没空. Courtesy: 您好, 请坐, 请喝茶,
    请稍等, 谢谢, 对不起, 再见 ... ("a smile, a chair, a cup of tea", seed 001).

Penalties (seeds 000, 001), one ladder per person, rising with each confirmed violation
(late on any deadline, banned wording, forbidden transfer, wrong transfer): 1 talk warning (谈话告诫, no
further consequence), 2 criticism and education (批评教育), 3 notice of criticism (通报批评),
4 no award this year (当年不能评优), 5 "incompetent" in the annual assessment (考核不称职),
6 disciplinary sanction (纪律处分).

Deadlines at a glance (working days on the statutory calendar with make-up days; hall hours
09:00-12:00 and 13:30-17:30, closing 17:30, a product default as the seeds give no hours)
    transfer 1 · reply 3 (own duty, and from a handover) · consult 2 · reply after agreement 2 ·
    final 15 · accept 4 working hours, feedback 3 (4 after a consultation), callback 2 (product
    defaults). Callback is required before closing complaints, reports, requests for help and
    applications.

Per-matter limits (seed 003, social-security bureau) are categories of ``business`` with a
``final`` limit, counted from registration: retirement approval 10, unemployment benefit 7,
insurance registration 10, contribution base 5 (special cases 7: a tenant override),
referral / out-of-area medical settlement 5, work-injury application check 2, designated
clinic or pharmacy approval 60 working days. An application without a category is the
ordinary case (15). Seed 003 also lists limits that do not map onto one clock: some services
on the spot (随到随办: card loss, record transfers, contribution queries); reports and
complaints opened within 5 working days and closed within 60; petitions (信访) accepted or
declined within 7 working days, closed within 30 (60 at most). A social-security bureau
enters those as tenant overrides.

Major or difficult matters (seed 000 art. 11): the clerk escalates asking for a decision
(请示); the reply clock waits, the level asked (section chief, then deputy director, then
director) records its decision, and the reply is due within 2 working days of it (the
``@decision`` reply rule); the 15-working-day final clock keeps running from the first contact.
"""
from core.hookspecs import hookimpl
from core.rules import Pack, text

from .policy import POLICY


@hookimpl
def shouwen_pack():
    """The government service hall pack."""
    return Pack(
        key="government",
        sector="government",
        name=text("政务服务", "Government service hall"),
        summary=text(
            "首问负责、限时办结：本职事项当场办或3个工作日内答复；非本职1个工作日内书面转交，"
            "承办部门3个工作日内答复；多部门2个工作日内会商、达成意见后2个工作日内答复；"
            "重大疑难事项最长15个工作日。承办单位不得再转第三家，中途转交须经主要领导同意。",
            "First asked, first responsible, with time limits: settle own-duty matters at once or "
            "reply within 3 working days; pass others on within 1 working day with a written "
            "handover, the receiving department replies within 3; several departments consult "
            "within 2 and reply within 2 after agreeing; major matters 15 working days at most. "
            "The handling unit may not pass a matter to a third, and a mid-way handover needs the "
            "director's consent."),
        policy=POLICY,
        sources=(
            "seed 000: municipal tax bureau first-inquiry rules (record sheet, 3/1/3/2+2/15 "
            "working days, accompany in the same building)",
            "seed 000/001: sanctions ladder (talk warning ... disciplinary sanction)",
            "seed 001: administrative service centre (no mid-way handover without the director, "
            "one-time notice, refusal record), food & drug bureau (rank rule, banned phrases), "
            "双卡/三联单 instructions",
            "seed 003: social-security bureau time limits (10, 7, 5, 2, 60 working days)",
        ),
    )


@hookimpl
def shouwen_complaint_route(policy, contact, person):
    """Complaints about staff go to the supervision office (督查股 / 作风办): a complaint by
    phone is recorded and passed to 督查股 (seed 001, service-centre rules), the 作风办 follows
    up violations of first-inquiry responsibility (seed 000 tax rules art. 14).  One about a
    member of that office goes to the leadership (product default: the next body)."""
    return ["supervision", "leadership"]
