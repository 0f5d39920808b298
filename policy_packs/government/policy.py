"""Default policy document of the government service hall pack.

Seeds (``/work/shared/seeds``): 000 = municipal tax bureau first-inquiry rules (记录单, arts. 8-13),
001 = administrative service centre, food & drug bureau, convenience centre and the 双卡/三联单
instructions, 003 = social-security bureau time limits.  Anything marked "product default" is our
choice where the seeds give no number.

Assessment: the supervision office, quarterly (seed 001 art. 9); on time and satisfaction
come from the figures; wording, the register and correct transfers are entered by the office,
because the pack's single penalty rule does not tell those breaches apart in the figures.
"""
from core.rules import COMMON_ALLOWED_PHRASES, rule, text

WD = "working_days"

MATTER_TYPES = {
    "consultation": {"name": text("咨询", "Consultation")},
    "inquiry": {"name": text("查询", "Inquiry")},
    "complaint": {"name": text("投诉", "Complaint")},
    "help": {"name": text("求助", "Request for help")},
    # Seed 003 (social-security bureau, 限时办结制): services with their own completion limit
    # (``final`` below); any other application is the uncategorised ordinary case.
    "business": {"name": text("业务办理 / 申办", "Application / service request"),
                 "categories": {
                     "retirement_approval": {"name": text("退休审批", "Retirement approval")},
                     "unemployment_benefit": {"name": text("领取失业保险金",
                                                           "Unemployment benefit claim")},
                     "insurance_registration": {"name": text("社会保险参保登记",
                                                             "Social-insurance registration")},
                     "contribution_base": {"name": text("缴费基数核定",
                                                        "Contribution base assessment")},
                     "medical_settlement": {"name": text("转院及异地医疗费结算",
                                                         "Referral / out-of-area medical settlement")},
                     "injury_assessment": {"name": text("工伤认定 / 伤残鉴定申请审核",
                                                        "Work-injury / disability application check")},
                     "designated_provider": {"name": text("定点医疗机构、药店资格认定",
                                                          "Designated clinic / pharmacy approval")},
                 }},
    "report": {"name": text("举报", "Report (tip-off)")},
    "repair": {"name": text("大厅设施报修", "Hall facility repair")},
    "suggestion": {"name": text("意见建议", "Suggestion")},
}

# Window lines most halls run; a tenant renames, removes or adds windows after sign-up.
_WINDOW_TYPES = ["consultation", "inquiry", "business"]

DEPARTMENTS = [
    {"code": "reception", "name": text("综合窗口（咨询导办台）", "General window / reception"),
     "duties": text("接待来访来电，解答一般咨询，登记首问事项，引导或陪同办事人到承办窗口，"
                    "发放和回收三联单。",
                    "Receives visitors and callers, answers general questions, registers "
                    "first-inquiry matters, guides or accompanies applicants to the right window, "
                    "hands out and collects the three-part form."),
     "matter_types": ["consultation", "inquiry", "help"]},
    {"code": "market", "name": text("市场监管窗口", "Market regulation window"),
     "duties": text("企业登记、食品经营许可等市场监管事项的受理和咨询。",
                    "Business registration, food-trade licences and other market-regulation "
                    "applications and questions."),
     "matter_types": list(_WINDOW_TYPES)},
    {"code": "social_security", "name": text("人社 / 社保窗口", "Social security window"),
     "duties": text("社会保险参保登记、缴费基数核定、待遇申领、关系转移和查询。",
                    "Social-insurance registration, contribution base, benefit claims, "
                    "transfers of insurance records and queries."),
     "matter_types": list(_WINDOW_TYPES)},
    {"code": "tax", "name": text("税务窗口", "Tax window"),
     "duties": text("办税业务和涉税咨询。", "Tax filing and tax questions."),
     "matter_types": list(_WINDOW_TYPES)},
    {"code": "housing", "name": text("不动产登记 / 住建窗口", "Real estate registration / housing window"),
     "duties": text("不动产登记、房产交易备案及相关咨询。",
                    "Real-estate registration, property transaction filings and related questions."),
     "matter_types": list(_WINDOW_TYPES)},
    {"code": "public_security", "name": text("公安（户政）窗口", "Public security (household registration) window"),
     "duties": text("户籍、居住证、身份证等户政业务。",
                    "Household registration, residence permits, identity cards."),
     "matter_types": list(_WINDOW_TYPES)},
    {"code": "office", "name": text("中心办公室", "Hall office"),
     "duties": text("多部门联办事项的受理、初审和材料转送，主持会商；接收转办错误的协调请求；"
                    "汇总否定报备；大厅设施和意见建议。",
                    "Receives, pre-checks and forwards multi-department applications and chairs "
                    "the consultation between departments; takes coordination requests after a "
                    "wrong transfer; collects refusal records; hall facilities and suggestions."),
     "matter_types": ["help", "repair", "suggestion"]},
    {"code": "supervision", "name": text("督查股（作风办）", "Supervision office"),
     "duties": text("受理对工作人员的投诉和举报，检查首问登记，回访办事人，统计满意度，提出责任追究意见。",
                    "Takes complaints and reports about staff, checks the first-inquiry register, "
                    "calls applicants back, counts satisfaction and proposes sanctions."),
     "matter_types": ["complaint", "report"]},
    {"code": "leadership", "name": text("中心领导", "Leadership"),
     "duties": text("重大、疑难事项的决定；批准首问责任人中途转交；处理升级事项。",
                    "Decides major or difficult matters, approves a mid-way handover by the "
                    "first handler, handles escalated matters."),
     "matter_types": []},
]

