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
