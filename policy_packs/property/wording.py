"""The property pack's wording rules: courtesy phrases, banned phrases and the notice and
form templates (seed citations inline).  Kept apart from policy.py, which imports it."""
from core.rules import COMMON_ALLOWED_PHRASES, text

WORDING = {
    # 天盛 art. 4 (不知道, 不清楚, 办不了, 不归我们管), seed 004 (没办法, 不归我管); the rest are
    # product additions of the same kind.
    "banned_phrases": [
        "不归我管", "不归我们管", "不知道", "不清楚", "办不了", "没办法", "这不是我们的事",
        "找别人去", "你自己打电话", "下班了", "明天再来", "不关我的事",
        # Seed 004 is in traditional characters (「不歸我管」「沒辦法」); a reply typed in them
        # is refused too.  不知道 / 不清楚 are written the same in both.
        "不歸我管", "不歸我們管", "沒辦法", "辦不了", "這不是我們的事", "不關我的事",
    ],
    "allowed_phrases": list(COMMON_ALLOWED_PHRASES),
    "courtesy_phrases": [
        "您好", "请", "谢谢", "对不起", "请稍候", "再见", "不好意思,让您久等了",
        "我马上为您联系", "感谢您的理解与支持",
    ],
    "templates": {
        "reply": text(
            "{customer}您好!关于您反映的“{summary}”,处理情况如下:\n\n[处理结果]\n\n"
            "如还有需要,请联系{department}{handler},电话{phone}。感谢您对物业工作的理解与支持!",
            "Dear {customer},\n\nAbout \"{summary}\", here is what we have done:\n\n[result]\n\n"
            "If you need anything more, please contact {handler} of {department} on {phone}. "
            "Thank you for your understanding and support."),
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
        # Seed 000 (Vanke): 客户接待事项协调单, for multi-department matters and wrong transfers.
        "coordination_form": text(
            "客户接待事项协调单\n\n业主(住户):{customer}  联系电话:______\n事项:{summary}\n"
            "首问责任人:______  登记时间:______\n涉及部门:______\n主办部门:{department}  "
            "主办人:{handler}  电话:{phone}\n协办部门及分工:______\n"
            "转移错误说明(如适用):______\n客户服务主管协调意见:______\n"
            "处理结果及回复客户时间:______",
            "Coordination form\n\nResident: {customer}  Phone: ______\nMatter: {summary}\n"
            "First-inquiry owner: ______  Registered at: ______\nDepartments involved: ______\n"
            "Lead department: {department}  Lead handler: {handler}  Phone: {phone}\n"
            "Supporting departments and their parts: ______\n"
            "Wrong transfer, if any: ______\nCustomer-service supervisor's decision: ______\n"
            "Result and time the resident was answered: ______"),
        # Seed 004: 业主(住户)服务登记会签单, four parts, filled by customer service, signed by
        # the receiving department, returned to customer service and archived.
        "countersign_form": text(
            "业主(住户)服务登记会签单(四联)\n\n业主(住户):{customer}  房号:______  "
            "电话:______\n来访事由:{summary}\n业主签字:______(来电、来信事后补签)\n"
            "客服中心意见:______  登记人:______  时间:______\n承办部门:{department}  "
            "接收人签字/时间:______\n承办人:{handler}  电话:{phone}\n到场时间:______  "
            "完成时间:______\n部门处理意见及签字:______\n回访情况:______\n"
            "第一联客服存根,第二联承办部门,第三联返回客服存档,第四联交业主",
            "Resident service countersign form (four parts)\n\nResident: {customer}  "
            "Unit: ______  Phone: ______\nReason for the visit: {summary}\n"
            "Resident's signature: ______ (calls and letters: signed afterwards)\n"
            "Customer service opinion: ______  Registered by: ______  At: ______\n"
            "Receiving department: {department}  Received by (signature / time): ______\n"
            "Handler: {handler}  Phone: {phone}\nOn site at: ______  Done at: ______\n"
            "Department's opinion and signature: ______\nCallback: ______\n"
            "Part 1 customer-service stub, part 2 receiving department, part 3 back to customer "
            "service for the archive, part 4 for the resident"),
        # Seed 000 天盛 art. 6: a major complaint for a utility or sibling company also goes to
        # it in writing, in two copies (附表一 业主投诉书面报告).
        "utility_written_report": text(
            "业主投诉书面报告(一式两份)\n\n致:________(单位)\n业主(住户):{customer}  "
            "住址:______  联系电话:______\n反映事项:{summary}\n登记编号:______\n"
            "首问责任人:{handler}  联系电话:{phone}\n请贵单位核实处理并将结果告知我处。\n\n"
            "报告单位(盖章):________  日期:________",
            "Written report of a resident's complaint (two copies)\n\nTo: ________ (unit)\n"
            "Resident: {customer}  Address: ______  Phone: ______\nMatter: {summary}\n"
            "Reference: ______\nFirst-inquiry owner: {handler}  Phone: {phone}\n"
            "Please look into it and tell us the result.\n\n"
            "Reporting office (seal): ________  Date: ________"),
        # Seed 000 天盛 art. 6/7: the owner contacts the unit within 30 minutes and passes on the
        # resident's name, address, phone and matter; outside units: tell the resident where to go.
        "referral": text(
            "{customer}您好,您反映的“{summary}”属于________(单位)的职责,地址________,"
            "电话________。我们已在30分钟内与其联系,转告了您的姓名、住址、电话和反映事项,"
            "会督促处理并把结果告诉您。本中心联系人{handler},电话{phone}。",
            "Dear {customer}, \"{summary}\" is the responsibility of ________ (address ________, "
            "phone ________). We contacted them within 30 minutes and passed on your name, "
            "address, phone and the matter; we will chase them and tell you the result. Your "
            "contact here is {handler}, phone {phone}."),
    },
}
