"""Default policy document of the bank branch pack.

Seed 003 (``/work/shared/seeds``) holds several bank texts: the branch rules (**银行**支行首问负责
制度), the X-bank branch rules (sanctions), the short branch rule (registers per section, union
inspection), the xxx branch template (scope, channels, "must handle, by the rules, tracked to the
end, reply within the time limit") and the provincial-bank variant (contact person per
department, department head signs off, every step time-limited).  None of them gives a number of
hours or days, so every deadline below is a product default, marked as such.

Assessment: the union, yearly, reporting to the office (seed 003); only the deadlines kept
come from the figures, the rest is what the union inspects and hears, entered during review.
"""
from core.rules import COMMON_ALLOWED_PHRASES, rule, text

WD = "working_days"
WH = "working_hours"

MATTER_TYPES = {
    # The four in scope of the xxx branch template: business, consultation, complaint, suggestion.
    "business": {"name": text("业务办理", "Banking business")},
    "consultation": {"name": text("业务咨询", "Consultation")},
    # Branch rules art. 5: a major public-opinion matter (重大社情民意 / 舆情苗头) is reported to
    # the branch leadership at once; the pack copies such a contact's steps to ``leadership``
    # (``LEADERSHIP_CATEGORIES``, hook in ``__init__``).
    "complaint": {"name": text("投诉", "Complaint"),
                  "categories": {"public_opinion": {"name": text(
                      "重大社情民意 / 舆情", "Major public-opinion matter")}}},
    "suggestion": {"name": text("意见建议", "Suggestion")},
    # The other public types, kept so that nothing a client brings in is left without a type.
    "inquiry": {"name": text("查询", "Inquiry")},
    "help": {"name": text("求助", "Request for help")},
    "report": {"name": text("举报", "Report (tip-off)"),
               "categories": {"public_opinion": {"name": text(
                   "重大社情民意 / 舆情", "Major public-opinion matter")}}},
    "repair": {"name": text("机具故障报修", "Equipment fault (ATM, self-service)")},
    # Branch rules: clients include colleagues; requests to report, inform or pass on major
    # business information (请示、告知工作事宜、通报重大经营信息).
    "work_request": {"name": text("行内工作需求", "Internal work request")},
}

DEPARTMENTS = [
    {"code": "counter", "name": text("营业部（柜面）", "Counter / retail banking"),
     "duties": text("柜面业务办理、开户销户、存取汇兑、一般咨询和查询；大堂引导。",
                    "Counter transactions, opening and closing accounts, deposits, withdrawals "
                    "and remittances, general questions and inquiries; lobby guidance."),
     "matter_types": ["business", "consultation", "inquiry", "help"]},
    {"code": "personal_finance", "name": text("个人金融部", "Personal finance"),
     "duties": text("理财、储蓄产品、银行卡和个人客户服务。",
                    "Wealth-management and savings products, cards, personal clients."),
     "matter_types": ["business", "consultation", "inquiry"]},
    {"code": "corporate", "name": text("公司业务部", "Corporate banking"),
     "duties": text("对公开户、结算和企业客户服务。",
                    "Corporate accounts, settlement and business clients."),
     "matter_types": ["business", "consultation"]},
    {"code": "credit", "name": text("信贷管理部", "Credit"),
     "duties": text("个人和企业贷款的受理、审查和贷后管理。",
                    "Personal and business loans: applications, review and after-loan care."),
     "matter_types": ["business", "consultation"]},
    {"code": "operations", "name": text("运营管理部", "Operations"),
     "duties": text("账务核对、差错处理、自助机具和系统运维。",
                    "Reconciliation, error correction, self-service machines and systems."),
     "matter_types": ["inquiry", "repair"]},
    {"code": "risk_compliance", "name": text("风险合规部", "Risk and compliance"),
     "duties": text("合规审查、反洗钱、举报线索核查。",
                    "Compliance review, anti-money-laundering, checking reports."),
     "matter_types": ["report"]},
    {"code": "office", "name": text("办公室", "Office"),
     "duties": text("综合协调；接收转办错误的协调请求；收集工会检查情况；意见建议和行内工作需求的归口。",
                    "General coordination; takes coordination requests after a wrong transfer; "
                    "receives the union's inspection reports; suggestions and internal work requests."),
     "matter_types": ["complaint", "suggestion", "work_request"]},
    {"code": "union", "name": text("工会", "Trade union"),
     "duties": text("检查各部门首问登记簿，听取基层意见和客户投诉，定期报送办公室，年终评价各部门执行情况。",
                    "Inspects every department's first-inquiry register, hears staff opinions and "
                    "client complaints, reports to the office regularly and rates each department "
                    "at year end."),
     "matter_types": []},
    {"code": "leadership", "name": text("行领导", "Branch leadership"),
     "duties": text("处理升级事项和重大社情民意、舆情事项。",
                    "Escalated matters and major public-opinion matters."),
     "matter_types": []},
]

