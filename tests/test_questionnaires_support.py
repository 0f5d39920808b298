"""Helpers of the questionnaire tests (no tests here)."""


def closed_hotel_contact(login, frozen, at="2027-03-29T10:00:00+08:00"):
    """A hotel consultation handled, answered and closed by Security; returns its ref."""
    desk = login("demo-hotel", "security")
    with frozen(at):
        res = desk.post("/contacts", json={"channel": "phone", "matter_type": "consultation",
                                           "summary": "早餐几点开始",
                                           "customer": {"name": "赵先生", "phone": "13800000000",
                                                        "email": "zhao@example.com"}})
        assert res.status_code == 201, res.get_json()
        ref = res.get_json()["ref"]
        assert desk.post(f"/contacts/{ref}/handle").status_code == 200
        assert desk.post(f"/contacts/{ref}/replies", json={
            "text": "您好，早餐七点开始，谢谢您的耐心等待。"}).status_code == 201
        assert desk.post(f"/contacts/{ref}/close").status_code == 200
    return ref