# Seed 001 (food & drug bureau): when two staff are asked at once, the higher post owns the matter.
ROLES = [
    {"key": "clerk", "name": text("窗口工作人员", "Window clerk"), "rank": 10, "permission": "staff"},
    {"key": "section_chief", "name": text("股（科）长", "Section chief"), "rank": 30,
     "permission": "dept_supervisor"},
    {"key": "supervision_officer", "name": text("督查员", "Supervision officer"), "rank": 35,
     "permission": "inspector"},
    # Routes unclear and multi-department matters, like the customer-relations supervisor elsewhere.
    {"key": "office_director", "name": text("中心办公室主任", "Office director"), "rank": 50,
     "permission": "cr_supervisor"},
    {"key": "deputy_director", "name": text("分管副主任", "Deputy director"), "rank": 70,
     "permission": "leader"},
    {"key": "director", "name": text("中心主任", "Director"), "rank": 90, "permission": "leader"},
    {"key": "admin", "name": text("系统管理员", "Administrator"), "rank": 1, "permission": "admin"},
]

DEADLINES = {
    # Seed 000 art. 9: outside the owner's post -> to the responsible department within
    # 1 working day, written handover, each side keeps a copy.
    "transfer": {"default": rule(1, WD)},
    # Product default: the receiving clerk signs the written handover the same half-day.
    "accept": {"default": rule(4, "working_hours")},
    "reply": {
        "default": rule(3, WD),      # seed 000 art. 8: own duty, cannot answer at once
        "@handover": rule(3, WD),    # seed 000 art. 9: receiving department, from receipt
        "@agreement": rule(2, WD),   # seed 000 art. 10: after the departments agree
        "@decision": rule(2, WD),    # seed 000 art. 11: after the superior's decision
    },
    # Seed 000 art. 10: several departments -> consultation within 2 working days.
    "consult": {"@coordination": rule(2, WD)},
    # Product default: the result is written on the shared record sheet, so feedback to the owner
    # is due with the reply (3), or after consultation + reply (2 + 2) for coordinated matters.
    "feedback": {"default": rule(3, WD), "@coordination": rule(4, WD)},
    # Product default: the owner calls back within 2 working days of the result.
    "callback": {"default": rule(2, WD)},
    "on_site": {"default": None},    # no on-site visits in a service hall
    # Seed 000 art. 11: major or difficult matters, 15 working days in total at most;
    # used as the ceiling for every matter.  Seed 003 (social security): per-service
    # completion limits, from the day the complete application is received.
    "final": {
        "default": rule(15, WD),
        "business.retirement_approval": rule(10, WD),
        "business.unemployment_benefit": rule(7, WD),
        "business.insurance_registration": rule(10, WD),
        "business.contribution_base": rule(5, WD),      # special cases 7: a tenant override
        "business.medical_settlement": rule(5, WD),
        "business.injury_assessment": rule(2, WD),
        "business.designated_provider": rule(60, WD),
    },
    # Seed 000 art. 11 escalates level by level (an escalation asking for a decision stops
    # the reply clock) and times the reply after the decision (the @decision reply clock);
    # no clock for the escalated level itself; the 15-day final clock is the ceiling.
    "escalation": {"default": None},
    # Product default: the seeds (001-003) are silent on bad reviews; 15 working days follows
    # the national 好差评 practice (差评整改 within 15 working days, 国办发〔2019〕51号), which is
    # not among our seeds, so a tenant should confirm it.
    "rectification": {"default": rule(15, WD)},
}

