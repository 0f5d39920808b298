"""Default policy document of the property-management pack (rules in prose: package docstring).

Seeds: 000 = Vanke (万科物业) implementation rules and questionnaire, the 天盛 rules
(江苏天盛物业 德林艺墅管理处 首问责任制实施办法, art. 1-8) and the "物业管理部制度上墙"
rules (items 1-13); 004 = 首接责任制度 (Traditional Chinese, 会签单 four-part form, repair
times).  Anything marked "product default" is Shouwen's own choice; a tenant may override it.

Assessment: customer service, monthly (product default); the questionnaire's three groups
40 / 40 / 20 (seed 000, Vanke) are computed from the questionnaire answers of the period
(core.voice.questionnaires).  The wording rules are in wording.py.
"""
from core.rules import rule, text

from policy_packs.property.wording import WORDING

MATTER_TYPES = {
    "consultation": {"name": text("咨询", "Consultation")},
    "inquiry": {"name": text("查询", "Inquiry")},
    "complaint": {"name": text("投诉", "Complaint")},
    "help": {"name": text("求助 / 特殊服务", "Help / special service")},
    "business": {"name": text("业务办理(缴费、门禁卡、装修申请等)",
                              "Business (fees, access cards, renovation permits ...)")},
    "report": {"name": text("情况反映 / 举报", "Report / tip-off")},
    # Seed 004: ordinary repairs, simple repairs, and urgent repairs (water, heating, gas).
    "repair": {
        "name": text("报修", "Repair"),
        "categories": {
            "ordinary": {"name": text("一般维修", "Ordinary repair")},
            "simple": {"name": text("简单维修", "Simple repair")},
            "urgent": {"name": text("急修(水、暖气、燃气)", "Urgent repair (water, heating, gas)")},
        },
        "default_category": "ordinary",
    },
    "suggestion": {"name": text("意见和建议", "Suggestion")},
    # Pack addition, seed 000 天盛 art. 6: matters for the water, power and heat companies or a
    # sibling real-estate company.  No department lists it, so the transfer clock always runs
    # and is met when the owner records the referral to that unit.
    "utility": {"name": text("供水、供电、热力等兄弟单位事项",
                             "Utilities and sibling companies (water, power, heat)")},
}

CHANNELS = ["visit", "phone", "letter", "email", "online", "hotline", "chat"]


def _dept(code, zh, en, duties_zh, duties_en, matter_types):
    return {"code": code, "name": text(zh, en), "duties": text(duties_zh, duties_en),
            "matter_types": matter_types, "location": "", "phone": ""}


DEPARTMENTS = [
    # Seed 004: customer service fills the countersign form for every request, sends it to the
    # departments, archives it when it comes back and calls the owner back.  Seed 000 (Vanke):
    # the customer-relations supervisor sits here and routes unclear or multi-department matters.
    _dept("customer_service", "客服中心", "Customer Service Centre",
          "接待业主(住户)来访来电,填写服务登记会签单并派发、跟踪、回访和存档;客户关系主管判定"
          "责任部门,多部门事项填报协调单并指定主办部门。",
          "Receives residents in person and by phone, fills in, sends out, tracks and archives "
          "the service countersign form and calls residents back; the customer-relations "
          "supervisor decides the responsible department and opens a coordination form with a "
          "lead department for multi-department matters.",
          ["consultation", "inquiry", "complaint", "business", "suggestion"]),
    _dept("engineering", "工程维修部", "Engineering & Repairs",
          "负责户内外报修、公共设施设备维修保养;维修单24小时内返回客服中心。",
          "Repairs in homes and common areas and upkeep of equipment; returns the repair slip "
          "to customer service within 24 hours.",
          ["repair"]),
    _dept("security", "秩序维护部", "Security",
          "负责门岗、巡逻、车辆与消防安全,处理紧急求助和安全方面的情况反映。",
          "Gates, patrols, parking and fire safety; emergencies and safety reports.",
          ["help", "report"]),
    _dept("cleaning", "环境保洁部", "Cleaning & Environment",
          "负责公共区域清洁、垃圾清运、消杀及相关特殊服务。",
          "Cleaning of common areas, rubbish removal, pest control and related special services.",
          ["help"]),
    _dept("landscaping", "绿化部", "Landscaping",
          "负责园区绿化养护、修剪与补种。",
          "Care, pruning and replanting of the estate's green areas.",
          ["help"]),
    _dept("finance", "财务部", "Finance",
          "负责物业费及其他费用的收取、票据与账务查询。",
          "Property fees and other charges, receipts and account inquiries.",
          ["business", "inquiry"]),
    # Seed 000 (物业管理部制度上墙, items 3, 11-12): the quality department (品质部) checks every
    # department's service and receives residents' complaints about first-inquiry owners,
    # investigates them and tells the complainant the result.
    _dept("quality", "品质部", "Quality Department",
          "负责对各部门服务过程的指导、检查;受理业主对首问责任人、承办人的投诉并查处、反馈结果。",
          "Guides and checks every department's service; receives residents' complaints about "
          "first-inquiry owners and handlers, investigates them and reports the result back.",
          ["complaint"]),
    # Seed 004: complaints about staff at supervisor level and above, customer-service staff or
    # company administrative staff go to the property-centre director.
    _dept("director", "物业中心主任办公室", "Property Centre Director's Office",
          "物业中心主任及管理部经理;处理针对主管以上人员、客服人员的投诉和跨管理部事项。",
          "The property-centre director and office managers; complaints about supervisors and "
          "above or customer-service staff, and matters across management offices.",
          ["complaint"]),
]

