"""The scheduled supervision report: once per period per recipient, at the tenant's own day
and local time, to the supervising roles only, in both languages, by inbox and e-mail."""
from datetime import UTC, datetime

import pytest
from conftest import register
from sqlalchemy import select

from core import jobs
from core.extensions import db
from core.notify.inbox import Notification
from core.notify.mail import OutgoingEmail as Email
from core.notify.outbox import OutboxMessage
from core.supervision import report
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.permissions import OVERSEERS
from core.tenancy.scoping import tenant_scope, unscoped

JOB = "core.supervision.report.report_all"


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _run(frozen, at):
    with frozen(at):
        jobs.enqueue(JOB, None, now=True)


def _rows(slug, model, **where):
    with tenant_scope(_tenant(slug).id):
        stmt = select(model).execution_options(populate_existing=True)
        if model is OutboxMessage:
            stmt = stmt.where(OutboxMessage.topic == report.TOPIC)
        return db.session.scalars(stmt.order_by(model.id)).all()


def _names(slug, ids):
    with tenant_scope(_tenant(slug).id):
        return set(db.session.scalars(select(Staff.username).where(Staff.id.in_(ids))))


def _supervisors(slug):
    """Who should get it: the overseeing roles and the hotel's Quality Inspection staff."""
    with tenant_scope(_tenant(slug).id):
        rows = db.session.execute(select(Staff.username, Staff.role, Department.code).outerjoin(
            Department, Staff.department_id == Department.id)).all()
    return {u for u, role, code in rows if role in OVERSEERS or code == "quality"}


def _march_contact(login, frozen):
    with frozen("2027-03-10T10:00:00+08:00"):
        register(login("demo-hotel", "security"), summary="空调不制冷")


def test_monthly_report_goes_out_once_on_the_first_at_eight_to_the_supervisors(
        app, login, frozen):
    _march_contact(login, frozen)
    _run(frozen, "2027-04-01T07:59:00+08:00")              # not before its time
    assert _rows("demo-hotel", OutboxMessage) == []
    _run(frozen, "2027-04-01T08:00:00+08:00")
    _run(frozen, "2027-04-01T08:15:00+08:00")              # a second run, a retry
    _run(frozen, "2027-04-20T08:00:00+08:00")
    rows = _rows("demo-hotel", OutboxMessage)
    recipients = [r.payload["staff_id"] for r in rows]
    assert len(recipients) == len(set(recipients))          # once per recipient
    got = _names("demo-hotel", recipients)
    assert got == _supervisors("demo-hotel")
    assert {"inspector", "quality", "admin"} <= got
    assert not {"security", "front-office", "front-office-lead"} & got
    first = rows[0].payload
    assert first["period"] == "2027-03" and first["totals"]["contacts"] == 1
    assert first["path"] == "/t/demo-hotel/supervision?period=month&at=2027-03"
    assert {r.key for r in rows} == {f"report:month:2027-03:{s}" for s in recipients}
    # Delivered: an inbox item and an e-mail each, in the tenant's language (zh).
    notes = [n for n in _rows("demo-hotel", Notification) if n.topic == report.TOPIC]
    assert _names("demo-hotel", [n.staff_id for n in notes]) == got
    zh_title, zh_body = notes[0].text("zh")
    assert zh_title == "监督报告：2027-03" and "受理件数：1" in zh_body and "分部门" in zh_body
    en_title, en_body = notes[0].text("en")
    assert en_title == "Supervision report for 2027-03" and "Contacts: 1" in en_body
    mails = [m for m in _rows("demo-hotel", Email) if m.subject.startswith("监督报告")]
    assert len(mails) == len(got)
    assert "/t/demo-hotel/supervision?period=month&at=2027-03" in mails[0].body
    # May's run reports April, once.
    _run(frozen, "2027-05-01T08:00:00+08:00")
    periods_sent = [r.payload["period"] for r in _rows("demo-hotel", OutboxMessage)]
    assert periods_sent.count("2027-04") == len(got) and periods_sent.count("2027-03") == len(got)


