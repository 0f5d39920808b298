"""Assessments on the web: the pages offer exactly the steps the domain allows, in both
languages, and a published run reaches the departments' inboxes as a notice."""
import re

from supervision_stories import hotel_story


def _run_id(res):
    return int(re.search(r"/assessments/(\d+)$", res.headers["Location"]).group(1))


def test_inspector_runs_reviews_publishes_and_prints_the_hotels_march(
        app, login, frozen, runner, web_login):
    hotel_story(login, frozen, runner)
    qi = web_login("demo-hotel", "inspector")
    page = qi.get("/assessments").get_data(as_text=True)
    assert 'id="nav-assessments"' in page and 'id="run-form"' in page
    assert "矛盾升级" in page or "40%" in page                 # the pack's weights are shown
    res = qi.post("/assessments", data={"period": "month", "at": "2027-03"})
    assert res.status_code == 302
    run_id = _run_id(res)
    page = qi.get(f"/assessments/{run_id}").get_data(as_text=True)
    security = re.search(r'<tr id="row-security">(.*?)</tr>', page, re.S).group(1)
    assert "70.00" in security and '<td class="rank">1</td>' in security
    assert "id=\"publish-form\"" in page and "id=\"adjust-form\"" in page
    # An adjustment without a reason is refused on the page; with one it re-ranks.
    qi.post(f"/assessments/{run_id}/adjustments",
            data={"department": "front_office", "score": "75", "reason": ""})
    page = qi.get(f"/assessments/{run_id}").get_data(as_text=True)
    assert 'id="trail"' not in page
    qi.post(f"/assessments/{run_id}/adjustments",
            data={"department": "front_office", "score": "75", "reason": "回访核实到位"})
    page = qi.get(f"/assessments/{run_id}").get_data(as_text=True)
    front = re.search(r'<tr id="row-front_office">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="rank">1</td>' in front and "75.00" in front and "回访核实到位" in page
    assert qi.post(f"/assessments/{run_id}/publish").status_code == 302
    page = qi.get(f"/assessments/{run_id}?lang=en").get_data(as_text=True)
    assert "Published" in page and 'id="publish-form"' not in page
    assert 'id="adjust-form"' not in page                  # nothing offered that is refused
    printed = qi.get(f"/assessments/{run_id}/print").get_data(as_text=True)
    assert 'id="print-notice"' in printed and 'id="not-published"' not in printed
    xlsx = qi.get(f"/assessments/{run_id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    # The notice is in a Security staff member's inbox and opens the run.
    staff = web_login("demo-hotel", "security")
    inbox = staff.get("/inbox").get_data(as_text=True)
    assert "考核通报：2027-03" in inbox
    assert staff.get(f"/assessments/{run_id}").status_code == 200
    assert 'id="nav-assessments"' not in staff.get("/").get_data(as_text=True)


def test_a_department_supervisor_is_offered_no_step_and_staff_no_draft(
        app, web_login):
    qi = web_login("demo-hotel", "inspector")
    run_id = _run_id(qi.post("/assessments", data={"period": "month", "at": "2027-03"}))
    lead = web_login("demo-hotel", "security-lead")
    page = lead.get(f"/assessments/{run_id}").get_data(as_text=True)
    assert 'id="publish-form"' not in page and 'id="adjust-form"' not in page
    assert 'id="run-form"' not in lead.get("/assessments").get_data(as_text=True)
    assert lead.post(f"/assessments/{run_id}/publish").status_code == 302
    assert "Draft" in qi.get(f"/assessments/{run_id}?lang=en").get_data(as_text=True)
    staff = web_login("demo-hotel", "security")
    assert staff.get(f"/assessments/{run_id}").status_code == 403
    assert staff.get("/assessments").status_code == 403
    assert web_login("demo-bank", "admin").get(f"/assessments/{run_id}").status_code == 404


def test_entered_score_grid_and_bad_numbers(app, web_login):
    """The bank's entered components (the property's questionnaire groups are computed from
    the answers: tests/test_questionnaires.py).  Counter: register 90, complaints 80,
    staff opinion 70, wording 70 -> 80.00; staff opinion 20 -> (6000 - 750) / 75 = 70.00."""
    union = web_login("demo-bank", "inspector")
    page = union.get("/assessments").get_data(as_text=True)
    assert 'name="entered.counter.register_kept"' in page
    bad = union.post("/assessments", data={"period": "month", "at": "2027-03",
                                           "entered.counter.register_kept": "lots"})
    assert bad.status_code == 302 and bad.headers["Location"].endswith("/assessments")
    week = union.post("/assessments", data={"period": "week", "at": "2027-W10"})
    assert week.headers["Location"].endswith("/assessments")
    res = union.post("/assessments", data={
        "period": "month", "at": "2027-03", "entered.counter.register_kept": "90",
        "entered.counter.client_complaints": "80", "entered.counter.staff_opinion": "70",
        "entered.counter.wording": "70"})
    run_id = _run_id(res)
    page = union.get(f"/assessments/{run_id}").get_data(as_text=True)
    row = re.search(r'<tr id="row-counter">(.*?)</tr>', page, re.S).group(1)
    assert "80.00" in row
    union.post(f"/assessments/{run_id}/scores", data={"entered.counter.staff_opinion": "20"})
    page = union.get(f"/assessments/{run_id}").get_data(as_text=True)
    row = re.search(r'<tr id="row-counter">(.*?)</tr>', page, re.S).group(1)
    assert "70.00" in row                     # 2250 + 2000 + 300 + 700 = 5250 / 75