# rank: when two staff are asked at once, the higher rank owns the contact.
ROLES = [
    # Seed 000 (Vanke): security guards, cleaners and repair workers pass what is not theirs to
    # their direct superior.
    {"key": "operator", "name": text("操作员(保安、保洁、维修工)",
                                     "Operator (guard, cleaner, repair worker)"),
     "rank": 10, "permission": "staff"},
    {"key": "receptionist", "name": text("客服接待员", "Customer-service receptionist"),
     "rank": 15, "permission": "staff"},
    {"key": "team_leader", "name": text("班组长(保安队长、保洁组长)",
                                        "Team leader (security captain, cleaning lead)"),
     "rank": 20, "permission": "dept_supervisor"},
    {"key": "supervisor", "name": text("部门主管", "Department supervisor"),
     "rank": 40, "permission": "dept_supervisor"},
    {"key": "quality", "name": text("品质联络员", "Quality liaison"),
     "rank": 45, "permission": "inspector"},
    {"key": "cr_supervisor", "name": text("客户关系主管", "Customer-relations supervisor"),
     "rank": 50, "permission": "cr_supervisor"},
    {"key": "office_manager", "name": text("管理部经理", "Management office manager"),
     "rank": 70, "permission": "leader"},
    {"key": "director", "name": text("物业中心主任", "Property-centre director"),
     "rank": 80, "permission": "leader"},
    # A system role: ranked like ordinary staff so it never takes a contact over by rank.
    {"key": "admin", "name": text("系统管理员", "Administrator"), "rank": 10, "permission": "admin"},
]

DEADLINES = {
    # 天盛 art. 5 says "立即告知相关部门" (tell the department at once).  Product default:
    # 1 working hour, enough for operator -> team leader -> department to pass it along.
    # Repairs run on the wall clock and leave most of the on-site time for travel.
    # utility: seed 000 天盛 art. 6, contact the utility or sibling company within 30 minutes.
    "transfer": {
        "default": rule(1, "working_hours"),
        "repair": rule(10, "minutes"),             # product default
        "repair.urgent": rule(5, "minutes"),       # product default
        "utility": rule(30, "minutes"),
    },
    # Seed 004: the receiving person signs the handover book when the form is handed over.
    # Product defaults: 1 working hour; 10 minutes for repairs.
    "accept": {"default": rule(1, "working_hours"), "repair": rule(10, "minutes")},
    # 天盛 art. 5 asks for a promised answer time without a number.  Product default: 1 working
    # day; repairs 24 hours, in step with the repair slip (seed 004).
    "reply": {"default": rule(1, "working_days"), "repair": rule(24, "hours")},
    # Seed 004: on site 60 min (ordinary), 20 min (simple), at once (water, heating, gas).
    # The plain "repair" entry covers a repair registered without a category.
    "on_site": {
        "repair": rule(60, "minutes"),
        "repair.ordinary": rule(60, "minutes"),
        "repair.simple": rule(20, "minutes"),
        "repair.urgent": rule(0, "minutes"),
    },
    # Seed 004: the repair slip is back at customer service within 24 hours.
    # Product default for everything else: 1 working day.
    "feedback": {"default": rule(1, "working_days"), "repair": rule(24, "hours")},
    # Seed 004: customer service calls back after the form returns; no time given.
    # Product default: 2 working days (residents stay; a short delay lets a repair settle).
    "callback": {"default": rule(2, "working_days")},
    # No overall limit in the seeds.
    "final": {"default": None},
    # No time for an escalated level in the seeds: it escalates only on the next breach.
    "escalation": {"default": None},
    # Product default: the seeds give no time for putting right what a resident rated badly
    # (不满意 / 非常不满意, core.voice); the department has 3 working days to record what it did.
    "rectification": {"default": rule(3, "working_days")},
}

