"""Default policy document of the hotel pack (see the package docstring for the rules in prose).

Seeds: 000 = "酒店首问责任制" (hotel rules, items 1-11), 001 = the same hotel text
("什么是首问责任制", items 1-6), 002 = training slides (cases: lost phone, glue,
steamed buns; "服务从我开始,到我为止").  Anything marked "product default" is not
in the seeds and is Shouwen's own choice; a tenant may override it.

Assessment: Quality Inspection "supervises, checks and assesses, and reports regularly" (seed 000
item 10, 定期通报): monthly is the product default; 40 / 30 / 30; conflict escalations are
scored against the department's own contacts, 100 × (1 − escalations / contacts), so a busy
department is not punished for its volume and no department's score moves another's.
"""
from core.rules import COMMON_ALLOWED_PHRASES, rule, text

MATTER_TYPES = {
    "consultation": {"name": text("咨询", "Consultation")},
    "inquiry": {"name": text("查询", "Inquiry")},
    "complaint": {"name": text("投诉", "Complaint")},
    "help": {"name": text("求助 / 服务需求", "Help / service request")},
    "business": {"name": text("业务办理(预订、会议、宴会)", "Business (bookings, events)")},
    "report": {"name": text("举报", "Report / tip-off")},
    "repair": {"name": text("报修", "Repair")},
    "suggestion": {"name": text("建议", "Suggestion")},
    # Pack addition, seed 002 (lost-phone case): lost property is time-critical.
    "lost_property": {"name": text("失物查找", "Lost property")},
}

CHANNELS = ["visit", "phone", "letter", "email", "online", "hotline", "chat"]


def _dept(code, zh, en, duties_zh, duties_en, matter_types):
    return {"code": code, "name": text(zh, en), "duties": text(duties_zh, duties_en),
            "matter_types": matter_types, "location": "", "phone": ""}


DEPARTMENTS = [
    # The duty manager (大堂副理) sits in the front office and takes guest complaints (seed 002 cases).
    _dept("front_office", "前厅部", "Front Office",
          "负责预订、入住与离店、问询、行李及大堂副理值班;大堂副理受理宾客投诉并协调各部门。",
          "Reservations, check-in and check-out, information desk, luggage and the duty manager, "
          "who takes guest complaints and coordinates departments.",
          ["consultation", "inquiry", "complaint", "business", "help"]),
    _dept("housekeeping", "客房部", "Housekeeping",
          "负责客房清洁与客用品、房务中心、洗衣及遗留物品的登记保管。",
          "Room cleaning and amenities, the housekeeping centre, laundry, and recording and "
          "keeping items left behind.",
          ["help", "lost_property"]),
    _dept("food_beverage", "餐饮部", "Food & Beverage",
          "负责餐厅、酒吧、厨房与送餐服务;送餐须凭吧台开单。",
          "Restaurants, bars, kitchen and room service; room-service orders go through the bar "
          "order desk.",
          ["help"]),
    _dept("engineering", "工程部", "Engineering",
          "负责设备设施维修保养、水电空调及客房报修。",
          "Maintenance of equipment and facilities, water, power, air conditioning and room "
          "repair requests.",
          ["repair"]),
    _dept("security", "保安部", "Security",
          "负责治安、消防、监控与紧急求助,协助查找失物,受理安全方面的举报。",
          "Safety, fire, CCTV and emergencies; helps trace lost property and takes safety reports.",
          ["help", "report", "lost_property"]),
    _dept("sales", "营销部", "Sales & Marketing",
          "负责协议客户、会议宴会销售、价格与促销咨询。",
          "Corporate accounts, meeting and banquet sales, rates and promotions.",
          ["consultation", "business"]),
    _dept("finance", "财务部", "Finance",
          "负责账单、结算、发票与押金查询。",
          "Bills, settlement, invoices and deposit inquiries.",
          ["inquiry"]),
    _dept("hr", "人力资源部", "Human Resources",
          "负责招聘、员工培训(含首问责任制培训)与员工事务。",
          "Recruitment, staff training (including first-inquiry training) and staff matters.",
          ["consultation"]),
    # Seed 000 item 3/4/8/10: every slip is copied to 质检部, which supervises, spot-checks
    # callbacks, counts conflict escalations and applies the penalty rules.
    _dept("quality", "质检部", "Quality Inspection",
          "监督首问责任制执行:接收每张投诉/查询处理单的抄送,抽查回访,统计各部门“矛盾升级”,"
          "按考核办法提出处罚。",
          "Supervises first-inquiry responsibility: receives a copy of every complaint/inquiry "
          "slip, spot-checks callbacks, counts each department's conflict escalations and "
          "proposes penalties.",
          ["complaint", "report", "suggestion"]),
    _dept("management", "总经理办公室", "General Manager's Office",
          "总经理、分管副总经理及行政事务;接收升级到酒店领导的事项与宾客建议。",
          "The general manager, deputy GMs and administration; receives matters escalated to the "
          "hotel's leadership and guest suggestions.",
          ["suggestion"]),
]

