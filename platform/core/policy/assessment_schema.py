"""The ``assessment`` section of a policy document: the period, who assesses, the components.

One shape for every pack::

    {"period": "month" | "quarter" | "year",
     "supervisor": "<department code>",          # who runs, reviews and publishes
     "components": [{"key": ..., "name": {"zh", "en"}, "weight": <int>,
                     "source": "figure" | "entered",
                     "figure": <one of FIGURES>,   # only for source "figure"
                     "rules": [<penalty rule key>]  # only for figure "violations"
                     }, ...]}

Weights are whole points that sum to 100 (the seeds and the issue speak of "40 %"), so a
supervisor reads them as they would on paper.  Every component value is a score 0-100,
higher is better; how a figure becomes one is fixed per figure (``FIGURES``), so a run can be
recomputed from its frozen inputs to the same number:

* ``on_time``: the on-time rate of the department's clocks (met / (met + breached)) × 100;
* ``satisfaction``: the callbacks' mean grade on 1-5, (mean − 1) / 4 × 100;
* ``conflict_escalations``: escalations to a conflict level (QI, deputy GM, GM), normalised
  against the department's own contacts: 100 × max(0, 1 − n / contacts) — a count relative to
  the department's own volume, so one department's figures never move another's score;
* ``violations``: confirmed violations of the listed penalty rules, normalised the same way;
* ``spot_checks``: the share of spot checks confirmed, confirmed / (confirmed + failed) × 100
  (unreached checks say nothing of the department).

A component without data (no clocks, no graded callback, no contacts, nothing entered yet) is
left out and the remaining weights carry the score; a department with none has no score.
``entered`` components are typed in by the supervisor during review (0-100): the bank's staff
opinion, register inspections.  ``questionnaire`` components are computed from the period's
questionnaire answers of one role group of the ``questionnaire`` section (``group``): the
mean normalised answer (0-100) about the department (``core.voice.questionnaire_scores``).

The ``questionnaire`` section is the pack's grouping of respondents::

    {"groups": [{"key", "name": {"zh", "en"}, "weight": <int>, "roles": [<role key>]}],
     "citation": "..."}

weights summing to 100; a group with no roles takes the customers' answers.  A department's
questionnaire score is the weighted mean over the groups that answered.  Packs that say
nothing get the product default (:data:`DEFAULT_GROUPING`: one group, 100 %).

``supervisor`` is kept under that name (the older ``department`` is read as a synonym),
because ``core.notify.recipients.supervising_departments`` reads both.
"""
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from core.policy.text_schema import Text
from core.validation import Text as Str

PERIODS = ("month", "quarter", "year")
SOURCES = ("figure", "entered", "questionnaire")
FIGURES = ("on_time", "satisfaction", "conflict_escalations", "violations", "spot_checks")
TOTAL = 100


def _key(value):
    import re
    if not isinstance(value, str) or not re.match(r"^[a-z][a-z0-9_]*$", value):
        raise ValidationError("Use lower-case letters, digits and _ (starting with a letter).")


class Component(Schema):
    key = Str(required=True, validate=_key)
    name = fields.Nested(Text, required=True)
    weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    source = Str(required=True, validate=validate.OneOf(SOURCES))
    figure = Str(validate=validate.OneOf(FIGURES), allow_none=True, load_default=None)
    rules = fields.List(Str(validate=_key), load_default=list)
    group = Str(validate=_key, allow_none=True, load_default=None)   # source "questionnaire"

    @validates_schema
    def _source_fits(self, data, **kwargs):
        if data.get("source") == "questionnaire" and not data.get("group"):
            raise ValidationError("A questionnaire component names its role group.", "group")
        if data.get("source") != "questionnaire" and data.get("group"):
            raise ValidationError("Only a questionnaire component has a group.", "group")
        if data.get("source") == "figure" and not data.get("figure"):
            raise ValidationError("A figure component names its figure.", "figure")
        if data.get("source") in ("entered", "questionnaire") and data.get("figure"):
            raise ValidationError("Only a figure component has a figure.", "figure")
        if data.get("figure") == "violations" and not data.get("rules"):
            raise ValidationError("Name the penalty rules whose violations count.", "rules")


# Product default where a pack says nothing of questionnaires: one group of every
# respondent (customers and staff alike), 100 %.
DEFAULT_GROUPING = {
    "groups": [{"key": "respondents", "name": {"zh": "全部答卷人", "en": "All respondents"},
                "weight": 100, "roles": []}],
    "citation": "Product default: the seeds give no grouping; one group, 100 %.",
}


class Group(Schema):
    key = Str(required=True, validate=_key)
    name = fields.Nested(Text, required=True)
    weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    roles = fields.List(Str(validate=_key), load_default=list)


class Grouping(Schema):
    """The ``questionnaire`` section: who answers in which group, and its weight."""
    groups = fields.List(fields.Nested(Group), required=True,
                         validate=validate.Length(min=1, max=10))
    citation = Str(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _weights(self, data, **kwargs):
        groups = data.get("groups") or []
        keys = [g["key"] for g in groups]
        if len(set(keys)) != len(keys):
            raise ValidationError("Each group needs its own key.", "groups")
        total = sum(g["weight"] for g in groups)
        if groups and total != TOTAL:
            raise ValidationError(f"The weights must add up to {TOTAL} (they add up to {total}).",
                                  "groups")


class Assessment(Schema):
    class Meta:
        unknown = EXCLUDE       # older free-form keys (method, groups ...) are dropped

    period = Str(required=True, validate=validate.OneOf(PERIODS))
    supervisor = Str(required=True, validate=_key)
    report_to = Str(validate=_key, allow_none=True, load_default=None)
    components = fields.List(fields.Nested(Component), required=True,
                             validate=validate.Length(min=1, max=20))

    @pre_load
    def _synonym(self, data, **kwargs):
        if isinstance(data, dict) and "supervisor" not in data and "department" in data:
            data = {**data, "supervisor": data["department"]}
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "department"}
        return data

    @validates_schema
    def _weights(self, data, **kwargs):
        components = data.get("components") or []
        keys = [c["key"] for c in components]
        if len(set(keys)) != len(keys):
            raise ValidationError("Each component needs its own key.", "components")
        total = sum(c["weight"] for c in components)
        if components and total != TOTAL:
            raise ValidationError(f"The weights must add up to {TOTAL} (they add up to {total}).",
                                  "components")


def check_codes(data, codes, rules):
    """Cross-section checks for ``PolicySchema``: the supervisor is a department, the rules
    named are penalty rules.  Returns field messages (empty when fine)."""
    errors = {}
    section = data.get("assessment") or {}
    if section.get("supervisor") and section["supervisor"] not in codes:
        errors["supervisor"] = ["Unknown department code."]
    if section.get("report_to") and section["report_to"] not in codes:
        errors["report_to"] = ["Unknown department code."]
    for i, component in enumerate(section.get("components") or []):
        unknown = [r for r in component.get("rules", []) if r not in rules]
        if unknown:
            errors.setdefault("components", {})[i] = {
                "rules": [f"Unknown penalty rules: {', '.join(unknown)}."]}
    groups = {g["key"] for g in (data.get("questionnaire") or DEFAULT_GROUPING)["groups"]}
    for i, component in enumerate(section.get("components") or []):
        if component.get("group") and component["group"] not in groups:
            errors.setdefault("components", {}).setdefault(i, {})["group"] = [
                "Unknown questionnaire group."]
    return {"assessment": errors} if errors else {}
