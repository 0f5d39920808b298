from conftest import deadline, register


def test_hotel_complaint_from_registration_to_close(login, frozen):
    security = login("demo-hotel", "security")
    front = login("demo-hotel", "front-office")
    with frozen("2026-10-01T09:00:00+08:00"):
        c = register(security, channel="phone", matter_type="complaint")
        assert c["owner"]["username"] == "security"
        assert c["state"] == "registered"
        t = deadline(c, "transfer")
        assert t["due_at"] == "2026-10-01T02:00:00+00:00"   # 1 hour on the wall clock
    with frozen("2026-10-01T09:30:00+08:00"):
        res = security.post(f"/contacts/{c['ref']}/transfers",
                            json={"to_department": "front_office", "mode": "handover"})
        assert res.status_code == 201, res.get_json()
        tid = res.get_json()["id"]
        res = front.post(f"/contacts/{c['ref']}/transfers/{tid}/accept")
        assert res.status_code == 200, res.get_json()
        c = res.get_json()
        assert deadline(c, "transfer")["status"] == "met"
        assert deadline(c, "accept")["status"] == "met"
        reply = deadline(c, "reply")
        # 1 working day on a 7-day calendar: closing time the next day
        assert reply["due_at"] == "2026-10-02T09:30:00+00:00"
        res = front.post(f"/contacts/{c['ref']}/replies", json={"text": "这不是我的事"})
        assert res.status_code == 422
        assert res.get_json()["error"]["code"] == "banned_phrase"
        res = front.post(f"/contacts/{c['ref']}/replies",
                         json={"text": "您好，空调已修好，给您带来不便，对不起。"})
        assert res.status_code == 201, res.get_json()
        res = front.post(f"/contacts/{c['ref']}/feedback", json={"text": "已处理完毕"})
        assert res.status_code == 201, res.get_json()
        assert res.get_json()["state"] == "awaiting_callback"
        res = security.post(f"/contacts/{c['ref']}/callbacks", json={"satisfaction": 5})
        assert res.status_code == 201, res.get_json()
        res = security.post(f"/contacts/{c['ref']}/close")
        assert res.status_code == 200, res.get_json()
        assert res.get_json()["state"] == "closed"
    v = security.get("/violations").get_json()["items"]
    assert [x["trigger"] for x in v] == ["banned_phrase"]