ROLES = [
    {"key": "teller", "name": text("柜员", "Teller"), "rank": 10, "permission": "staff"},
    {"key": "account_manager", "name": text("客户经理", "Account manager"), "rank": 20,
     "permission": "staff"},
    {"key": "lobby_manager", "name": text("大堂经理", "Lobby manager"), "rank": 25,
     "permission": "staff"},
    # Provincial-bank variant: each department names a contact person who follows every request.
    {"key": "liaison", "name": text("部门联络人", "Department contact person"), "rank": 30,
     "permission": "staff"},
    {"key": "union_inspector", "name": text("工会检查员", "Union inspector"), "rank": 35,
     "permission": "inspector"},
    {"key": "dept_head", "name": text("部门负责人", "Department head"), "rank": 40,
     "permission": "dept_supervisor"},
    {"key": "deputy_president", "name": text("副行长", "Branch deputy president"), "rank": 70,
     "permission": "leader"},
    {"key": "president", "name": text("行长", "Branch president"), "rank": 90, "permission": "leader"},
    {"key": "admin", "name": text("系统管理员", "Administrator"), "rank": 1, "permission": "admin"},
]

DEADLINES = {
    # Product default. Seed: put the client through to the right department at once (立即转接),
    # or take the message and pass it on.
    "transfer": {"default": rule(1, WH)},
    # Product default: the responsible department contacts the client at once (seed 003, first
    # text: 责任单位应立即与用户联系); signing for it within 1 working hour.
    "accept": {"default": rule(1, WH)},
    "reply": {
        "default": rule(1, WD),        # product default: own duty, not answered on the spot
        "complaint": rule(3, WD),      # product default
        "@handover": rule(2, WD),      # product default, counted from the handover
        "@coordination": rule(2, WD),  # product default, head of the lead department signs off
        "@agreement": rule(1, WD),     # product default
    },
    "feedback": {"default": rule(2, WD), "complaint": rule(3, WD)},  # product defaults
    # Product default. Seed: after passing it on, ask afterwards how it was handled.
    "callback": {"default": rule(1, WD)},
    "on_site": {"default": None},
    "final": {"default": rule(10, WD), "consultation": rule(5, WD)},  # product defaults
    # No time for an escalated level in the seed: it escalates only on the next breach.
    "escalation": {"default": None},
    # Product default: seed 003 asks for 追溯整改 (trace and rectify) without a time; the
    # department has 3 working days to record what it did after a bad rating (core.voice).
    "rectification": {"default": rule(3, WD)},
}

ESCALATION = {
    # Seed: unclear or special cases go to the department head first; complex ones to the next
    # level of leadership.
    "chain": [
        {"key": "dept_head", "name": text("部门负责人", "Department head"),
         "department": None, "role": "dept_head", "conflict": False},
        {"key": "deputy_president", "name": text("分管副行长", "Deputy president in charge"),
         "department": "leadership", "role": "deputy_president", "conflict": False},
        {"key": "president", "name": text("行长", "Branch president"),
         "department": "leadership", "role": "president", "conflict": False},
    ],
    "on_breach": True,
}

TRANSFER = {
    # Seed: lead the client there (带路), point the way (指人), or receive on the colleague's
    # behalf and hand it over (代为接收).
    "modes": ["handover", "accompany", "guide"],
    # Our reading of "must handle, tracked to the end": the receiving department keeps it.
    "receiver_may_pass_on": False,
    "receiver_may_return": False,
    "return_requires_opinion": True,
    "copy_to": [],
    "wrong_transfer_coordinator": "office",
    "handover_requires_approval": False,
}