ESCALATION = {
    # Seed 000 (Vanke): unclear or multi-department matters go to the customer-relations
    # supervisor, matters across management offices to the office manager; seed 004: the
    # property-centre director above them.  Property has no "conflict escalation" count.
    "chain": [
        {"key": "cr_supervisor", "name": text("客户关系主管", "Customer-relations supervisor"),
         "department": None, "role": "cr_supervisor", "conflict": False},
        {"key": "office_manager", "name": text("管理部经理", "Management office manager"),
         "department": None, "role": "office_manager", "conflict": False},
        {"key": "director", "name": text("物业中心主任", "Property-centre director"),
         "department": None, "role": "director", "conflict": False},
    ],
    "on_breach": True,
}

TRANSFER = {
    # Seed 000 (Vanke): accompany the resident throughout, or hand over with a record; the
    # 制度上墙 rules item 8: guide the visitor or the matter to the handler.
    "modes": ["handover", "accompany", "guide"],
    # Seed 000 (Vanke, questionnaire Q6): after a wrong transfer the receiving department takes
    # the matter on towards the resident, does not pass it again, and files a coordination form
    # to the customer-service supervisor.
    "receiver_may_pass_on": False,
    "receiver_may_return": False,
    "return_requires_opinion": True,
    # Seed 004: every form goes through customer service, which tracks and archives it.
    "copy_to": ["customer_service"],
    "wrong_transfer_coordinator": "customer_service",
    "handover_requires_approval": False,
}

# Seed 004: customer service calls back on complaints and repairs; 天盛 art. 6: the result of a
# utility matter is fed back to the resident.  help/report: product choice.
CALLBACK = {"required_for": ["complaint", "repair", "help", "report", "utility"]}

def _sanctions(*steps):
    return [{"name": text(zh, en), "amount": amount} for zh, en, amount in steps]


# Seed 004: the property centre assesses staff from the countersign forms and "rewards the good
# and penalises the poor", without amounts.  Seed 000 (company rules) grades criticism ->
# notice -> bonus deduction.  All amounts are product defaults.
def _late():
    return _sanctions(("批评教育", "Criticism and education", None),
                      ("通报批评并扣绩效50元", "Notice of criticism and 50 yuan off the bonus", 50),
                      ("扣绩效100元并由经理约谈",
                       "100 yuan off the bonus and a talk with the manager", 100))


PENALTIES = {
    "late_repair": {
        "name": text("维修未按时到场或维修单未在24小时内返回",
                     "Repair not reached in time or slip not back within 24 hours"),
        "triggers": ["deadline.on_site", "deadline.feedback"],
        "sanctions": _late(),
    },
    "late_transfer": {
        "name": text("未及时转交、签收或联系兄弟单位",
                     "Late to pass on, sign for, or contact the utility"),
        "triggers": ["deadline.transfer", "deadline.accept"],
        "sanctions": _late(),
    },
    "late_reply": {
        "name": text("未按时答复或回访业主", "Late to answer or call back the resident"),
        "triggers": ["deadline.reply", "deadline.callback"],
        "sanctions": _late(),
    },
    "buck_passing": {
        "name": text("推诿:再次转移或退回已接收的事项",
                     "Buck-passing: passing on or returning a matter already received"),
        "triggers": ["forbidden_transfer"],
        "sanctions": _sanctions(("通报批评", "Notice of criticism", None),
                                ("扣绩效100元", "100 yuan off the bonus", 100),
                                ("扣绩效200元并调离窗口岗位",
                                 "200 yuan off the bonus and moved off front-line duty", 200)),
    },
    "banned_phrase": {
        "name": text("使用推诿用语", "Using a brush-off phrase"),
        "triggers": ["banned_phrase"],
        "sanctions": _sanctions(("批评教育", "Criticism and education", None),
                                ("通报批评", "Notice of criticism", None),
                                ("扣绩效50元并参加服务礼仪复训",
                                 "50 yuan off the bonus and a repeat courtesy training", 50)),
    },
    # Seed 000 (company rules (五)): complained about and found true: criticism and
    # education, a notice, up to a bonus deduction.  Amounts are product defaults.
    "substantiated_complaint": {
        "name": text("被投诉查有实据", "Complaint about staff found substantiated"),
        "triggers": ["complaint_substantiated"],
        "sanctions": _sanctions(("批评教育", "Criticism and education", None),
                                ("通报并扣罚50元", "Notice and 50 yuan off the bonus", 50),
                                ("扣罚100元", "100 yuan off the bonus", 100)),
    },
}

