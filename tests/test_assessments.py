"""Period assessments computed from each pack's components and weights, by hand.

The stories happen in 2027, where the demo tenants have no contacts, so every figure is the
story's own.  Stored runs, review, publishing and export are not built yet on this branch.
"""
from datetime import date, datetime, timezone

import pytest
from marshmallow import ValidationError
from sqlalchemy import select
from supervision_stories import MARCH, hotel_story

from core.extensions import db
from core.policy.plugins import PackManager
from core.policy.schema import validate_policy
from core.supervision import assessments, figures, periods
from core.tenancy.models import Department, Staff, Tenant
from core.tenancy.scoping import tenant_scope, unscoped
from policy_packs.hotel.policy import POLICY as HOTEL

Q1 = periods.containing("quarter", date(2027, 1, 1))
YEAR = periods.containing("year", date(2027, 1, 1))


def _rows(slug, period, entered=None):
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    with tenant_scope(tenant.id):
        result = assessments.compute(tenant, period, entered)
    return {r["code"]: r for r in result["rows"]}


def test_hotel_scores_from_the_months_figures(app, login, frozen, runner):
    """Security (the owner's department): 2 contacts, 1 conflict escalation ->
    100 × (1 − 1/2) = 50; clocks met 2 (transfer, callback), late 1 (transfer) -> 66.67;
    satisfaction 5 -> (5 − 1) / 4 × 100 = 100.  Score 0.4 × 50 + 0.3 × 66.67 + 0.3 × 100
    = 70.00.  Front Office: no contacts of its own (no escalation value), clocks met 4
    (accept 2, reply, feedback), late 2 -> 66.67, no graded callback: only deadlines count,
    score 66.67.  Security ranks 1, Front Office 2; the rest have no score."""
    hotel_story(login, frozen, runner)
    rows = _rows("demo-hotel", MARCH)
    security, front = rows["security"], rows["front_office"]
    assert [c["value"] for c in security["components"]] == [50.0, 66.67, 100.0]
    assert security["score"] == 70.0 and security["rank"] == 1
    assert [c["value"] for c in front["components"]] == [None, 66.67, None]
    assert front["score"] == 66.67 and front["rank"] == 2
    assert rows["housekeeping"]["score"] is None and rows["housekeeping"]["rank"] is None
    assert "quality" not in rows            # the assessing department is not assessed
    assert security["components"][0]["inputs"] == {"count": 1, "contacts": 2}


def _answers(slug, answers):
    """Questionnaire answers in March 2027: ``{department: {group: [0-100, ...]}}``."""
    from core.voice.questionnaire_models import (
        Questionnaire,
        QuestionnaireAnswer,
        QuestionnaireLink,
    )
    with unscoped():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    at = datetime(2027, 3, 30, 2, tzinfo=timezone.utc)
    with tenant_scope(tenant.id):
        codes = {d.code: d.id for d in db.session.scalars(select(Department))}
        admin = db.session.scalars(select(Staff).where(Staff.username == "admin")).one()
        q = Questionnaire(tenant_id=tenant.id, title="问卷", audience="staff", questions=["q"],
                          scale_min=0, scale_max=100, department_ids=list(codes.values()),
                          group_keys=[], created_by_id=admin.id, created_at=at)
        db.session.add(q)
        db.session.flush()
        for code, groups in answers.items():
            for group, values in groups.items():
                for i, value in enumerate(values):
                    link = QuestionnaireLink(
                        tenant_id=tenant.id, questionnaire_id=q.id, department_id=codes[code],
                        group_key=group, digest=f"{code}-{group}-{i}", created_at=at,
                        expires_at=at, used_at=at)
                    db.session.add(link)
                    db.session.flush()
                    db.session.add(QuestionnaireAnswer(
                        tenant_id=tenant.id, link_id=link.id, questionnaire_id=q.id,
                        department_id=codes[code], group_key=group, day=date(2027, 3, 31),
                        values=[value], score_centi=value * 100, comment="", at=at))
        db.session.flush()


def test_property_questionnaire_groups_weigh_40_40_20(app):
    """Engineering: 90, 80 (two answers: 70 and 90), 70 -> 0.4 × 90 + 0.4 × 80 + 0.2 × 70
    = 82.  Security: 100, 60, 50 -> 40 + 24 + 10 = 74.  Cleaning: only the first group so
    far, 85 -> 85.  Residents' answers (group ``customers``) count in no component."""
    _answers("demo-property", {
        "engineering": {"customer_supervisors": [90], "other_managers": [70, 90],
                        "team_leaders": [70], "customers": [0]},
        "security": {"customer_supervisors": [100], "other_managers": [60],
                     "team_leaders": [50]},
        "cleaning": {"customer_supervisors": [85]}})
    rows = _rows("demo-property", MARCH)
    assert (rows["engineering"]["score"], rows["engineering"]["rank"]) == (82.0, 2)
    assert rows["engineering"]["components"][1]["inputs"] == {
        "group": "other_managers", "answers": 2, "mean": 80.0}
    assert (rows["security"]["score"], rows["security"]["rank"]) == (74.0, 3)
    assert (rows["cleaning"]["score"], rows["cleaning"]["rank"]) == (85.0, 1)
    assert "customer_service" not in rows