# rank: when two staff are asked at once, the higher rank owns the contact.
ROLES = [
    {"key": "staff", "name": text("员工", "Staff"), "rank": 10, "permission": "staff"},
    {"key": "supervisor", "name": text("主管 / 领班", "Supervisor"), "rank": 30,
     "permission": "dept_supervisor"},
    {"key": "duty_manager", "name": text("大堂副理", "Duty manager"), "rank": 40,
     "permission": "dept_supervisor"},
    {"key": "quality_inspector", "name": text("质检员", "Quality inspector"), "rank": 45,
     "permission": "inspector"},
    {"key": "dept_manager", "name": text("部门经理", "Department manager"), "rank": 50,
     "permission": "dept_supervisor"},
    {"key": "deputy_gm", "name": text("分管副总经理", "Deputy general manager"), "rank": 80,
     "permission": "leader"},
    {"key": "gm", "name": text("总经理", "General manager"), "rank": 90, "permission": "leader"},
    # A system role: ranked like ordinary staff so it never takes a contact over by rank.
    {"key": "admin", "name": text("系统管理员", "Administrator"), "rank": 10, "permission": "admin"},
]

DEADLINES = {
    # Seed 000 item 3 / seed 001: the slip reaches the responsible department within 1 hour,
    # on the wall clock (hotels work around the clock).
    # Lost property: product default 15 minutes, after seed 002's lost-phone case
    # ("错失最好处理时间,第一现场,第一时间").
    "transfer": {"default": rule(1, "hours"), "lost_property": rule(15, "minutes")},
    # Seed 000 item 4: the receiving department names a handler "立即" (at once).  Product
    # default 15 minutes: 0 would breach on every handover because signing always takes a
    # moment; a quarter of an hour is "at once" for a department that must find its handler.
    "accept": {"default": rule(15, "minutes")},
    # Seed 000 item 4 / seed 002 slide 4: answer the guest within 1 working day
    # (seven-day calendar: by closing time on the next day).
    "reply": {"default": rule(1, "working_days")},
    # Product default: engineering on site within 30 minutes of a room repair request
    # (the seeds give no hotel repair time).
    "on_site": {"repair": rule(30, "minutes")},
    # Seed 000 item 4: the result goes back to the issuing department, the owner and QI
    # together with the reply, so the same 1 working day.
    "feedback": {"default": rule(1, "working_days")},
    # Seed 000 item 8 says "及时回访" without a time.  Product default: 4 working hours after
    # the feedback, so the guest is called back during office hours, usually before check-out.
    "callback": {"default": rule(4, "working_hours")},
    # No overall limit in the seeds: the reply and callback clocks carry the contact.
    "final": {"default": None},
    # Product default: the level a slip is escalated to (QI, then the deputy GM, then the GM;
    # seed 000 item 6) has 4 working hours to get the guest answered; after that the slip
    # goes one level up.  Met by the reply to the guest.
    "escalation": {"default": rule(4, "working_hours")},
    # Product default: the seeds give no time for putting right what a guest rated badly
    # (不满意 / 非常不满意, core.voice); the department has 3 working days to record what it did.
    "rectification": {"default": rule(3, "working_days")},
}