WORDING = {
    # Seed 003 names 不知道, 不清楚, 不归我管 and "ignoring or putting off on a pretext";
    # the rest are common counter brush-offs (product additions).
    "banned_phrases": ["不知道", "不清楚", "不归我管", "不是我们部门的", "找别人去",
                       "你自己看去", "急什么", "没空", "我正忙着"],
    # Seed 003: the ten-character courtesy set 请、您好、对不起、谢谢、再见, plus common ones.
    "allowed_phrases": list(COMMON_ALLOWED_PHRASES),
    "courtesy_phrases": ["您好", "请", "请稍候", "对不起", "让您久等了", "谢谢", "再见",
                         "请问还有什么可以帮您"],
    "templates": {
        "reply": text(
            "{customer}您好！您于{registered_at}提出的“{subject}”（编号 {ref}）已由{department}办理，"
            "结果如下：{answer}\n如需进一步了解，请联系{handler}，电话 {phone}。感谢您对我行的信任。",
            "Dear {customer}, your request \"{subject}\" (ref. {ref}) of {registered_at} has been "
            "handled by {department}. Result: {answer}\nFor more information please contact "
            "{handler}, phone {phone}. Thank you for banking with us."),
        "reply_guidance": text(
            "答复前请核对：不泄露客户信息和我行商业秘密，涉密问题巧妙说明、不引起客户不满；"
            "未经本人同意不提供行领导电话，改为留下客户联系方式并代为转达；"
            "发现重大社情民意或舆情苗头，立即报告行领导；答复内容记入首问登记簿存档。",
            "Before replying: disclose no client data and no bank secrets (decline tactfully "
            "without upsetting the client); never give out a leader's phone number without the "
            "leader's consent, take the client's number and pass the message on instead; report "
            "any sign of a major public-opinion matter to the branch leadership at once; file the "
            "reply in the first-inquiry register."),
        "one_time_notice": text(
            "一次性告知单（编号 {ref}）\n客户：{customer}    业务：{matter}\n"
            "办理程序：{procedure}\n需提交的全部材料：{materials}\n办理要求及时限：{requirements}\n"
            "收费标准：{fees}\n不能办理的理由（如有）：{refusal_reasons}\n"
            "承办部门：{department}    地点：{location}    电话：{phone}\n告知人：{staff}    日期：{date}",
            "One-time notice (ref. {ref})\nClient: {customer}    Service: {matter}\n"
            "Procedure: {procedure}\nAll materials required: {materials}\n"
            "Requirements and time limit: {requirements}\nFees: {fees}\n"
            "Reasons it cannot be done (if any): {refusal_reasons}\n"
            "Department: {department}    Location: {location}    Phone: {phone}\n"
            "Given by: {staff}    Date: {date}"),
        "referral": text(
            "您的事项由{department}办理，地点：{location}，联系人：{contact}，电话：{phone}。"
            "我已与对方联系，如有需要我陪您过去。",
            "Your matter is handled by {department} at {location}; contact {contact}, phone "
            "{phone}. I have let them know and can walk you there if you wish."),
        "register_entry": text(
            "首问登记簿\n序号 | 日期时间 | 渠道（来访 / 来函 / 电话 / 邮件） | 客户（行内 / 行外） | "
            "联系方式 | 事项类型（业务办理 / 咨询 / 投诉 / 建议） | 内容摘要 | 首问责任人 | "
            "处理方式（当场办结 / 引导 / 代为接收转交） | 承办部门及联系人 | 答复时间 | "
            "跟踪回访 | 部门负责人签字",
            "First-inquiry register\nNo. | Date and time | Channel (visit / letter / phone / "
            "e-mail) | Client (internal / external) | Contact | Type (business / consultation / "
            "complaint / suggestion) | Summary | First-inquiry owner | Handling (settled / guided / "
            "received and passed on) | Handling department and contact | Reply date | Follow-up | "
            "Department head's signature"),
    },
}

