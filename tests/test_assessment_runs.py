"""Stored assessment runs: run, review (entered scores, adjustments with a reason), publish
as a notice to the departments' inboxes, export; published runs never change.

The hotel numbers are the March 2027 story's (tests/supervision_stories.py, worked out by
hand in tests/test_assessments.py): Security 70.00 (rank 1), Front Office 66.67 (rank 2).
"""
import io

from conftest import register
from openpyxl import load_workbook
from sqlalchemy import select
from supervision_stories import bank_story, government_story, hotel_story

from core.extensions import db
from core.notify.inbox import Notification
from core.supervision.assessment_models import AssessmentAdjustment
from core.tenancy.models import Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped

MARCH = {"period": "month", "at": "2027-03"}


def _tenant(slug):
    with unscoped():
        return db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _by_code(body):
    return {r["department"]: r for r in body["rows"]}


def _notices(slug):
    with tenant_scope(_tenant(slug).id):
        rows = db.session.execute(select(Notification, Staff.username).join(
            Staff, Staff.id == Notification.staff_id).where(
            Notification.topic == "assessment.published")).all()
    return {username: note for note, username in rows}


def test_a_hotel_run_is_frozen_reviewed_published_and_then_never_changed(
        app, login, frozen, runner):
    hotel_story(login, frozen, runner)
    qi = login("demo-hotel", "inspector")
    with frozen("2027-04-02T09:00:00+08:00"):
        res = qi.post("/assessments", json={**MARCH, "note": "三月考核"})
    assert res.status_code == 201, res.get_json()
    run = res.get_json()
    assert (run["status"], run["revision"], run["period"]["key"]) == ("draft", 1, "2027-03")
    rows = _by_code(run)
    assert (rows["security"]["score"], rows["security"]["rank"]) == (70.0, 1)
    assert (rows["front_office"]["score"], rows["front_office"]["rank"]) == (66.67, 2)
    assert "quality" not in rows
    # A record made later in March does not move the frozen run.
    with frozen("2027-03-20T10:00:00+08:00"):
        register(login("demo-hotel", "security"), summary="迟到的记录")
    again = qi.get(f"/assessments/{run['id']}").get_json()
    assert _by_code(again)["security"]["components"] == rows["security"]["components"]

    # Review: an adjustment needs a reason, and re-ranks.
    no_reason = qi.post(f"/assessments/{run['id']}/adjustments",
                        json={"department": "front_office", "score": 75, "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    out_of_range = qi.post(f"/assessments/{run['id']}/adjustments",
                           json={"department": "front_office", "score": 101, "reason": "x"})
    assert out_of_range.status_code == 422 and "score" in out_of_range.get_json()["error"]["fields"]
    adjusted = qi.post(f"/assessments/{run['id']}/adjustments", json={
        "department": "front_office", "score": 75, "reason": "抽查证实回访到位"})
    assert adjusted.status_code == 201
    body = adjusted.get_json()
    front = _by_code(body)["front_office"]
    assert (front["computed"], front["score"], front["adjusted"], front["rank"]) == (
        66.67, 75.0, True, 1)
    assert _by_code(body)["security"]["rank"] == 2
    assert [(a["department"], a["before"], a["after"], a["reason"], a["by"])
            for a in body["adjustments"]] == [
        ("front_office", 66.67, 75.0, "抽查证实回访到位", "inspector")]

    # Publish: the notice reaches the assessed departments' staff and the supervisors.
    with frozen("2027-04-03T09:00:00+08:00"):
        published = qi.post(f"/assessments/{run['id']}/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    notices = _notices("demo-hotel")
    assert {"security", "front-office", "front-office-lead", "housekeeping"} <= set(notices)
    assert "inspector" not in notices          # who published is not told of it
    title, text = notices["security"].text("zh")
    assert "2027-03" in title and "第 1 名 前厅部：75.00" in text and "第 2 名 保安部：70.00" in text
    title_en, text_en = notices["security"].text("en")
    assert title_en == "Assessment notice for 2027-03 (revision 1)"

    # A published run is never changed: every review step is a 409.
    for path, payload in ((f"/assessments/{run['id']}/adjustments",
                           {"department": "security", "score": 90, "reason": "x"}),
                          (f"/assessments/{run['id']}/publish", None),
                          (f"/assessments/{run['id']}/scores", {"entered": {}})):
        refused = qi.post(path, json=payload)
        assert refused.status_code == 409, (path, refused.get_json())
        assert refused.get_json()["error"]["code"] == "run_published"

    # A correction is a new revision; publishing it supersedes the first.
    second = qi.post("/assessments", json=MARCH).get_json()
    assert (second["revision"], second["status"]) == (2, "draft")
    assert _by_code(second)["security"]["components"][0]["inputs"] == {"count": 1,
                                                                        "contacts": 3}
    assert qi.post(f"/assessments/{second['id']}/publish").status_code == 200
    first = qi.get(f"/assessments/{run['id']}").get_json()
    assert first["status"] == "superseded"
    assert [(r["revision"], r["status"]) for r in first["revisions"]] == [
        (2, "published"), (1, "superseded")]


def test_a_new_run_supersedes_the_draft_and_drafts_are_for_supervisors(app, login, frozen,
                                                                        runner):
    hotel_story(login, frozen, runner)
    qi, staff = login("demo-hotel", "inspector"), login("demo-hotel", "security")
    first = qi.post("/assessments", json=MARCH).get_json()
    second = qi.post("/assessments", json=MARCH).get_json()
    assert qi.get(f"/assessments/{first['id']}").get_json()["status"] == "superseded"
    assert qi.post(f"/assessments/{first['id']}/publish").get_json()["error"]["code"] == "run_superseded"
    # Plain staff: may not run, may not see a draft, may see the published notice.
    assert staff.post("/assessments", json=MARCH).status_code == 403
    assert staff.get(f"/assessments/{second['id']}").status_code == 403
    assert staff.get("/assessments").status_code == 403
    assert qi.post(f"/assessments/{second['id']}/publish").status_code == 200
    assert staff.get(f"/assessments/{second['id']}").status_code == 200
    # A department's supervisor sees the runs but neither runs nor publishes one.
    lead = login("demo-hotel", "security-lead")
    assert lead.get("/assessments").status_code == 200
    third = qi.post("/assessments", json=MARCH).get_json()
    assert lead.post("/assessments", json=MARCH).status_code == 403
    assert lead.post(f"/assessments/{third['id']}/publish").status_code == 403
    assert lead.get(f"/assessments/{third['id']}").status_code == 200
    # Another tenant's run is a plain 404.
    other = login("demo-bank", "admin")
    assert other.get(f"/assessments/{second['id']}").status_code == 404
    assert other.post(f"/assessments/{second['id']}/publish").status_code == 404


def test_a_week_or_bad_scores_are_refused_by_field(app, login):
    union = login("demo-bank", "inspector")
    week = union.post("/assessments", json={"period": "week", "at": "2027-W10"})
    assert week.status_code == 422 and "period" in week.get_json()["error"]["fields"]
    bad = union.post("/assessments", json={**MARCH, "entered": {
        "counter": {"register_kept": 120, "nope": 3}, "nowhere": {"x": 1}}})
    fields = bad.get_json()["error"]["fields"]
    assert bad.status_code == 422
    assert set(fields) == {"entered.counter.register_kept",
                           "entered.counter.nope", "entered.nowhere"}
    not_a_number = union.post("/assessments", json={**MARCH, "entered": {
        "counter": {"register_kept": "lots"}}})
    assert not_a_number.status_code == 422


def test_entered_scores_during_review_rescore_from_frozen_inputs(app, login):
    """The bank's counter: register 90 (25), complaints 80 (25) -> 85; staff opinion 70
    (15) and wording 70 (10) arrive later -> (2250 + 2000 + 1050 + 700) / 75 = 80.00 (no
    clocks: the on-time component is left out).  (The property's questionnaire groups are
    computed from the answers now: tests/test_questionnaires.py.)"""
    union = login("demo-bank", "inspector")
    run = union.post("/assessments", json={**MARCH, "entered": {
        "counter": {"register_kept": 90, "client_complaints": 80}}}).get_json()
    assert _by_code(run)["counter"]["score"] == 85.0
    later = union.post(f"/assessments/{run['id']}/scores", json={"entered": {
        "counter": {"staff_opinion": 70, "wording": 70}, "operations": {"register_kept": 60}}})
    assert later.status_code == 200, later.get_json()
    rows = _by_code(later.get_json())
    assert (rows["counter"]["score"], rows["counter"]["rank"]) == (80.0, 1)
    assert (rows["operations"]["score"], rows["operations"]["rank"]) == (60.0, 2)
    assert rows["counter"]["entered"] == {"register_kept": 90.0, "client_complaints": 80.0,
                                          "staff_opinion": 70.0, "wording": 70.0}
    kinds = [(a["kind"], a["component"], a["after"]) for a in later.get_json()["adjustments"]]
    assert ("entered", "staff_opinion", 70.0) in kinds


def test_the_export_holds_the_ranking_and_a_reason_cannot_run_as_a_formula(app, login):
    union = login("demo-bank", "inspector")
    run = union.post("/assessments", json={**MARCH, "entered": {
        "counter": {"register_kept": 90, "client_complaints": 80, "staff_opinion": 70,
                    "wording": 70}}}).get_json()
    union.post(f"/assessments/{run['id']}/adjustments", json={
        "department": "counter", "score": 88, "reason": "=HYPERLINK(\"http://x\")"})
    res = union.get(f"/assessments/{run['id']}/export.xlsx", headers={"Accept-Language": "en"})
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(res.data))
    ranking = list(book["Assessment"].values)
    assert ranking[0][:4] == ("Period", "2027-03", "Revision", 1)
    assert ranking[1][0:2] == ("Rank", "Department")
    counter = next(r for r in ranking[2:] if r[1] == "Counter / retail banking")
    assert counter[0] == 1 and counter[-3:] == (80.0, 88.0, "yes")
    trail = list(book["Adjustments"].values)
    assert trail[1][-1] == "'=HYPERLINK(\"http://x\")"
    with tenant_scope(_tenant("demo-bank").id):
        assert db.session.scalars(select(AssessmentAdjustment.reason)).all() == [
            "=HYPERLINK(\"http://x\")"]      # stored as typed; defused only in the sheet


def test_government_october_scores_the_tax_window_from_its_clocks_and_entered_scores(
        app, login, frozen):
    """Tax window, October 2026 (tests/supervision_stories.government_story): its clocks met
    1 (G1's reply), breached 1 (G2's late handover) -> on time 50; no callback; entered
    wording 80, register 100, transfers 60 -> (35 × 50 + 15 × 80 + 10 × 100 + 10 × 60) / 70
    = 4550 / 70 = 65.00.  The supervision office assesses and is not assessed."""
    government_story(login, frozen)
    office = login("demo-government", "inspector")
    run = office.post("/assessments", json={"from": "2026-10-01", "to": "2026-10-31",
                                            "entered": {"tax": {"wording": 80,
                                                                "register_complete": 100,
                                                                "correct_transfer": 60}}})
    assert run.status_code == 201, run.get_json()
    body = run.get_json()
    assert body["period"] == {"grain": "range", "key": "2026-10-01..2026-10-31",
                              "from": "2026-10-01", "to": "2026-10-31"}
    tax = _by_code(body)["tax"]
    assert [c["value"] for c in tax["components"]] == [50.0, None, 80.0, 100.0, 60.0]
    assert tax["components"][0]["inputs"] == {"met": 1, "breached": 1, "rate": 0.5}
    assert (tax["score"], tax["rank"]) == (65.0, 1)
    assert "supervision" not in _by_code(body)


def test_bank_union_rates_the_counter_from_august_and_its_inspection(
        app, login, frozen, runner):
    """Counter, August 2026 (bank_story): met 3, breached 1 (B3 never handed over) -> 75;
    register 100, complaints 80, staff 60, wording 90 -> (25 × 100 + 25 × 75 + 25 × 80
    + 15 × 60 + 10 × 90) / 100 = 81.75.  Office: met 3 of 3, nothing entered -> 100."""
    bank_story(login, frozen, runner)
    union = login("demo-bank", "inspector")
    body = union.post("/assessments", json={"from": "2026-08-01", "to": "2026-08-31",
                                            "entered": {"counter": {
                                                "register_kept": 100, "client_complaints": 80,
                                                "staff_opinion": 60, "wording": 90}}}
                      ).get_json()
    rows = _by_code(body)
    assert (rows["counter"]["score"], rows["counter"]["rank"]) == (81.75, 2)
    assert (rows["office"]["score"], rows["office"]["rank"]) == (100.0, 1)
    assert "union" not in rows
    assert union.post(f"/assessments/{body['id']}/publish").status_code == 200
    notices = _notices("demo-bank")
    assert {"counter", "counter-lead", "office"} <= set(notices)