ESCALATION = {
    # Seed 000 item 6: a slip that reaches QI, the deputy GM in charge or the GM is a
    # "矛盾升级" (conflict escalation); QI reports the count per department.
    "chain": [
        {"key": "quality", "name": text("质检部", "Quality Inspection"),
         "department": "quality", "role": None, "conflict": True},
        {"key": "deputy_gm", "name": text("分管副总经理", "Deputy GM in charge"),
         "department": None, "role": "deputy_gm", "conflict": True},
        {"key": "gm", "name": text("总经理", "General manager"),
         "department": None, "role": "gm", "conflict": True},
    ],
    "on_breach": True,
}

TRANSFER = {
    # Seed 000 content section: receive, guide the guest to the department, or hand the slip over.
    "modes": ["handover", "accompany", "guide"],
    # Seed 000 item 11: nobody may refuse a transferred slip; a department that is truly not
    # responsible writes its opinion and returns it, or passes it on to the next department.
    "receiver_may_pass_on": True,
    "receiver_may_return": True,
    "return_requires_opinion": True,
    "pass_on_requires_opinion": True,     # item 11: 签注明确意见, whether returned or passed on
    # Seed 000 item 3: every slip is copied to QI.
    "copy_to": ["quality"],
    "wrong_transfer_coordinator": "quality",
    "handover_requires_approval": False,
}

# Seed 000 item 8: the owner calls the guest back after the handling department's feedback.
# Product choice: matters with a result the guest has to confirm; plain questions are not
# called back.
# Rule 8: after the handling department's feedback the owner calls the guest back, whatever
# the slip was about; complaints, help, repairs, reports and lost property are called back
# even when the owner settled them alone.
CALLBACK = {"required_for": ["complaint", "help", "repair", "report", "lost_property"],
            "after_feedback": True}

WORDING = {
    # Seeds 001, 002 (不知道 / 不清楚 / 不归我管 / 下回再来), 000 (办不了), seed 002 glue case
    # (我这没有 + "麻烦您打…电话" as a brush-off); the rest are product additions of the same kind.
    "banned_phrases": [
        "不归我管", "不知道", "不清楚", "这不是我的事", "找别人去", "下班了", "明天再来",
        "下回再来", "办不了", "没办法", "我这没有", "你自己打电话", "不关我的事", "你去问前台",
    ],
    # Seed 002 ("请问有什么可以帮您", "谢谢您支持我们的工作") and ordinary hotel courtesy.
    "allowed_phrases": list(COMMON_ALLOWED_PHRASES),
    "courtesy_phrases": [
        "您好", "请", "谢谢", "对不起", "请稍候", "再见", "请问有什么可以帮您",
        "谢谢您支持我们的工作", "给您添麻烦了", "我马上为您联系",
    ],
    "templates": {
        "reply": text(
            "{customer}您好!关于您反映的“{summary}”,现答复如下:\n\n"
            "[处理结果]\n\n"
            "如有其他需要,请联系{department}{handler},电话{phone}。感谢您的理解与支持,"
            "祝您入住愉快!",
            "Dear {customer},\n\nThank you for telling us about \"{summary}\". Here is our "
            "answer:\n\n[result]\n\nIf there is anything else we can do, please contact "
            "{handler} of {department} on {phone}. We wish you a pleasant stay."),
        "transfer_notice": text(
            "{customer}您好,您的事项“{summary}”已交由{department}{handler}办理,联系电话{phone}。"
            "我会跟进到底,办好后再与您联系。",
            "Dear {customer}, your request \"{summary}\" has been passed to {handler} of "
            "{department} (phone {phone}). I will follow it up and call you back when it is done."),
        "one_time_notice": text(
            "一次性告知单\n\n{customer}您好!关于“{summary}”,现将有关事项一次告知:\n"
            "一、办理条件:________\n二、办理时限:________\n三、办理程序:________\n"
            "四、收费标准:________\n五、需提供的全部材料:________\n"
            "六、不能办理的原因及依据(如不予办理):________\n\n"
            "经办部门:{department}  经办人:{handler}  联系电话:{phone}",
            "One-time notice\n\nDear {customer}, for \"{summary}\" here is everything you need, "
            "in one go:\n1. Conditions: ________\n2. Time limit: ________\n"
            "3. Procedure: ________\n4. Fees: ________\n5. All materials required: ________\n"
            "6. If we cannot do it, the reasons and the rule they rest on: ________\n\n"
            "Department: {department}  Handled by: {handler}  Phone: {phone}"),
        # Seed 000 item 3 and 7: 投诉、查询处理单, signed with name and time by every department.
        "complaint_slip": text(
            "投诉/查询处理单\n\n宾客姓名:{customer}  房号:______  联系电话:______\n"
            "事项摘要:{summary}\n首问责任人:______  发单部门:______  发单时间:______\n"
            "接单部门:{department}  指定处理人:{handler}  电话:{phone}\n"
            "各部门签收(姓名/时间):______\n处理结果:______\n答复宾客时间:______\n"
            "回访情况(首问责任人):______\n抄送:质检部",
            "Complaint / inquiry slip\n\nGuest: {customer}  Room: ______  Phone: ______\n"
            "Summary: {summary}\nFirst-inquiry owner: ______  Issuing department: ______  "
            "Issued at: ______\nReceiving department: {department}  Handler: {handler}  "
            "Phone: {phone}\nSignatures of each department (name / time): ______\n"
            "Result: ______\nGuest answered at: ______\nCallback by the owner: ______\n"
            "Copy to: Quality Inspection"),
    },
}