def test_the_tenants_time_zone_and_chosen_day_and_time_decide(app, frozen):
    tenant = _tenant("demo-hotel")
    tenant.timezone, tenant.report_day, tenant.report_time = "Europe/London", 3, "09:30"
    db.session.flush()
    # 09:30 on 3 April in London is 16:30 in Shanghai; earlier it is not due.
    _run(frozen, "2027-04-03T16:29:00+08:00")
    assert _rows("demo-hotel", OutboxMessage) == []
    _run(frozen, "2027-04-03T16:30:00+08:00")
    assert {r.payload["period"] for r in _rows("demo-hotel", OutboxMessage)} == {"2027-03"}


def test_due_periods_for_each_frequency():
    t = Tenant(slug="x", name="x", pack_key="hotel", timezone="Asia/Shanghai",
               report_frequency="weekly", report_day=1, report_time="08:00")
    at = datetime(2027, 4, 5, 0, 0, tzinfo=UTC)              # Monday 08:00 in Shanghai
    assert report.due(t, at).key == "2027-W13"
    t.report_frequency = "quarterly"
    assert report.due(t, at).key == "2027-Q1"                # due since 1 April 08:00
    assert report.due(t, datetime(2027, 3, 31, 23, 59, tzinfo=UTC)) is None   # 07:59 local
    t.report_frequency = "off"
    assert report.due(t, at) is None


def test_off_sends_nothing(app, login, frozen):
    _march_contact(login, frozen)
    _tenant("demo-hotel").report_frequency = "off"
    db.session.flush()
    _run(frozen, "2027-04-01T09:00:00+08:00")
    assert _rows("demo-hotel", OutboxMessage) == []
    assert _rows("demo-bank", OutboxMessage) != []           # others keep their default


def test_english_tenant_gets_english_mail_and_a_repeat_never_doubles(app, login, frozen):
    tenant = _tenant("demo-hotel")
    tenant.languages = ["en", "zh"]
    db.session.flush()
    with tenant_scope(tenant.id):
        inspector = db.session.scalar(select(Staff.id).where(Staff.username == "inspector"))
        # Another worker already sent the inspector's copy.
        from core.notify import outbox
        outbox.emit(report.TOPIC, {"staff_id": inspector, "period": "2027-03"}, tenant_id=tenant.id,
                    key=f"report:month:2027-03:{inspector}")
        at = datetime(2027, 4, 1, 1, 0, tzinfo=UTC)
        sent = report.send_reports(tenant.id, at)
        assert sent == len(_supervisors("demo-hotel")) - 1
        assert report.send_reports(tenant.id, at) == 0
    db.session.commit()
    mails = [m for m in _rows("demo-hotel", Email) if "Supervision report" in m.subject]
    assert mails and all(m.subject == "Supervision report for 2027-03" for m in mails)
    assert len(mails) == len(_supervisors("demo-hotel"))
    assert "Open the figures:" in mails[-1].body and "On time:" in mails[-1].body


@pytest.mark.parametrize("over,field", [({"report_time": "8am"}, "report_time"),
                                        ({"report_day": "31"}, "report_day"),
                                        ({"report_frequency": "daily"}, "report_frequency")])
def test_settings_page_sets_the_schedule_and_refuses_nonsense(web_login, over, field):
    admin = web_login("demo-hotel", "admin")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "定期监督报告" in page and "每月" in page
    form = {"name": "示范酒店", "timezone": "Asia/Shanghai", "languages": ["zh", "en"],
            "default_language": "zh", "ref_prefix": "HT", "report_frequency": "quarterly",
            "report_day": "5", "report_time": "07:30"}
    bad = admin.post("/admin/settings", {**form, **over})
    assert bad.status_code == 422 and 'class="err"' in bad.get_data(as_text=True)
    assert admin.post("/admin/settings", form).status_code == 302
    tenant = _tenant("demo-hotel")
    db.session.refresh(tenant)
    assert (tenant.report_frequency, tenant.report_day, tenant.report_time) == \
        ("quarterly", 5, "07:30")