ESCALATION = {
    # Seed 000 art. 11: up level by level; seed 001: 分管领导, then 主要领导.
    "chain": [
        {"key": "section_chief", "name": text("股（科）长", "Section chief"),
         "department": None, "role": "section_chief", "conflict": False},
        {"key": "deputy_director", "name": text("分管领导", "Deputy director in charge"),
         "department": "leadership", "role": "deputy_director", "conflict": False},
        {"key": "director", "name": text("主要领导", "Director"),
         "department": "leadership", "role": "director", "conflict": False},
    ],
    "on_breach": True,
}

TRANSFER = {
    # Seed 000 art. 12: accompany to a department in the same building; seed 001: guide / tell.
    "modes": ["handover", "accompany", "guide"],
    # Seed 001, 三联单 part 2: the handling unit may not pass it to a third; it contacts the
    # coordinating office instead, which holds the first unit to account.
    "receiver_may_pass_on": False,
    "receiver_may_return": False,
    "return_requires_opinion": True,
    "copy_to": [],
    "wrong_transfer_coordinator": "office",
    # Seed 001 (service centre art. 5): no mid-way handover without the consent of the
    # centre's principal leader (中心主要领导), i.e. the director, not a deputy or a chief.
    "handover_requires_approval": True,
    "handover_approvers": ["director"],
}