PENALTIES = {
    # X-bank branch rules (seed 003): criticism and education, no award at year end and a bonus
    # deduction of 500-2000 yuan, once a leader's criticism has not been heeded.  The split of
    # the range into 500 / 1000 / 2000 steps is ours.
    "first_inquiry_duty": {
        "name": text("违反首问负责制（推诿、忌语、超时、违规转办）",
                     "Breach of first-inquiry duty (shirking, banned wording, late, forbidden transfer)"),
        # Seed 003: the union inspects the registers and hears the clients' complaints, and
        # the service department calls clients back to check the matter was solved (art. 8):
        # a check that contradicts the register is a breach of the same duty.
        "triggers": ["deadline.*", "banned_phrase", "forbidden_transfer", "spot_check_failed",
                     # a client's complaint the union finds substantiated (seed 003, (3))
                     "complaint_substantiated"],
        "sanctions": [
            {"name": text("批评教育", "Criticism and education"), "amount": None},
            {"name": text("年终不得评优，扣发奖金500元", "No award this year, bonus cut 500 yuan"),
             "amount": 500},
            {"name": text("年终不得评优，扣发奖金1000元", "No award this year, bonus cut 1000 yuan"),
             "amount": 1000},
            {"name": text("年终不得评优，扣发奖金2000元", "No award this year, bonus cut 2000 yuan"),
             "amount": 2000},
        ],
    },
}

ASSESSMENT = {
    # Seed 003: the branch union inspects the registers, hears staff and client complaints,
    # reports to the office and rates every department at year end.  Product default weights;
    # the union enters what it inspects and hears (register, complaints, staff opinion,
    # wording), the deadlines kept come from the figures.
    "supervisor": "union",
    "period": "year",
    "report_to": "office",
    "components": [
        {"key": "register_kept", "weight": 25, "source": "entered",
         "name": text("登记簿记录", "Register kept")},
        {"key": "on_time", "weight": 25, "source": "figure", "figure": "on_time",
         "name": text("按时办理率", "Handled on time")},
        {"key": "client_complaints", "weight": 25, "source": "entered",
         "name": text("客户投诉", "Client complaints")},
        {"key": "staff_opinion", "weight": 15, "source": "entered",
         "name": text("员工意见", "Staff opinion")},
        {"key": "wording", "weight": 10, "source": "entered",
         "name": text("文明用语", "Courteous wording")},
    ],
}

# Categories whose contacts the branch leadership is told of at once (seed 003, branch rules
# art. 5), and the department that stands for the leadership.
LEADERSHIP_CATEGORIES = ("public_opinion",)
LEADERSHIP_DEPARTMENT = "leadership"

POLICY = {
    "matter_types": MATTER_TYPES,
    # Seed 003: visits, letters, phone, e-mail; the provincial variant adds WeChat (chat).
    "channels": ["visit", "phone", "letter", "email", "chat", "online", "hotline"],
    "departments": DEPARTMENTS,
    "roles": ROLES,
    "deadlines": DEADLINES,
    "escalation": ESCALATION,
    "transfer": TRANSFER,
    "callback": {"required_for": ["complaint", "business"]},  # product choice
    # The customer may change their own rating (core.voice) for 7 days after closure.  Product
    # default: the seeds set no period.
    "customer_rating": {"change_days": 7},
    "wording": WORDING,
    # Customer's confirmation (core/voice/signatures.py): the bank's seeds ask no customer signature on the first-inquiry
    # record (product default: none asked; account forms are signed under banking rules).
    "confirmation": {"forms": [], "ways": ["paper", "tablet", "online"]},
    "penalties": PENALTIES,
    "assessment": ASSESSMENT,
    # Product default: the seeds give this sector no questionnaire grouping, so every
    # respondent (residents and staff alike) is one group, 100 % (core.voice.questionnaires).
    "questionnaire": {
        "groups": [{"key": "respondents", "name": text("全部答卷人", "All respondents"),
                    "weight": 100, "roles": []}],
        "citation": "Product default: the seeds give no grouping; one group, 100 %."},
    "reminders": {"fractions": [0.5, 0.8], "morning_of_due_day": True},
    # Product default hours (the seed gives none).
    "calendar": {"kind": "statutory",
                 "working_periods": [["09:00", "12:00"], ["13:30", "17:00"]],
                 "closing_time": "17:00"},
}
