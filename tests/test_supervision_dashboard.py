"""The supervision dashboard and its drill-downs, on the March 2027 hotel story
(tests/supervision_stories.py: C1 on time throughout; C2 handed over 30 minutes late and
then left unanswered)."""
import re

from sqlalchemy import select
from supervision_stories import MARCH, hotel_story

from core.contacts.models import Contact
from core.extensions import db
from core.supervision import drilldown
from core.tenancy.models import Department, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

AT = "?period=month&at=2027-03"


def _tenant(slug="demo-hotel"):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _behind(tenant, metric, key="", department=None, staff_id=None):
    with tenant_scope(tenant.id):
        dept = None if department is None else db.session.scalar(
            select(Department.id).where(Department.code == department))
        cond = drilldown.condition(metric, key, MARCH, tenant.timezone, dept, staff_id)
        return set(db.session.scalars(select(Contact.ref).where(cond)))


def test_each_figure_drills_down_to_exactly_its_contacts(app, login, frozen, runner):
    c1, c2 = hotel_story(login, frozen, runner)
    t = _tenant()
    assert _behind(t, "contacts") == {c1, c2}
    assert _behind(t, "contacts.channel", "phone") == {c1, c2}
    assert _behind(t, "contacts.channel", "visit") == set()
    assert _behind(t, "clocks.breached", "transfer") == {c2}
    assert _behind(t, "clocks.met", "transfer") == {c1}
    assert _behind(t, "clocks.breached", "reply") == {c2}
    assert _behind(t, "clocks.breached", "reply", "security") == set()
    assert _behind(t, "clocks.breached", "transfer", "security") == {c2}
    assert _behind(t, "clocks.cancelled", "escalation") == {c2}
    assert _behind(t, "escalations.conflict", "", "front_office") == {c2}
    assert _behind(t, "escalations.conflict", "", "security") == {c2}
    assert _behind(t, "escalations.conflict", "", "housekeeping") == set()
    assert _behind(t, "escalations.to", "quality") == {c2}
    assert _behind(t, "violations.proposed", "late_transfer") == {c2}
    assert _behind(t, "violations.confirmed") == set()
    assert _behind(t, "callbacks", "reached") == {c1}
    assert _behind(t, "satisfaction", "5") == {c1}
    assert _behind(t, "satisfaction", "4") == set()
    # Another period counts nothing.
    with tenant_scope(t.id):
        cond = drilldown.condition("contacts", "", MARCH.shift(1), t.timezone)
        assert db.session.scalars(select(Contact.ref).where(cond)).all() == []


def _refs(html):
    return set(re.findall(r"\b(?:HT|[A-Z]{2,4})-?\d{4,}[-\d]*\b", html))