WORDING = {
    # Seeds 000/001/003: brush-offs named in the rules; the last three are product additions.
    "banned_phrases": ["不知道", "不清楚", "人不在", "不归我管", "不归我们管", "下回再来",
                       "办不了", "不是我们管的", "找领导去", "没空"],
    # Seed 001: a smile, a chair, a cup of tea; greet, answer, thank, see off.
    # Seeds 001/003 want the clerk to explain that the handler is away and take the matter
    # on their behalf (经办人不在岗时代为接收): that explanation is not the brush-off 人不在.
    "allowed_phrases": list(COMMON_ALLOWED_PHRASES) + ["人不在岗", "人不在时"],
    "courtesy_phrases": ["您好", "请坐", "请喝茶", "请稍等", "请问您办理什么事项", "谢谢",
                         "对不起", "让您久等了", "请慢走", "再见"],
    "templates": {
        "reply": text(
            "{customer}您好！您于{registered_at}提出的“{subject}”（编号 {ref}）已由{department}"
            "办理，结果如下：{answer}\n如有疑问，请联系{handler}，电话 {phone}。谢谢您的理解与支持。",
            "Dear {customer}, your request \"{subject}\" (ref. {ref}) of {registered_at} has been "
            "handled by {department}. Result: {answer}\nFor questions please contact {handler}, "
            "phone {phone}. Thank you for your patience."),
        "one_time_notice": text(
            "一次性告知书（编号 {ref}）\n申请人：{customer}    事项：{matter}\n"
            "一、办理条件：{conditions}\n二、办理时限：{time_limit}\n三、办理程序：{procedure}\n"
            "四、收费标准及依据：{fees}\n五、需提交的全部材料：{materials}\n"
            "六、不予办理的理由及依据（如有）：{refusal_reasons}\n"
            "承办窗口：{window}    电话：{phone}\n告知人：{staff}    日期：{date}    申请人签收：____",
            "One-time notice (ref. {ref})\nApplicant: {customer}    Matter: {matter}\n"
            "1. Conditions: {conditions}\n2. Time limit: {time_limit}\n3. Procedure: {procedure}\n"
            "4. Fees and their basis: {fees}\n5. All materials required: {materials}\n"
            "6. Reasons and basis for refusal (if any): {refusal_reasons}\n"
            "Window: {window}    Phone: {phone}\nGiven by: {staff}    Date: {date}    "
            "Received by applicant: ____"),
        "refusal_record": text(
            "否定报备单（编号 {ref}）\n申请人：{customer}    申请事项：{matter}\n受理窗口：{window}\n"
            "不予办理的理由：{reasons}\n依据（法律法规、政策）：{basis}\n"
            "已当场向申请人说明：是 / 否    经办人：{staff}\n股（科）长意见：____\n"
            "报送中心办公室日期：{date}",
            "Refusal record (ref. {ref})\nApplicant: {customer}    Matter: {matter}\n"
            "Window: {window}\nReasons for refusal: {reasons}\nLegal or policy basis: {basis}\n"
            "Explained to the applicant on the spot: yes / no    Clerk: {staff}\n"
            "Section chief's opinion: ____\nReported to the hall office on: {date}"),
        "record_sheet": text(
            "首问责任登记表\n编号 | 日期时间 | 受理方式 | 来访人（单位） | 联系电话 | 事项内容 | "
            "首问责任人 | 处理方式（当场办结 / 转办 / 会商 / 告知） | 承办部门 | 交接签字（双方） | "
            "答复时间及结果 | 回访情况",
            "First-inquiry record sheet\nRef. | Date and time | Channel | Visitor (organisation) | "
            "Phone | Matter | First-inquiry owner | Handling (settled / transferred / consulted / "
            "referred) | Handling department | Handover signatures (both sides) | Reply date and "
            "result | Callback"),
        "three_part_form": text(
            "首问（首办）三联单　编号 {ref}\n"
            "【第一联·首问单位填写】来访人 / 办事人：{customer}  事项：{subject}\n"
            "建议转办单位：{proposed_unit}  转办理由：{reason}  首问人：{owner}  日期：{date}\n"
            "【第二联·承办单位填写】承办单位：{handling_unit}  承办人：{handler}  签收时间：____\n"
            "办理结果：____  办结时间：____\n（本联事项不得再转第三家；确不属本单位职责的，"
            "请联系中心办公室协调。）\n"
            "【第三联·来访人 / 办事人填写】对首问单位和承办单位的作风、态度、效率是否满意："
            "满意 / 基本满意 / 不满意  意见：____（可电话或信件反馈至督查股）",
            "First-inquiry three-part form    ref. {ref}\n"
            "[Part 1, first unit] Visitor / applicant: {customer}  Matter: {subject}\n"
            "Proposed handling unit: {proposed_unit}  Reason for transfer: {reason}  "
            "First handler: {owner}  Date: {date}\n"
            "[Part 2, handling unit] Unit: {handling_unit}  Handler: {handler}  Signed for at: ____\n"
            "Result: ____  Completed on: ____\n(This matter may not be passed to a third unit; if it "
            "is truly not yours, ask the hall office to coordinate.)\n"
            "[Part 3, visitor / applicant] Were you satisfied with the conduct, attitude and speed "
            "of the first unit and the handling unit? satisfied / fairly satisfied / dissatisfied  "
            "Comments: ____ (by phone or letter to the supervision office)"),
        "handover_request": text(
            "中途转交审批单（编号 {ref}）\n原受理人：{owner}    拟接手人：{new_handler}\n"
            "转交理由：{reason}\n中心主要领导意见：____\n已将新受理人告知申办人：是 / 否    日期：{date}",
            "Mid-way handover approval (ref. {ref})\nFirst handler: {owner}    "
            "New handler: {new_handler}\nReason: {reason}\nDirector's decision: ____\n"
            "Applicant told who the new handler is: yes / no    Date: {date}"),
    },
}

