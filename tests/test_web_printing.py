"""Printable forms: the pack's form templates filled from the record, with the signatures."""
import re

from conftest import register


def _text(res):
    """The printed sheet as plain text (tags dropped, white space collapsed)."""
    assert res.status_code == 200, res.get_data(as_text=True)[:1000]
    html = res.get_data(as_text=True)
    sheet = re.search(r'<article class="sheet.*?</article>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", sheet).split())


def _name(user, ref, who):
    return user.get(f"/contacts/{ref}").get_json()[who]["name"]


def test_hotel_complaint_slip_carries_each_signature(login, web_login, frozen):
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(security, customer={"name": "赵先生", "phone": "13800000000",
                                           "room": "1208"})["ref"]
        transfer = security.post(f"/contacts/{ref}/transfers",
                                 json={"to_department": "front_office", "mode": "handover"})
    with frozen("2026-11-02T10:12:00+08:00"):
        front.post(f"/contacts/{ref}/transfers/{transfer.get_json()['id']}/accept")
        front.post(f"/contacts/{ref}/replies", json={"text": "您好，已为您更换空调，对不起。"})
        front.post(f"/contacts/{ref}/feedback", json={"text": "已更换"})
    with frozen("2026-11-02T11:00:00+08:00"):
        security.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 5})
    owner, handler = _name(security, ref, "owner"), _name(security, ref, "handler")
    me = web_login("demo-hotel", "security")
    page = me.get(f"/contacts/{ref}?lang=zh").get_data(as_text=True)
    assert f"/contacts/{ref}/print/complaint_slip" in page and "投诉/查询处理单" in page
    assert "/print/three_part_form" not in page
    text = _text(me.get(f"/contacts/{ref}/print/complaint_slip"))
    assert text.count("投诉/查询处理单") == 1
    for expected in ("宾客姓名 赵先生", "房号 1208", "联系电话 13800000000", "事项摘要 空调不制冷",
                     f"首问责任人 {owner} (保安部) 2026-11-02 10:00", "发单部门 保安部",
                     "发单时间 2026-11-02 10:00", "接单部门 前厅部", f"指定处理人 {handler}",
                     "处理结果 您好，已为您更换空调，对不起。", "答复宾客时间 2026-11-02 10:12",
                     "抄送 质检部"):
        assert expected in text, expected
    signatures = text[text.index("各部门签收"):text.index("处理结果")]      # (姓名/时间)
    assert "前厅部" in signatures and handler in signatures and "2026-11-02 10:12" in signatures
    assert "5/5" in text                                         # 回访情况
    # the handover record: the owner, who passed it on, who signed for it, with times
    assert f"保安部 {owner} 2026-11-02 10:00" in text
    assert f"前厅部 {handler} 2026-11-02 10:12" in text
    html = me.get(f"/contacts/{ref}/print/complaint_slip").get_data(as_text=True)
    assert "data-print" in html and "print.js" in html and "@page" in html and "no-print" in html
    english = _text(me.get(f"/contacts/{ref}/print/complaint_slip?lang=en"))
    assert "Complaint / inquiry slip" in english and "Room 1208" in english