def test_government_quarter_without_contacts_weighs_what_was_entered(app):
    """No contacts in 2027 Q1: on-time and satisfaction have no data.  Tax: wording 80,
    register 100, transfers 60 -> (15 × 80 + 10 × 100 + 10 × 60) / 35 = 2800 / 35 = 80."""
    rows = _rows("demo-government", Q1, {
        "tax": {"wording": 80, "register_complete": 100, "correct_transfer": 60}})
    assert rows["tax"]["score"] == 80.0 and rows["tax"]["rank"] == 1
    assert [c["value"] for c in rows["tax"]["components"]][:2] == [None, None]
    assert rows["market"]["score"] is None and "supervision" not in rows


def test_bank_year_rating_by_the_union(app):
    """Counter: register 100, complaints 80, staff 60, wording 90, no clocks ->
    (25 × 100 + 25 × 80 + 15 × 60 + 10 × 90) / 75 = 6300 / 75 = 84.  Credit: all 70 -> 70."""
    rows = _rows("demo-bank", YEAR, {
        "counter": {"register_kept": 100, "client_complaints": 80, "staff_opinion": 60,
                    "wording": 90},
        "credit": {"register_kept": 70, "client_complaints": 70, "staff_opinion": 70,
                   "wording": 70}})
    assert (rows["counter"]["score"], rows["counter"]["rank"]) == (84.0, 1)
    assert (rows["credit"]["score"], rows["credit"]["rank"]) == (70.0, 2)
    assert "union" not in rows


def _with_assessment(section):
    return {**HOTEL, "assessment": section}


def test_the_schema_refuses_bad_sections_at_their_field():
    good = HOTEL["assessment"]
    cases = [
        ({**good, "components": [{**c, "weight": 50} for c in good["components"]]},
         "components", "add up to 100"),
        ({**good, "period": "week"}, "period", "Must be one of"),
        ({**good, "supervisor": "nobody"}, "supervisor", "Unknown department"),
        ({**good, "components": [{**good["components"][0], "figure": None}] +
          good["components"][1:]}, "components", "names its figure"),
        ({**good, "components": [{**good["components"][0], "figure": "violations",
                                  "rules": ["nope"]}] + good["components"][1:]},
         "components", "Unknown penalty rules"),
    ]
    for section, field, words in cases:
        with pytest.raises(ValidationError) as err:
            validate_policy(_with_assessment(section))
        messages = err.value.messages["assessment"]
        assert field in messages and words in str(messages[field]), messages
    # the older ``department`` name still reads as the supervisor
    legacy = {k: v for k, v in good.items() if k != "supervisor"} | {"department": "quality"}
    assert validate_policy(_with_assessment(legacy))["assessment"]["supervisor"] == "quality"


def test_a_pack_may_compute_the_score_itself():
    """A tiny pack answers the hook: the worst component decides."""
    import policy_packs.hotel as hotel_pack
    from core.hookspecs import hookimpl
    from core.rules import Pack, text

    class Strict:
        @hookimpl
        def shouwen_pack(self):
            return Pack(key="strict", sector="hotel", name=text("严格", "Strict"), summary={},
                        policy=HOTEL)

        @hookimpl
        def shouwen_assessment_score(self, policy, department, figures, components):
            values = [c["value"] for c in components if c["value"] is not None]
            return min(values) if values else None

    fresh = PackManager(load_entry_points=False)
    fresh.add(Strict(), name="strict")
    hooks = fresh.hooks_for("strict")
    policy = validate_policy(HOTEL)
    fig = figures.Figures(counts={("contacts", ""): (4, 0), ("escalations.conflict", ""): (1, 0),
                                  ("clocks.met", "reply"): (1, 0),
                                  ("clocks.breached", "reply"): (1, 0)})
    one = assessments.score(hooks, policy, {"id": 1, "code": "x"}, fig)
    assert [c["value"] for c in one["components"]] == [75.0, 50.0, None]
    assert one["score"] == 50.0
    default = PackManager(load_entry_points=False)
    default.add(hotel_pack)
    # 0.4 × 75 + 0.3 × 50 over the weights with data (70): 45 / 0.7 = 64.29
    assert assessments.score(default.hooks_for("hotel"), policy, {"id": 1, "code": "x"},
                             fig)["score"] == 64.29


def test_a_version_frozen_with_the_old_free_form_section_uses_the_pack_default(app):
    """Versions saved before this schema hold ``{"supervisor", "weights"}``: no components."""
    policy = {**HOTEL, "assessment": {"supervisor": "quality", "weights": {"x": 1}}}
    section = assessments.with_section("hotel", policy)["assessment"]
    assert [c["weight"] for c in section["components"]] == [40, 30, 30]