def test_dashboard_numbers_link_to_their_contacts(app, login, frozen, runner, web_login):
    c1, c2 = hotel_story(login, frozen, runner)
    inspector = web_login("demo-hotel", "inspector")
    for lang in ("zh", "en"):
        page = inspector.get(f"/supervision{AT}&lang={lang}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "<svg" in html and "<title" in html
        assert ("前厅部" in html) if lang == "zh" else ("Front" in html)
        assert "late_transfer" not in html.split("<main")[-1].replace('figure_key=late_transfer', '')
    html = inspector.get(f"/supervision{AT}&group_by=department&lang=en").get_data(as_text=True)
    links = re.findall(r'href="([^"]*figure=clocks.breached[^"]*figure_key=transfer[^"]*)"', html)
    assert links, "the breached transfer count links to the register"
    register_page = inspector.get(links[0].replace("&amp;", "&").split("/t/demo-hotel")[-1])
    text = register_page.get_data(as_text=True)
    assert c2 in text and c1 not in text
    assert 'id="figure-chip"' in text and "Breached" in text


def test_department_supervisor_sees_only_their_department(app, login, frozen, runner,
                                                          web_login):
    hotel_story(login, frozen, runner)
    lead = web_login("demo-hotel", "front-office-lead")
    page = lead.get(f"/supervision{AT}&lang=en")
    assert page.status_code == 200
    assert "Front" in page.get_data(as_text=True)
    assert lead.get(f"/supervision{AT}&department=security").status_code == 403
    assert lead.get(f"/supervision{AT}&department=front_office").status_code == 200
    staff = web_login("demo-hotel", "front-office")
    assert staff.get(f"/supervision{AT}").status_code == 403
    assert 'id="nav-supervision"' not in staff.get("/").get_data(as_text=True)
    assert 'id="nav-supervision"' in lead.get("/").get_data(as_text=True)


def test_bad_input_is_a_field_error_and_other_tenants_departments_are_404(app, web_login):
    inspector = web_login("demo-hotel", "inspector")
    for query, field in (("?period=fortnight", "period"), ("?period=month&at=2026-13", "at"),
                         ("?from=2026-11-05&to=2026-11-01", "to"), ("?group_by=nobody", "")):
        res = inspector.get(f"/supervision{query}&lang=en")
        assert res.status_code == 422, query
        assert 'class="err"' in res.get_data(as_text=True)
    zh = inspector.get("/supervision?period=fortnight&lang=zh").get_data(as_text=True)
    assert "请选择日、周、月、季度或年" in zh and "One of:" not in zh
    # demo-bank's departments are not the hotel's.
    with tenant_scope(_tenant("demo-bank").id):
        code = db.session.scalars(select(Department.code)).first()
    with tenant_scope(_tenant().id):
        assert db.session.scalar(select(Department.id).where(Department.code == code)) is None
    assert inspector.get(f"/supervision?department={code}").status_code == 404
    res = inspector.get("/register?figure=nonsense&figure_from=2027-03-01&figure_to=2027-03-31")
    assert res.status_code == 200 and 'class="err"' in res.get_data(as_text=True)
    res = inspector.get("/register?figure=contacts&figure_from=x&figure_staff=abc")
    assert res.status_code == 200


def test_api_summary_per_department_and_kind(app, login, frozen, runner, client):
    hotel_story(login, frozen, runner)
    inspector = login("demo-hotel", "inspector")
    body = inspector.get("/supervision/summary?period=month&at=2027-03").get_json()
    assert body["period"] == {"grain": "month", "key": "2027-03", "from": "2027-03-01",
                              "to": "2027-03-31"}
    assert body["groups"][0]["figures"]["contacts"]["total"] == 2
    rows = inspector.get("/supervision/summary?period=month&at=2027-03&group_by=department"
                         ).get_json()["groups"]
    conflict = {r["department"]["code"]: r["figures"]["escalations"]["conflict"]
                for r in rows if r["department"]}
    assert conflict["front_office"] == 2 and conflict["security"] == 1
    kinds = inspector.get("/supervision/summary?from=2027-03-01&to=2027-03-31&group_by=kind"
                          ).get_json()["groups"]
    transfer = next(r for r in kinds if r["kind"] == "transfer")["figures"]
    assert (transfer["met"], transfer["breached"]) == (1, 1)
    staff = inspector.get("/supervision/summary?period=month&at=2027-03&group_by=staff"
                          ).get_json()["groups"]
    assert any(r["staff"] and r["staff"]["username"] == "security" for r in staff)
    one = inspector.get("/supervision/summary?period=month&at=2027-03&department=front_office"
                        ).get_json()
    assert one["department"]["code"] == "front_office"


def test_api_summary_refuses_bad_input_and_other_departments(app, login):
    inspector = login("demo-hotel", "inspector")
    for query, field in (("group_by=kinds", "group_by"), ("period=fortnight", "period"),
                         ("period=month&at=2026-13", "at"), ("from=2026-11-05", "to"),
                         ("from=2026-11-05&to=2026-11-01", "to")):
        res = inspector.get(f"/supervision/summary?{query}")
        assert res.status_code == 422, query
        assert field in res.get_json()["error"]["fields"], (query, res.get_json())
    with tenant_scope(_tenant("demo-bank").id):
        bank_only = set(db.session.scalars(select(Department.code)))
    with tenant_scope(_tenant().id):
        bank_only -= set(db.session.scalars(select(Department.code)))
    res = inspector.get(f"/supervision/summary?department={min(bank_only)}")
    assert res.status_code == 404
    lead = login("demo-hotel", "front-office-lead")
    assert lead.get("/supervision/summary?department=security").status_code == 403
    mine = lead.get("/supervision/summary").get_json()
    assert mine["department"]["code"] == "front_office"
    assert login("demo-hotel", "front-office").get("/supervision/summary").status_code == 403
    spec = inspector.client.get("/api/v1/openapi.json").get_json()
    summary = spec["paths"]["/supervision/summary"]["get"]
    assert {p["name"] for p in summary["parameters"]} >= {"period", "at", "group_by"}
