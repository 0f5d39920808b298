"""Policy document paths and values in plain words, for the editor, version diffs and the
pack-switch preview ("Deadlines › Reply › Complaint: 1 working day → 2 working days").

Names of things the document names itself (matter types, penalty rules, chain levels) come
from the document; the schema's own field names are translated here.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.web.labels import KINDS, MODES, label, localized, rule_text

SECTIONS = {
    "deadlines": _l("Deadlines"), "escalation": _l("Escalation"),
    "transfer": _l("Transfer policy"), "callback": _l("Callback"),
    "wording": _l("Wording"), "penalties": _l("Penalties"), "assessment": _l("Assessment"),
    "reminders": _l("Reminders"), "calendar": _l("Working calendar"),
    "matter_types": _l("Matter types"), "channels": _l("Channels"),
    "departments": _l("Departments"), "roles": _l("Roles"),
    "customer_rating": _l("The customer's rating"),
    "confirmation": _l("The customer's confirmation of forms"),
    "questionnaire": _l("Questionnaires"),
}
FIELDS = {
    "change_days": _l("Days after closure the customer may still change a rating"),
    "forms": _l("Forms the customer confirms"), "ways": _l("Ways the customer may confirm"),
    "group": _l("Questionnaire group"), "questionnaire": _l("Questionnaires"),
    "chain": _l("Escalation chain (in order)"),
    "on_breach": _l("Escalate automatically when a deadline is breached"),
    "modes": _l("Transfer modes offered"),
    "receiver_may_pass_on": _l("The receiving department may pass it on to another"),
    "receiver_may_return": _l("The receiving department may return it"),
    "return_requires_opinion": _l("A return needs a written opinion"),
    "pass_on_requires_opinion": _l("Passing it on to another department needs a written opinion"),
    "copy_to": _l("Departments copied on every transfer"),
    "wrong_transfer_coordinator": _l("Department that sorts out wrong transfers"),
    "handover_requires_approval": _l("A handover mid-way needs a leader's approval"),
    "handover_approvers": _l("Roles that may approve a mid-way handover (empty: any leader)"),
    "required_for": _l("Matter types the owner must call back before closing"),
    "after_feedback": _l("After a department's feedback the owner always calls back"),
    "banned_phrases": _l("Banned phrases (one per line; a reply containing one is refused)"),
    "courtesy_phrases": _l("Courtesy phrases (one per line; suggested)"),
    "templates": _l("Templates"), "name": _l("Name"), "triggers": _l("Triggered by"),
    "sanctions": _l("Graded sanctions (1st, 2nd, 3rd and later time)"),
    "amount": _l("Amount (yuan)"), "key": _l("Key"), "department": _l("Department"),
    "role": _l("Role"), "conflict": _l("Counts as a conflict escalation"),
    "weights": _l("Weights"), "supervisor": _l("Supervising department"),
    "department_": _l("Supervising department"),
    "report_conflict_escalations_per_department":
        _l("Report conflict escalations per department"),
    "period": _l("Assessment period"), "report_to": _l("Reports to"),
    "method": _l("Method"), "groups": _l("Groups"),
    "components": _l("Components (the weights add up to 100)"), "weight": _l("Weight (points)"),
    "source": _l("Source"), "figure": _l("Figure"), "rules": _l("Penalty rules counted"),
    "fractions": _l("Remind at these fractions of the allowed time (one per line)"),
    "morning_of_due_day": _l("Remind on the morning of the due day"),
    "kind": _l("Calendar"),
    "working_periods": _l("Working periods (one per line, e.g. 09:00-12:00)"),
    "closing_time": _l("Closing time (a working day ends)"),
}
TEMPLATES = {
    "reply": _l("Reply"), "transfer_notice": _l("Transfer notice"),
    "one_time_notice": _l("One-time notice"), "complaint_slip": _l("Complaint / inquiry slip"),
    "reply_guidance": _l("Reply guidance"), "referral": _l("Referral"),
    "register_entry": _l("Register entry"), "refusal_record": _l("Refusal record"),
    "record_sheet": _l("Record sheet"), "three_part_form": _l("Three-part form"),
    "handover_request": _l("Handover request"), "coordination_form": _l("Coordination form"),
    "countersign_form": _l("Countersign form"),
}
WEIGHTS = {
    "conflict_escalations": _l("Conflict escalations"), "deadlines_met": _l("Deadlines met"),
    "callback_satisfaction": _l("Callback satisfaction"), "register_kept": _l("Register kept"),
    "on_time": _l("On time"), "client_complaints": _l("Client complaints"),
    "staff_opinion": _l("Staff opinion"), "wording": _l("Wording"),
    "satisfaction": _l("Satisfaction"), "register_complete": _l("Register complete"),
    "correct_transfer": _l("Correct transfers"),
    "customer_supervisors": _l("Customer-relations supervisors"),
    "other_managers": _l("Other managers"), "team_leaders": _l("Team leaders"),
}
ASSESSMENT_CHOICES = {
    "period": {"month": _l("Every month"), "quarter": _l("Every quarter"),
               "year": _l("Every year")},
    "source": {"figure": _l("From the figures"), "entered": _l("Entered by the supervisor"),
               "questionnaire": _l("From the questionnaire answers")},
    "figure": {"on_time": _l("On-time rate"), "satisfaction": _l("Callback satisfaction (1-5)"),
               "conflict_escalations": _l("Conflict escalations per contact"),
               "violations": _l("Confirmed violations per contact"),
               "spot_checks": _l("Spot checks confirmed")},
}
STAGES = {
    "register": _l("registration"), "handle": _l("taken on in own duty"),
    "handover": _l("handover"), "coordination": _l("coordination opened"),
    "agreement": _l("coordination agreed"), "referral": _l("referral"),
    "feedback": _l("feedback"), "reply": _l("owner's reply"), "escalation": _l("escalation"),
    "decision": _l("the superior's decision"),
}
CALENDAR_KINDS = {"statutory": _l("Chinese statutory calendar (with make-up working days)"),
                  "seven_day": _l("Every day is a working day (7-day calendar)")}
TRIGGERS = {"banned_phrase": _l("a banned phrase"),
            "forbidden_transfer": _l("a forbidden transfer"),
            "wrong_transfer": _l("a wrong transfer (charged to whoever made it)"),
            "spot_check_failed": _l("a spot check the customer contradicts"),
            "complaint_substantiated": _l("a complaint about the person found true"),
            "deadline.*": _l("any breached deadline")}
UNITS = {"minutes": _l("minutes"), "hours": _l("hours"), "working_hours": _l("working hours"),
         "working_days": _l("working days")}


def selector_label(selector, doc):
    """A deadline selector in words: all other cases, a stage, a matter type (and category)."""
    if selector == "default":
        return _("All other cases")
    if selector.startswith("@"):
        return _("From %(stage)s", stage=label(STAGES, selector[1:]))
    mt_key, _dot, cat = selector.partition(".")
    mt = (doc or {}).get("matter_types", {}).get(mt_key)
    if mt is None:
        return selector
    name = localized(mt["name"])
    if cat:
        cat_doc = mt.get("categories", {}).get(cat)
        return f"{name} · {localized(cat_doc['name']) if cat_doc else cat}"
    return name


def trigger_label(trigger):
    if trigger.startswith("deadline.") and trigger != "deadline.*":
        return _("breached deadline: %(kind)s", kind=label(KINDS, trigger[9:]))
    return str(label(TRIGGERS, trigger))


def choice_label(path, value, doc):
    """The words for one choice of a choice / multi field."""
    if value in (None, ""):
        return _("(none)")
    name = path[-1] if not isinstance(path[-1], int) else path[-2]
    if path[0] == "assessment" and name in ASSESSMENT_CHOICES:
        return str(label(ASSESSMENT_CHOICES[name], value))
    if path[0] == "assessment" and name == "rules":
        rule = doc.get("penalties", {}).get(value)
        return localized(rule["name"]) if rule else value
    if name in ("department", "copy_to", "wrong_transfer_coordinator", "supervisor",
                "report_to"):
        dept = next((d for d in doc.get("departments", []) if d["code"] == value), None)
        return localized(dept["name"]) if dept else value
    if name in ("role", "handover_approvers"):
        role = next((r for r in doc.get("roles", []) if r["key"] == value), None)
        return localized(role["name"]) if role else value
    if name == "required_for":
        mt = doc.get("matter_types", {}).get(value)
        return localized(mt["name"]) if mt else value
    if name == "modes":
        return str(label(MODES, value))
    if name == "triggers":
        return trigger_label(value)
    if name == "kind" and path[0] == "calendar":
        return str(label(CALENDAR_KINDS, value))
    if name == "unit":
        return str(label(UNITS, value))
    return value


def segment(path, i, doc):
    """Words for ``path[i]`` in the context of the path before it."""
    key, section = path[i], path[0]
    if i == 0:
        return str(label(SECTIONS, key))
    if section == "assessment" and isinstance(key, int):
        return _("Component %(n)s", n=key + 1)
    if isinstance(key, int):
        return _("Level %(n)s", n=key + 1) if "chain" in path[:i] else \
            _("Step %(n)s", n=key + 1)
    if section == "deadlines" and i == 1:
        return str(label(KINDS, key))
    if section == "deadlines" and i == 2:
        return selector_label(key, doc)
    if section == "penalties" and i == 1:
        rule = doc.get("penalties", {}).get(key)
        return localized(rule["name"]) if rule else key
    if section == "wording" and i == 2 and path[1] == "templates":
        return str(label(TEMPLATES, key))
    if section == "assessment" and i == 2 and path[1] != "components":
        return str(label(WEIGHTS, key))
    if key in ("zh", "en"):
        return "中文" if key == "zh" else "English"
    if section == "assessment" and key == "department":
        return str(FIELDS["department_"])
    return str(label(FIELDS, key))


def path_words(path, doc):
    return " › ".join(segment(path, i, doc) for i in range(len(path)))


def value_words(value, path, doc):
    """A value in words (old and new values of a diff, the pack default beside a field)."""
    if value is None:
        return _("no clock") if path and path[0] == "deadlines" else _("(none)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict) and set(value) == {"amount", "unit"}:
        return rule_text(value) if isinstance(value.get("amount"), int) else str(value)
    if isinstance(value, dict) and set(value) <= {"zh", "en"}:
        return localized(value)
    if isinstance(value, dict):
        return "; ".join(f"{segment(path + (k,), len(path), doc)}: "
                         f"{value_words(v, path + (k,), doc)}" for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return _("(none)")
        if path and path[-1] == "working_periods":
            return ", ".join("-".join(p) if isinstance(p, list) else str(p) for p in value)
        if all(isinstance(v, dict) for v in value):
            return " → ".join(_row_words(v) for v in value)
        return "、".join(str(choice_label(path, v, doc)) for v in value)
    if isinstance(value, str) and path:
        return choice_label(path, value, doc)
    return str(value)


def _row_words(row):
    name = localized(row.get("name")) or row.get("key", "")
    if row.get("amount"):
        return _("%(name)s (%(amount)s yuan)", name=name, amount=row["amount"])
    return name


# Messages of the policy schema and the calendar forms (English in the code, because the API
# answers in English), translated for the pages; ``{x}`` parts are kept as they are.
MESSAGES = (
    (r"^Use lower-case letters, digits and _ \(starting with a letter\)\.$",
     _l("Use lower-case letters, digits and _ (starting with a letter).")),
    (r"^Periods must be in order and not overlap\.$",
     _l("Periods must be in order and not overlap.")),
    (r"^Unknown department code\.$", _l("Unknown department code.")),
    (r"^Unknown role\.$", _l("Unknown role.")),
    (r"^Unknown department '(?P<x>[^']*)'\.$", _l("Unknown department %(x)s.")),
    (r"^Unknown matter type '(?P<x>[^']*)'\.$", _l("Unknown matter type %(x)s.")),
    (r"^Unknown category\.$", _l("Unknown category.")),
    (r"^Unknown trigger '(?P<x>[^']*)'\.$", _l("Unknown trigger %(x)s.")),
    (r"^Unknown stage; use one of (?P<x>.*)\.$", _l("Unknown stage; use one of %(x)s.")),
    (r"^Expected \{\"amount\": N, \"unit\": \"...\"\} or null\.$",
     _l("Give an amount and a unit, or leave the amount empty.")),
    (r"^Line (?P<n>\d+): write a date or a range, e\.g\. 2027-10-01~2027-10-07\.$",
     _l("Line %(n)s: write a date or a range, e.g. 2027-10-01~2027-10-07.")),
    (r"^Line (?P<n>\d+): the range must run forward and last at most (?P<x>\d+) days\.$",
     _l("Line %(n)s: the range must run forward and last at most %(x)s days.")),
    (r"^Every day must be in (?P<x>\d+)\.$", _l("Every day must be in %(x)s.")),
    (r"^Enter at least one holiday\.$", _l("Enter at least one holiday.")),
    (r"^(?P<x>[\d-]+) is a weekday: make-up working days fall on weekends\.$",
     _l("%(x)s is a weekday: make-up working days fall on weekends.")),
    (r"^(?P<x>[\d-]+) is also listed as a holiday\.$", _l("%(x)s is also listed as a holiday.")),
    (r"^The calendar library already knows this year's official schedule; close or open single "
     r"days instead\.$", _l("The calendar library already knows this year's official schedule; "
                            "close or open single days instead.")),
    (r"^This is already the current pack\.$", _l("This is already the current pack.")),
    (r"^Unknown pack\.$", _l("Unknown pack.")),
    (r"^The weights must add up to 100 \(they add up to (?P<x>-?\d+)\)\.$",
     _l("The weights must add up to 100 (they add up to %(x)s).")),
    (r"^Each component needs its own key\.$", _l("Each component needs its own key.")),
    (r"^A figure component names its figure\.$", _l("A figure component names its figure.")),
    (r"^An entered component has no figure\.$", _l("An entered component has no figure.")),
    (r"^Name the penalty rules whose violations count\.$",
     _l("Name the penalty rules whose violations count.")),
    (r"^Unknown penalty rules: (?P<x>.*)\.$", _l("Unknown penalty rules: %(x)s.")),
)


def translate_messages(messages):
    """Marshmallow messages with the policy's and calendar's own messages translated."""
    import re
    if isinstance(messages, dict):
        return {k: translate_messages(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(m) for m in messages]
    text = str(messages)
    for pattern, message in MESSAGES:
        found = re.match(pattern, text)
        if found:
            return str(message) % found.groupdict() if found.groupdict() else str(message)
    return text