# Seed 000 (Vanke questionnaire): the department's score is made of three questionnaires,
# customer supervisors and quality liaisons 40 %, other supervisors and managers 40 %,
# security captains and cleaning leads 20 %.  Weights in percent; groups map to role keys.
ASSESSMENT = {
    # Seed 000 (Vanke questionnaire) and seed 004: customer service supervises every
    # department's service; the rating is a questionnaire answered by three groups, customer
    # supervisors 40 %, other managers 40 %, team leaders 20 %.  Each group's result is the
    # mean of its answers about the department in the period (core.voice.questionnaire_scores).
    "supervisor": "customer_service",
    "period": "month",            # product default
    "components": [
        {"key": "customer_supervisors", "weight": 40, "source": "questionnaire",
         "group": "customer_supervisors",
         "name": text("客服主管评分", "Customer supervisors' rating")},
        {"key": "other_managers", "weight": 40, "source": "questionnaire",
         "group": "other_managers",
         "name": text("其他部门经理评分", "Other managers' rating")},
        {"key": "team_leaders", "weight": 20, "source": "questionnaire",
         "group": "team_leaders",
         "name": text("班组长评分", "Team leaders' rating")},
    ],
}

# Seed 000 (万科物业首问责任制实施调查问卷): three questionnaires, one per group: "部门客户主管、
# 品质联络员 … 占部门整体得分的40%", "部门其它业务主管、一般管理员 … 40%", "部门保安队长、保洁组长
# … 20%".  The groups map to the role keys above; residents' answers (no role) are not part
# of the seed's grouping and are shown apart.
QUESTIONNAIRE = {
    "groups": [
        {"key": "customer_supervisors", "weight": 40, "roles": ["cr_supervisor", "quality"],
         "name": text("客户主管、品质联络员", "Customer supervisors and quality liaisons")},
        {"key": "other_managers", "weight": 40, "roles": ["supervisor", "office_manager"],
         "name": text("其它业务主管、一般管理员", "Other supervisors and managers")},
        {"key": "team_leaders", "weight": 20, "roles": ["team_leader"],
         "name": text("保安队长、保洁组长", "Security captains and cleaning leads")},
    ],
    "citation": "Seed 000, Vanke questionnaire: 40 % / 40 % / 20 % of the department's score.",
}

REMINDERS = {"fractions": [0.5, 0.8], "morning_of_due_day": True}

# Chinese statutory working days (with make-up days); repairs and the 30-minute utility rule
# run on the wall clock through their "minutes" / "hours" units.
CALENDAR = {"kind": "statutory",
            "working_periods": [["09:00", "12:00"], ["13:30", "17:30"]],
            "closing_time": "17:30"}

POLICY = {
    "matter_types": MATTER_TYPES,
    "channels": CHANNELS,
    "departments": DEPARTMENTS,
    "roles": ROLES,
    "deadlines": DEADLINES,
    "escalation": ESCALATION,
    "transfer": TRANSFER,
    "callback": CALLBACK,
    # The resident may change their own rating (core.voice) for 7 days after closure.  Product
    # default: the seeds score departments from questionnaires, not per-matter ratings.
    "customer_rating": {"change_days": 7},
    "wording": WORDING,
    # Seed 004 art. 1: a visiting resident signs the countersign form in their own hand
    # (亲笔签字确认); calls and letters are "signed afterwards by the person concerned"
    # (事后请当事人补签): on paper, on the desk tablet, or later from the progress page.
    "confirmation": {"forms": ["countersign_form"], "ways": ["paper", "tablet", "online"]},
    "penalties": PENALTIES,
    "assessment": ASSESSMENT,
    "questionnaire": QUESTIONNAIRE,
    "reminders": REMINDERS,
    "calendar": CALENDAR,
}