def _sanctions(*steps):
    return [{"name": text(zh, en), "amount": amount} for zh, en, amount in steps]


# The seeds name a "考核处罚办法" kept by QI (seed 000 item 10) but give no hotel amounts; all
# amounts below are product defaults, in the range of the company rule in seed 000
# (100-200 yuan per late hand-over, 500 for serious consequences).
PENALTIES = {
    "late_transfer": {
        "name": text("未在1小时内转交处理单", "Slip not passed on within 1 hour"),
        "triggers": ["deadline.transfer"],
        "sanctions": _sanctions(("口头警告", "Verbal warning", None),
                                ("书面警告并扣罚50元", "Written warning and 50 yuan", 50),
                                ("扣罚100元并全店通报", "100 yuan and hotel-wide notice", 100)),
    },
    "late_handling": {
        "name": text("接单部门未按时签收、到场、答复或反馈",
                     "Receiving department late to sign, arrive, answer or report back"),
        "triggers": ["deadline.accept", "deadline.on_site", "deadline.reply", "deadline.feedback"],
        "sanctions": _sanctions(("口头警告", "Verbal warning", None),
                                ("书面警告并扣罚50元", "Written warning and 50 yuan", 50),
                                ("扣罚100元并全店通报", "100 yuan and hotel-wide notice", 100)),
    },
    "late_callback": {
        "name": text("首问责任人未及时回访", "Owner late to call the guest back"),
        "triggers": ["deadline.callback"],
        "sanctions": _sanctions(("口头提醒", "Verbal reminder", None),
                                ("口头警告", "Verbal warning", None),
                                ("书面警告并扣罚50元", "Written warning and 50 yuan", 50)),
    },
    "buck_passing": {
        # Never triggered under the default rules (a hotel department may return a slip with
        # an opinion or pass it on; one returned without an opinion is sent back for the
        # opinion, 422); it applies when a tenant forbids passing slips on or returning them.
        "name": text("推诿:违反规定转出或退回处理单",
                     "Buck-passing: passing on or returning a slip against the rules"),
        "triggers": ["forbidden_transfer"],
        "sanctions": _sanctions(("书面警告", "Written warning", None),
                                ("扣罚100元", "100 yuan", 100),
                                ("扣罚200元并全店通报", "200 yuan and hotel-wide notice", 200)),
    },
    "banned_phrase": {
        "name": text("使用服务忌语", "Using a banned phrase"),
        "triggers": ["banned_phrase"],
        "sanctions": _sanctions(("口头警告", "Verbal warning", None),
                                ("书面警告并扣罚50元", "Written warning and 50 yuan", 50),
                                ("扣罚100元并参加服务礼仪复训",
                                 "100 yuan and a repeat courtesy training", 100)),
    },
    "spot_check_failed": {
        # Seed 000 hotel items 8 and 10: QI spot-checks complaint handling and the owner's
        # callback, and supervises, checks and assesses under the penalty rules; a guest who
        # denies the handling or the callback contradicts the record.  The steps are ours.
        "name": text("质检抽查与记录不符(处理或回访未落实)",
                     "Spot check contradicts the record (handling or callback not done)"),
        "triggers": ["spot_check_failed"],
        "sanctions": _sanctions(("书面警告", "Written warning", None),
                                ("扣罚50元", "50 yuan", 50),
                                ("扣罚100元并全店通报", "100 yuan and hotel-wide notice", 100)),
    },
    # Seed 000 (company rules (五)): a first-inquiry failure complained about and found true
    # is dealt with by criticism, a notice, up to a bonus deduction; QI assesses it (hotel
    # item 10).  Amounts are product defaults, in line with the hotel's other rules.
    "substantiated_complaint": {
        "name": text("被投诉查有实据", "Complaint about staff found substantiated"),
        "triggers": ["complaint_substantiated"],
        "sanctions": _sanctions(("批评教育", "Criticism and education", None),
                                ("全店通报", "Hotel-wide notice", None),
                                ("扣罚100元并全店通报", "100 yuan and hotel-wide notice", 100)),
    },
}