def test_property_coordination_and_countersign_forms(login, web_login, frozen):
    service, engineering = (login("demo-property", "customer-service"),
                            login("demo-property", "engineering"))
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(service, matter_type="repair", summary="楼上漏水",
                       customer={"name": "李女士", "phone": "13600000000",
                                 "unit": "3-1502"})["ref"]
        res = service.post(f"/contacts/{ref}/coordination", json={
            "lead_department": "engineering", "departments": ["engineering", "cleaning"],
            "reason": "漏水涉及维修和清洁"})
        assert res.status_code == 201, res.get_json()
        engineering.post(f"/contacts/{ref}/coordination/agree", json={"note": "工程维修，保洁清理"})
    me = web_login("demo-property", "customer-service")
    text = _text(me.get(f"/contacts/{ref}/print/coordination_form?lang=zh"))
    for expected in ("客户接待事项协调单", "李女士", "联系电话 13600000000", "事项 楼上漏水",
                     "涉及部门 工程维修部、环境保洁部", "主办部门 工程维修部",
                     "协办部门及分工 环境保洁部", "客户服务主管协调意见 工程维修，保洁清理"):
        assert expected in text, expected
    text = _text(me.get(f"/contacts/{ref}/print/countersign_form?lang=zh"))
    for expected in ("会签单", "房号 3-1502", "来访事由 楼上漏水", "承办部门 工程维修部",
                     "第一联客服存根", "第四联交业主"):
        assert expected in text, expected
    # one signature line per department of the coordination; the lead's agreement signed
    html = me.get(f"/contacts/{ref}/print/countersign_form").get_data(as_text=True)
    rows = re.findall(r'<tr class="sig-countersign">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    assert "工程维修部" in rows[0] and "2026-11-02 10:00" in rows[0]
    assert "环境保洁部" in rows[1] and 'class="blank"' in rows[1]
    assert me.get(f"/contacts/{ref}/print/complaint_slip").status_code == 404


def test_government_three_part_form_and_record_sheet(login, web_login, frozen):
    reception, market = login("demo-government", "reception"), login("demo-government", "market")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(reception, matter_type="business", summary="办理营业执照",
                       customer={"name": "王先生", "phone": "13500000000"})["ref"]
        transfer = reception.post(f"/contacts/{ref}/transfers", json={
            "to_department": "market", "mode": "accompany", "note": "属市场监管职责"})
        assert transfer.status_code == 201, transfer.get_json()
    with frozen("2026-11-02T10:20:00+08:00"):
        market.post(f"/contacts/{ref}/transfers/{transfer.get_json()['id']}/accept")
        market.post(f"/contacts/{ref}/replies", json={"text": "已为您办理完毕。"})
        market.post(f"/contacts/{ref}/feedback", json={"text": "已办结"})
        reception.post(f"/contacts/{ref}/callbacks", json={"satisfaction": 3, "note": "等候较久"})
    handler = _name(reception, ref, "handler")
    me = web_login("demo-government", "reception")
    text = _text(me.get(f"/contacts/{ref}/print/three_part_form?lang=zh"))
    part1, part2, part3 = (text.index(p) for p in ("第一联", "第二联", "第三联"))
    assert part1 < part2 < part3
    assert "建议转办单位 市场监管窗口" in text[part1:part2]
    assert "转办理由 属市场监管职责" in text[part1:part2]
    assert f"承办人 {handler}" in text[part2:part3]
    assert "签收时间 2026-11-02 10:20" in text[part2:part3]
    assert "不得再转第三家" in text[part2:part3]
    assert "☐ 满意 / ☑ 基本满意 / ☐ 不满意" in text[part3:]        # from the callback
    assert "意见 等候较久" in text[part3:]
    text = _text(me.get(f"/contacts/{ref}/print/record_sheet?lang=zh"))
    for expected in ("首问责任登记表", f"编号 {ref}", "联系电话 13500000000", "事项内容 办理营业执照",
                     "承办部门 市场监管窗口"):
        assert expected in text, expected
    signatures = text[text.index("交接签字"):text.index("答复时间及结果")]
    assert "市场监管窗口" in signatures and handler in signatures and "10:20" in signatures
    assert me.get(f"/contacts/{ref}/print/countersign_form").status_code == 404


def test_bank_register_entry(login, web_login, frozen):
    counter = login("demo-bank", "counter")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(counter, matter_type="business", summary="开户",
                       customer={"name": "周女士", "phone": "13400000000"})["ref"]
    me = web_login("demo-bank", "counter")
    text = _text(me.get(f"/contacts/{ref}/print/register_entry?lang=zh"))
    for expected in ("首问登记簿", f"序号 {ref}", "日期时间 2026-11-02 10:00", "周女士",
                     "联系方式 13400000000", "内容摘要 开户", "部门负责人签字"):
        assert expected in text, expected


def test_unknown_forms_and_other_tenants_contacts_are_not_found(login, web_login, frozen):
    hotel = login("demo-hotel", "security")
    with frozen("2026-11-02T10:00:00+08:00"):
        ref = register(hotel)["ref"]
    me = web_login("demo-hotel", "security")
    assert me.get(f"/contacts/{ref}/print/nonsense").status_code == 404
    assert me.get(f"/contacts/{ref}/print/reply").status_code == 404     # a template, not a form
    assert me.get(f"/contacts/{ref}/print/register_entry").status_code == 404
    bank = web_login("demo-bank", "counter")
    assert bank.get(f"/contacts/{ref}/print/complaint_slip").status_code == 404
    assert bank.get(f"/contacts/{ref}/print/register_entry").status_code == 404


def test_offered_forms_follow_the_policy_not_the_pack(app):
    from core.web.printing import offered
    policy = {"wording": {"templates": {"reply": {"zh": "x", "en": "x"},
                                        "record_sheet": {"zh": "登记表　{ref}\n编号 | 日期时间",
                                                         "en": "Sheet\nRef. | Date"}}}}
    with app.test_request_context("/?lang=zh"):
        assert offered(policy) == [("record_sheet", "登记表")]