PENALTIES = {
    # Seed 001 (service centre art. 7, food & drug bureau art. 4) and seed 000: one ladder,
    # climbing with each confirmed violation by the same person.  Seed 001 (三联单 part 2):
    # a unit that receives a matter not its own asks the office to coordinate, and the office
    # holds the first unit (首问单位 / 首问人) to account: ``wrong_transfer`` is charged to
    # whoever made the transfer.
    "first_inquiry_duty": {
        "name": text("违反首问责任制（推诿、忌语、超时、违规转办、错误转办）",
                     "Breach of first-inquiry duty (shirking, banned wording, late, forbidden "
                     "or wrong transfer)"),
        "triggers": ["deadline.*", "banned_phrase", "forbidden_transfer", "wrong_transfer",
                     # refusal, buck-passing or rudeness complained about and verified (seed 000
                     # social-security rules, 三、责任追究: 一经查实 ... 教育 ... 批评)
                     "complaint_substantiated"],
        "sanctions": [
            {"name": text("谈话告诫", "Talk warning"), "amount": None},
            {"name": text("批评教育", "Criticism and education"), "amount": None},
            {"name": text("通报批评", "Notice of criticism"), "amount": None},
            {"name": text("当年不能评优", "No award this year"), "amount": None},
            {"name": text("年度考核不称职", "'Incompetent' in the annual assessment"), "amount": None},
            {"name": text("纪律处分", "Disciplinary sanction"), "amount": None},
        ],
    },
}

ASSESSMENT = {
    # Who scores and how often: the supervision office; quarterly (seed 001, 首问负责制 art. 9).
    # Product default weights (the seeds name the criteria, not the weights): deadlines kept,
    # applicants' satisfaction (三联单 part 3 and callbacks), clean wording, complete register,
    # transfers that needed no coordination.  The pack has one penalty rule for every breach,
    # so wording and wrong transfers cannot be told apart in the figures: the office enters
    # them, with the register check, from its inspection.
    "supervisor": "supervision",
    "period": "quarter",
    "components": [
        {"key": "on_time", "weight": 35, "source": "figure", "figure": "on_time",
         "name": text("按时办结率", "Handled on time")},
        {"key": "satisfaction", "weight": 30, "source": "figure", "figure": "satisfaction",
         "name": text("群众满意度", "Applicants' satisfaction")},
        {"key": "wording", "weight": 15, "source": "entered",
         "name": text("文明用语", "Courteous wording")},
        {"key": "register_complete", "weight": 10, "source": "entered",
         "name": text("登记完整", "Register complete")},
        {"key": "correct_transfer", "weight": 10, "source": "entered",
         "name": text("转办正确", "Correct transfers")},
    ],
}

POLICY = {
    "matter_types": MATTER_TYPES,
    # Seed 000 art. 6: letters, visits, phone, online, e-mail; plus the 12345-style hotline.
    "channels": ["visit", "phone", "letter", "email", "online", "hotline"],
    "departments": DEPARTMENTS,
    "roles": ROLES,
    "deadlines": DEADLINES,
    "escalation": ESCALATION,
    "transfer": TRANSFER,
    # Product choice: matters where the applicant must confirm the result before closing.
    "callback": {"required_for": ["complaint", "report", "help", "business"]},
    # The citizen's own rating (the third part of the 双卡, seed 001, filled by the citizen;
    # core.voice) may be changed for 15 days after closure.  Product default: the seed sets no
    # period.
    "customer_rating": {"change_days": 15},
    "wording": WORDING,
    # Seed 001 (双卡 / 三联单, part three): the visitor or applicant fills the third part, their
    # satisfaction, and may send it "by phone or letter, voluntarily"; so on paper, on the
    # desk tablet, or later from the progress page (the online form standing in for the letter).
    "confirmation": {"forms": ["three_part_form"], "ways": ["paper", "tablet", "online"]},
    "penalties": PENALTIES,
    "assessment": ASSESSMENT,
    # Product default: the seeds give this sector no questionnaire grouping, so every
    # respondent (residents and staff alike) is one group, 100 % (core.voice.questionnaires).
    "questionnaire": {
        "groups": [{"key": "respondents", "name": text("全部答卷人", "All respondents"),
                    "weight": 100, "roles": []}],
        "citation": "Product default: the seeds give no grouping; one group, 100 %."},
    "reminders": {"fractions": [0.5, 0.8], "morning_of_due_day": True},
    # Product default hours (the seeds give none); statutory calendar with make-up working days.
    "calendar": {"kind": "statutory",
                 "working_periods": [["09:00", "12:00"], ["13:30", "17:30"]],
                 "closing_time": "17:30"},
}
