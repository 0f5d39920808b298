"""Copies (抄送): the departments a pack copies a step to are told in their inbox (and by
e-mail), and find each copy in their "copied to us" list; never the one who took the step,
never inactive staff, never another tenant.  The relay is on (eager jobs): what the demo
showed broken, end to end."""
import re

from conftest import register
from notify_support import staff, tenant_id
from sqlalchemy import event, select

from core.contacts.models import Contact, ContactCopy
from core.extensions import db
from core.notify import inbox as notifications
from core.notify.mail import OutgoingEmail
from core.tenancy.scoping import tenant_scope

T0 = "2026-11-02T10:00:00+08:00"


def _inbox(slug, username):
    """[(topic, reason, ref)] of one person's inbox, newest first."""
    person = staff(slug, username)
    with tenant_scope(person.tenant_id):
        return [(n.topic, n.params["reason"], n.params.get("ref"))
                for n in notifications.inbox(person.id)]


def _copies(slug, username, ref):
    return [topic for topic, reason, r in _inbox(slug, username) if reason == "copy" and r == ref]


def _deactivate(slug, username):
    person = staff(slug, username)
    with tenant_scope(person.tenant_id):
        person.active = False
        db.session.commit()


def _handover(user, ref, to="engineering"):
    res = user.post(f"/contacts/{ref}/transfers", json={"to_department": to})
    assert res.status_code == 201, res.get_json()
    return res.get_json()["id"]


def _rows(res):
    """[(ref, step)] of the "copied to us" list, in page order."""
    assert res.status_code == 200, res.get_data(as_text=True)[:800]
    return re.findall(r'<tr data-ref="([^"]+)" data-step="([^"]+)"', res.get_data(as_text=True))


def _link(res, which):
    found = re.search(rf'id="page-{which}" href="([^"]+)"', res.get_data(as_text=True))
    return found and found.group(1).replace("&amp;", "&")


def _slip(login, frozen):
    """Security hands a repair to Engineering, which signs and reports back: both steps are
    copied to Quality Inspection (hotel seed 000)."""
    security, engineering = login("demo-hotel", "security"), login("demo-hotel", "engineering")
    with frozen(T0):
        c = register(security, matter_type="repair", summary="客房空调不制冷")
        tid = _handover(security, c["ref"])
    with frozen("2026-11-02T10:30:00+08:00"):
        assert engineering.post(f"/contacts/{c['ref']}/transfers/{tid}/accept").status_code == 200
        assert engineering.post(f"/contacts/{c['ref']}/feedback",
                                json={"text": "已更换压缩机"}).status_code == 201
    return c["ref"]


def test_the_hotel_copies_the_slip_and_its_result_to_quality_inspection(login, web_login,
                                                                        frozen):
    _deactivate("demo-hotel", "quality")              # inactive staff are never told
    ref = _slip(login, frozen)
    security, engineer = staff("demo-hotel", "security"), staff("demo-hotel", "engineering")
    for username in ("quality-lead", "inspector"):
        assert _copies("demo-hotel", username, ref) == ["contact.feedback",
                                                         "contact.transferred"], username
    assert _inbox("demo-hotel", "quality") == []
    for username in ("security", "engineering", "housekeeping"):   # not QI: no copies
        assert _copies("demo-hotel", username, ref) == [], username
    # The steps' own recipients keep their reason (sign for it, call back).
    assert ("contact.transferred", "to_accept", ref) in _inbox("demo-hotel", "engineering")
    assert ("contact.feedback", "callback_due", ref) in _inbox("demo-hotel", "security")

    qi = web_login("demo-hotel", "quality-lead")
    zh = qi.get("/inbox?lang=zh").get_data(as_text=True)
    assert f"抄送：{ref}，已转办 → 工程部（{security.name}）" in zh
    assert f"抄送：{ref}，已反馈首问责任人（{engineer.name}）" in zh
    en = qi.get("/inbox?lang=en").get_data(as_text=True)
    assert f"Copy: {ref}, Transferred → Engineering ({security.name})" in en
    # ... and by e-mail, like every other reason (rows kept as skipped without SMTP)
    lead = staff("demo-hotel", "quality-lead")
    with tenant_scope(lead.tenant_id):
        subjects = set(db.session.scalars(select(OutgoingEmail.subject).where(
            OutgoingEmail.staff_id == lead.id)))
        assert {f"抄送：{ref}，已转办 → 工程部（{security.name}）",
                f"抄送：{ref}，已反馈首问责任人（{engineer.name}）"} <= subjects
        assert db.session.scalars(select(OutgoingEmail).where(
            OutgoingEmail.staff_id == staff("demo-hotel", "quality").id)).all() == []

    page = qi.get("/copies?lang=zh")
    assert _rows(page) == [(ref, "feedback"), (ref, "transferred")]       # newest first
    html = page.get_data(as_text=True)
    assert f'href="/t/demo-hotel/contacts/{ref}"' in html
    assert security.name in html and engineer.name in html and "已转办" in html
    assert 'id="nav-copies"' in html and "抄送本部门" in html
    # The contact's timeline says where the handover was copied.
    timeline = web_login("demo-hotel", "security").get(f"/contacts/{ref}?lang=zh") \
        .get_data(as_text=True).split('id="timeline"')[1]
    transferred = timeline.split('class="ev-transferred"')[1].split("</li>")[0]
    assert "抄送 质检部" in transferred


