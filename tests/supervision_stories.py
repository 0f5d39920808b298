"""The stories the supervision tests share (figures, dashboard, assessments).

March 2027, where the demo tenants have no contacts, so every figure is the story's own.
"""
from datetime import date

from conftest import register

from core.supervision import periods

POLITE = "您好，已为您处理完毕，谢谢您的耐心等待。"
MARCH = periods.containing("month", date(2027, 3, 1))


def sweep(runner, at):
    result = runner.invoke(args=["sweep", "--at", at])
    assert result.exit_code == 0, result.output


def hotel_story(login, frozen, runner):
    """C1 on time throughout; C2 handed over 30 minutes late and then left unanswered."""
    security, front = login("demo-hotel", "security"), login("demo-hotel", "front-office")
    with frozen("2027-03-01T10:00:00+08:00"):                  # a Monday
        c1 = register(security, summary="空调不制冷")
    with frozen("2027-03-01T10:20:00+08:00"):
        tid = security.post(f"/contacts/{c1['ref']}/transfers",
                            json={"to_department": "front_office"}).get_json()["id"]
    with frozen("2027-03-01T10:25:00+08:00"):
        assert front.post(f"/contacts/{c1['ref']}/transfers/{tid}/accept").status_code == 200
    with frozen("2027-03-01T15:00:00+08:00"):
        assert front.post(f"/contacts/{c1['ref']}/replies", json={"text": POLITE}).status_code == 201
    with frozen("2027-03-01T15:10:00+08:00"):
        assert front.post(f"/contacts/{c1['ref']}/feedback",
                          json={"text": POLITE}).status_code == 201
    with frozen("2027-03-01T16:00:00+08:00"):
        assert security.post(f"/contacts/{c1['ref']}/callbacks",
                             json={"satisfaction": 5}).status_code == 201
    with frozen("2027-03-02T10:00:00+08:00"):
        c2 = register(security, summary="房间有异味")
    with frozen("2027-03-02T11:30:00+08:00"):                   # the hour ran out at 11:00
        tid = security.post(f"/contacts/{c2['ref']}/transfers",
                            json={"to_department": "front_office"}).get_json()["id"]
    with frozen("2027-03-02T11:35:00+08:00"):
        assert front.post(f"/contacts/{c2['ref']}/transfers/{tid}/accept").status_code == 200
    sweep(runner, "2027-03-03T18:00:00+08:00")     # reply and feedback were due 03-03 17:30
    return c1["ref"], c2["ref"]


def government_story(login, frozen):
    """October 2026 at the service hall, across National Day (tests/test_supervision_figures):
    G1 answered by the tax window; G2 handed to supervision late, signed for, answered."""
    tax, supervision = login("demo-government", "tax"), login("demo-government", "supervision")
    with frozen("2026-09-30T16:00:00+08:00"):
        g1 = register(tax, matter_type="consultation", summary="个体户定额核定咨询")
    with frozen("2026-10-09T10:00:00+08:00"):      # working day 2 after 30 Sep (8, 9 Oct)
        assert tax.post(f"/contacts/{g1['ref']}/replies", json={"text": POLITE}).status_code == 201
        g2 = register(tax, matter_type="complaint", summary="投诉窗口人员态度生硬")
    with frozen("2026-10-12T09:00:00+08:00"):      # 10 Oct counted: working day 2 of 1
        tid = tax.post(f"/contacts/{g2['ref']}/transfers",
                       json={"to_department": "supervision", "mode": "accompany"}
                       ).get_json()["id"]
    with frozen("2026-10-12T10:00:00+08:00"):
        assert supervision.post(
            f"/contacts/{g2['ref']}/transfers/{tid}/accept").status_code == 200
    with frozen("2026-10-14T11:00:00+08:00"):      # 13, 14 Oct: working day 2 of 3
        assert supervision.post(f"/contacts/{g2['ref']}/replies",
                                json={"text": POLITE}).status_code == 201


def bank_story(login, frozen, runner):
    """August 2026 at the branch (tests/test_supervision_figures): B1 answered at the
    counter, B2 handed to the office and called back (grade 3), B3 never handed over."""
    counter, office = login("demo-bank", "counter"), login("demo-bank", "office")
    with frozen("2026-08-03T10:00:00+08:00"):                   # a Monday
        b1 = register(counter, matter_type="consultation", summary="理财产品赎回咨询")
        b2 = register(counter, matter_type="complaint", summary="投诉排队时间过长")
    with frozen("2026-08-03T10:30:00+08:00"):
        assert counter.post(f"/contacts/{b1['ref']}/replies",
                            json={"text": POLITE}).status_code == 201
        tid = counter.post(f"/contacts/{b2['ref']}/transfers",
                           json={"to_department": "office"}).get_json()["id"]
    with frozen("2026-08-03T10:40:00+08:00"):
        assert office.post(f"/contacts/{b2['ref']}/transfers/{tid}/accept").status_code == 200
    with frozen("2026-08-04T15:00:00+08:00"):
        assert office.post(f"/contacts/{b2['ref']}/replies", json={"text": POLITE}).status_code == 201
    with frozen("2026-08-04T15:30:00+08:00"):
        assert office.post(f"/contacts/{b2['ref']}/feedback",
                           json={"text": POLITE}).status_code == 201
    with frozen("2026-08-05T10:00:00+08:00"):
        assert counter.post(f"/contacts/{b2['ref']}/callbacks",
                            json={"satisfaction": 3}).status_code == 201
        register(counter, matter_type="complaint", summary="投诉柜员态度")
    sweep(runner, "2026-08-05T12:00:00+08:00")