# Seed 000 item 6 and 8: QI reports conflict escalations per department and spot-checks
# callbacks.  The weights (percent, summing to 100) are product defaults.
ASSESSMENT = {
    # Seed 000 (hotel rules): Quality Inspection assesses every department each month on the
    # slips that reached QI / deputy GM / GM (conflict escalations, fewer is better), on the
    # deadlines kept and on the guests' satisfaction in the owner's callback; 40 / 30 / 30.
    # Conflict escalations are counted against the department's own contacts (see
    # core.policy.assessment_schema): 100 × (1 − escalations / contacts).
    "supervisor": "quality",
    "period": "month",            # product default: the seed says "regularly" (定期)
    "components": [
        {"key": "conflict_escalations", "weight": 40, "source": "figure",
         "figure": "conflict_escalations",
         "name": text("冲突升级（越少越好）", "Conflict escalations (fewer is better)")},
        {"key": "deadlines_met", "weight": 30, "source": "figure", "figure": "on_time",
         "name": text("按时完成率", "Deadlines met")},
        {"key": "callback_satisfaction", "weight": 30, "source": "figure",
         "figure": "satisfaction", "name": text("回访满意度", "Callback satisfaction")},
    ],
}

REMINDERS = {"fractions": [0.5, 0.8], "morning_of_due_day": True}

# Hotels work every day; office periods matter only for the working-hours callback clock and
# for the closing time that ends a working day.
CALENDAR = {"kind": "seven_day",
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
    # The guest may change their own rating (core.voice) for 7 days after closure.  Product
    # default: the seeds have no customer rating at all (they only know the owner's callback).
    "customer_rating": {"change_days": 7},
    "wording": WORDING,
    # Customer's confirmation (core/voice/signatures.py): the hotel's slips are signed by
    # staff (seed 001 item 7: each department signs and times the complaint slip); the seeds
    # ask no guest signature, so none is asked (product default).
    "confirmation": {"forms": [], "ways": ["paper", "tablet", "online"]},
    "penalties": PENALTIES,
    "assessment": ASSESSMENT,
    # Product default: the seeds give this sector no questionnaire grouping, so every
    # respondent (residents and staff alike) is one group, 100 % (core.voice.questionnaires).
    "questionnaire": {
        "groups": [{"key": "respondents", "name": text("全部答卷人", "All respondents"),
                    "weight": 100, "roles": []}],
        "citation": "Product default: the seeds give no grouping; one group, 100 %."},
    "reminders": REMINDERS,
    "calendar": CALENDAR,
}