def test_the_one_who_took_the_step_is_not_sent_its_copy(login, web_login, frozen):
    inspector = login("demo-hotel", "inspector")              # sits in Quality Inspection
    with frozen(T0):
        c = register(inspector, matter_type="repair")
        _handover(inspector, c["ref"])
    assert _copies("demo-hotel", "inspector", c["ref"]) == []
    assert _copies("demo-hotel", "quality-lead", c["ref"]) == ["contact.transferred"]
    # The department's list still holds it: the record is the department's, not a message.
    assert _rows(web_login("demo-hotel", "inspector").get("/copies")) == [
        (c["ref"], "transferred")]


def test_copied_to_us_pages_show_each_copy_once(app, login, web_login, frozen, monkeypatch):
    from core.web import copies as page
    security = login("demo-hotel", "security")
    refs = []
    with frozen(T0):
        for n in range(5):
            c = register(security, matter_type="repair", summary=f"事项 {n}")
            _handover(security, c["ref"])
            refs.append(c["ref"])
    me = web_login("demo-hotel", "quality-lead")
    monkeypatch.setattr(page, "PAGE", 2)
    going, res = [], me.get("/copies")
    while True:
        going.append([r for r, _ in _rows(res)])
        older = _link(res, "older")
        if not older:
            break
        res = me.client.get(older)
    assert going == [refs[4:2:-1], refs[2:0:-1], refs[:1]]
    back = [going[-1]]
    while newer := _link(res, "newer"):
        res = me.client.get(newer)
        back.append([r for r, _ in _rows(res)])
    assert back[::-1] == going

    def statements(size):
        monkeypatch.setattr(page, "PAGE", size)
        seen = []

        def listener(conn, cursor, statement, *args):
            if "contact_copies" in statement:
                seen.append(statement)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert len(_rows(me.get("/copies"))) == min(size, 5)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)
    assert statements(1) == statements(50) == 1         # one statement whatever the rows


def test_another_tenants_copies_are_never_shown(login, web_login, frozen):
    hotel_ref = _slip(login, frozen)
    desk = login("demo-property", "customer-service")
    with frozen(T0):
        c = register(desk, matter_type="repair", category="simple", summary="更换门禁读卡器")
        _handover(desk, c["ref"])
    theirs = web_login("demo-property", "customer-service-lead")
    assert [r for r, _ in _rows(theirs.get("/copies"))] == [c["ref"]]
    inspector = web_login("demo-hotel", "inspector")
    assert inspector.get("/copies?department=customer_service").status_code == 404
    hotel = [r for r, _ in _rows(inspector.get("/copies?department=quality"))]
    assert hotel == [hotel_ref, hotel_ref] and c["ref"] not in hotel
    with tenant_scope(tenant_id("demo-hotel")):                   # the rows themselves
        assert set(db.session.scalars(select(Contact.ref).join(
            ContactCopy, ContactCopy.contact_id == Contact.id))) == {hotel_ref}
    # Another department's copies are for supervisors only; one's own is everyone's.
    security = web_login("demo-hotel", "security")
    assert security.get("/copies?department=quality").status_code == 403
    assert _rows(security.get("/copies")) == []
    assert inspector.get("/copies?department=security").status_code == 200


def test_a_pack_that_copies_nothing_makes_no_copies(login, web_login, frozen):
    """The government pack copies no step (``transfer.copy_to`` is empty, no hook)."""
    tax = login("demo-government", "tax")
    with frozen(T0):
        c = register(tax, matter_type="complaint", summary="投诉窗口排队时间过长")
        _handover(tax, c["ref"], to="housing")
    with tenant_scope(tenant_id("demo-government")):
        assert db.session.scalars(select(ContactCopy)).all() == []
    for username in ("supervision", "supervision-lead", "inspector", "admin", "housing"):
        assert [r for _, r, _ in _inbox("demo-government", username)
                if r == "copy"] == [], username
    for username in ("admin", "supervision"):
        me = web_login("demo-government", username)
        assert 'id="nav-copies"' not in me.get("/").get_data(as_text=True), username
        assert _rows(me.get("/copies")) == []


def test_a_pack_hook_copy_reaches_the_leadership_and_shows_the_link(login, web_login, frozen):
    """The bank copies a major public-opinion matter to the leadership through its own hook
    (no ``copy_to``): the leadership is told and the link appears once there is a copy."""
    counter = login("demo-bank", "counter")
    leaders = web_login("demo-bank", "leadership")
    assert 'id="nav-copies"' not in leaders.get("/").get_data(as_text=True)
    with frozen(T0):
        major = register(counter, matter_type="complaint", category="public_opinion",
                         summary="客户称将向媒体曝光理财亏损")
        register(counter, matter_type="complaint", summary="排队时间长")
    assert _copies("demo-bank", "leadership", major["ref"]) == ["contact.registered"]
    html = leaders.get("/").get_data(as_text=True)
    assert 'id="nav-copies"' in html
    assert _rows(leaders.get("/copies")) == [(major["ref"], "registered")]
