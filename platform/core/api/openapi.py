"""The OpenAPI document, generated from the same marshmallow schemas the API uses."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from core.api import bp
from core.api import schemas as s
from core.api.assessments import AdjustIn, RunIn, ScoresIn
from core.api.complaints import (
    ComplaintFilter, ComplaintOut, CustomerComplaintIn, HandlingIn, RegisterIn,
)
from core.api.notifications import NotificationListArgs, NotificationListOut, NotificationOut
from core.api.questionnaires import (
    QuestionnaireIn,
    QuestionnaireLinkIn,
    QuestionnaireRoundIn,
    QuestionnaireScoresQuery,
)
from core.api.ratings import AppealDecisionIn, AppealIn, PublicRatingIn, RectificationIn
from core.api.spot_checks import DrawIn, RecordIn
from core.api.supervision import SummaryOut, SummaryQuery
from core.voice import signatures


class Items:
    """A list answer: ``{"items": [...]}`` (plus ``extra`` properties, e.g. the next cursor)."""

    def __init__(self, item=None, **extra):
        self.item, self.extra = item, extra


OBJECT = {"type": "object"}
TRANSFER_OUT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "mode": {"type": "string"}, "status": {"type": "string"},
    "to_department": {"type": "string", "nullable": True},
    "to_user": {"type": "string", "nullable": True}, "is_return": {"type": "boolean"},
    "contact": {"type": "string"}}}

ROUTES = [
    ("/contacts", "post", "Register a contact", s.ContactIn, s.RegisteredOut, 201),
    ("/contacts", "get", "List contacts, newest first (keyset pages: ?before=<next>)",
     None, Items(s.ContactSummaryOut, next={"type": "string", "nullable": True}), 200),
    ("/contacts/{ref}", "get", "Show a contact", None, s.ContactOut, 200),
    ("/contacts/{ref}/handle", "post", "Owner handles it in own duty", s.NoteIn, s.ContactOut, 200),
    ("/contacts/{ref}/transfers", "post", "Transfer to a department", s.TransferIn,
     TRANSFER_OUT, 201),
    ("/contacts/{ref}/transfers/{id}/accept", "post", "Accept (sign for) a transfer",
     s.AcceptIn, s.ContactOut, 200),
    ("/contacts/{ref}/coordination", "post", "Open a coordination", s.CoordinationIn,
     s.ContactOut, 201),
    ("/contacts/{ref}/coordination/agree", "post", "Record the coordination's agreement",
     s.NoteIn, s.ContactOut, 200),
    ("/contacts/{ref}/referral", "post", "Refer outside", s.ReferralIn, s.ContactOut, 201),
    ("/contacts/{ref}/escalations", "post", "Escalate", s.EscalationIn, s.ContactOut, 201),
    ("/contacts/{ref}/decision", "post", "The level asked records its decision", s.TextIn,
     s.ContactOut, 200),
    ("/contacts/{ref}/feedback", "post", "Handler's feedback to the owner", s.TextIn,
     s.ContactOut, 201),
    ("/contacts/{ref}/replies", "post", "Reply to the customer", s.TextIn, s.ContactOut, 201),
    ("/contacts/{ref}/on-site", "post", "Record arrival on site", s.NoteIn, s.ContactOut, 200),
    ("/contacts/{ref}/callbacks", "post", "Owner's callback", s.CallbackIn, s.ContactOut, 201),
    ("/contacts/{ref}/confirmation", "post", "Record the customer's confirmation of a form "
     "(signed on paper or drawn on the tablet: signature = PNG data URL, at most 64 KB)",
     signatures.ConfirmationIn, s.ContactOut, 201),
    ("/contacts/{ref}/close", "post", "Close", s.NoteIn, s.ContactOut, 200),
    ("/contacts/{ref}/ratings", "get", "The customer's own ratings of the contact, every "
     "round, with rectification and appeal, beside the owner's callback figure",
     None, s.ContactRatingsOut, 200),
    ("/contacts/{ref}/rectification", "post", "The rated department records what it did "
     "after a bad customer rating (meets the rectification clock)", RectificationIn,
     s.ContactRatingsOut, 200),
    ("/contacts/{ref}/rating/appeal", "post", "The rated department appeals the customer's "
     "current rating to the supervising department, with a reason", AppealIn,
     s.ContactRatingsOut, 201),
    ("/contacts/{ref}/rating/appeal/decision", "post", "The supervising side upholds or "
     "overturns the pending appeal, with a reason (rating.appeal_decide)", AppealDecisionIn,
     s.ContactRatingsOut, 200),
    ("/spot-checks", "post", "Spot checks: draw a reproducible sample of closed contacts "
     "(period, departments, number or share, seed)", DrawIn, None, 201),
    ("/spot-checks", "get", "Spot checks: the draws, newest first, with their results", None,
     Items(), 200),
    ("/spot-checks/{id}", "get", "Spot checks: one draw, its sample and results", None, None, 200),
    ("/spot-checks/{id}/items/{item_id}/record", "post", "Spot checks: record the "
     "verification call of one sampled contact", RecordIn, None, 201),
    ("/assessments", "get", "Assessments: the runs, newest first (assessment.view)", None,
     Items(), 200),
    ("/assessments", "post", "Assessments: run a period's assessment from the pack's weights "
     "(period + at, or from + to; entered questionnaire scores); a new draft revision",
     RunIn, None, 201),
    ("/assessments/{id}", "get", "Assessments: one run with its rows, components, frozen "
     "inputs, adjustments and revisions (a published run: any staff member)", None, None, 200),
    ("/assessments/{id}/scores", "post", "Assessments: enter questionnaire scores on a draft "
     "(409 once published)", ScoresIn, None, 200),
    ("/assessments/{id}/adjustments", "post", "Assessments: set a department's score by hand "
     "with a written reason (audited; 409 once published)", AdjustIn, None, 201),
    ("/assessments/{id}/publish", "post", "Assessments: publish a draft as the period's notice "
     "(通报) to the departments' inboxes; one winner, the rest 409", None, None, 200),
    ("/assessments/{id}/export.xlsx", "get", "Assessments: the run as an XLSX workbook", None,
     {"type": "string", "format": "binary"}, 200),
    ("/departments", "get", "The organisation's departments (code, names, duties, matter "
     "types, location, phone)", None, Items(), 200),
    ("/staff", "get", "The organisation's staff (username, name, department, role, rank)",
     None, Items(), 200),
    ("/packs", "get", "The installed policy packs, and which one is selected", None, Items(),
     200),
    ("/policy", "get", "The effective policy (current version)", None, None, 200),
    ("/policy", "patch", "Tenant administrator: partial overrides, validated; a new policy "
     "version (note in the X-Change-Note header)", None, None, 200),
    ("/policy/versions", "get", "Policy version history (supervisors)", None, Items(), 200),
    ("/policy/versions/{number}", "get", "One policy version with its changes against the "
     "previous one", None, None, 200),
    ("/violations", "get", "Violations, newest first (?status=proposed|confirmed|waived): "
     "{items: [Violation]}", None, Items(s.ViolationOut), 200),
    ("/violations/{id}/decision", "post", "Confirm or waive a violation", s.DecisionIn,
     s.ViolationOut, 200),
    ("/notifications", "get", "My notifications, newest first", None, NotificationListOut, 200),
    ("/notifications/{id}/read", "post", "Mark one of my notifications read", None,
     NotificationOut, 200),
    ("/complaints", "get", "Complaints about staff routed to my department (complaint.receive"
     "; all with complaint.view_all; never those about me), newest first; ?status=open|handled"
     "&finding=&department=<receiving body's code>", None, Items(ComplaintOut), 200),
    ("/complaints/{id}", "get", "One complaint about staff", None, ComplaintOut, 200),
    ("/contacts/{ref}/complaints", "post", "Register a customer's complaint about one of the "
     "people involved in the contact (person: username); routed by the pack to the body that "
     "receives it, never to the person's own department", RegisterIn, ComplaintOut, 201),
    ("/complaints/{id}/handling", "post", "The receiving body records its finding and reply "
     "(optionally proposing a violation when substantiated); once: the rest 409", HandlingIn,
     ComplaintOut, 200),
    ("/supervision/summary", "get", "Supervision figures of a period (?period=day|week|month|"
     "quarter|year&at=2027-03, or ?from=&to= local dates; ?group_by=department|staff|kind; "
     "?department=<code>); supervision.view, one's own department without "
     "supervision.view_all", None, SummaryOut, 200),
    ("/questionnaires", "get", "Questionnaires, newest first (questionnaire.view)", None,
     Items(), 200),
    ("/questionnaires", "post", "Questionnaires: define one (title, questions on one scale, "
     "optional free-text question, departments rated, role groups; administrators)",
     QuestionnaireIn, None, 201),
    ("/questionnaires/{id}", "get", "Questionnaires: one questionnaire (frozen once answered)",
     None, None, 200),
    ("/questionnaires/{id}", "put", "Questionnaires: change one; 409 once it has answers "
     "(only 'active' may change then)", QuestionnaireIn, None, 200),
    ("/questionnaires/{id}/rounds", "post", "Questionnaires: start a round for a period (one "
     "one-time link per respondent of the role groups; the links are in this answer only)",
     QuestionnaireRoundIn, None, 201),
    ("/questionnaires/{id}/links", "post", "Questionnaires: a one-time link for the resident "
     "of a closed contact (e-mailed when the customer gave an address)", QuestionnaireLinkIn,
     None, 201),
    ("/questionnaires/{id}/scores", "get", "Questionnaires: each department's score of a "
     "period (?period=&at= or ?from=&to=): the groups' means and their weighted mean",
     None, None, 200),
]

# Query parameters of GET routes, from the same schemas the routes load them with.
QUERY = {"/contacts": s.ContactFilter, "/notifications": NotificationListArgs,
         "/complaints": ComplaintFilter,
         "/supervision/summary": SummaryQuery,
         "/questionnaires/{id}/scores": QuestionnaireScoresQuery}
ERRORS = {
    "400": "Malformed request (not JSON, or a bad parameter)",
    "401": "No valid token",
    "403": "Not allowed for this person (role or department)",
    "404": "Not found (also another tenant's object)",
    "422": "Invalid fields: ``error.fields`` names each one",
}
CHANGE_ERRORS = {
    "409": "Refused in the current state (someone else changed it first); the body says why",
    "413": "The request body is too large",
}


def _schema_ref(spec, out):
    """A response schema: a marshmallow schema, a list envelope, or any JSON object."""
    if out is None:
        return OBJECT
    if isinstance(out, Items):
        item = OBJECT if out.item is None else _component(spec, out.item)
        props = {"items": {"type": "array", "items": item}}
        props.update(out.extra)
        return {"type": "object", "required": ["items"], "properties": props}
    return out


def _component(spec, cls):
    """A ``$ref`` to a marshmallow schema's component (registered once)."""
    name = cls.__name__.removesuffix("Schema")
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=cls)
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(spec, path, method, summary, body, out, status):
    error = {"content": {"application/json": {"schema": "Error"}}}
    codes = dict(ERRORS, **(CHANGE_ERRORS if method != "get" else {}))
    op = {"summary": summary, "security": [{"bearer": []}], "responses": {
        str(status): {"description": "OK", "content": {
            _media(path): {"schema": _schema_ref(spec, out)}}},
        **{code: {"description": text, **error} for code, text in codes.items()}}}
    if body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": body}}}
    params = [{"name": p.strip("{}"), "in": "path", "required": True,
               "schema": {"type": "integer"} if p in ("{id}", "{item_id}", "{number}")
               else {"type": "string"}} for p in path.split("/") if p.startswith("{")]
    if method == "get" and path in QUERY:
        params.append({"in": "query", "schema": QUERY[path]})
    if params:
        op["parameters"] = params
    return op


def _media(path):
    return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if path.endswith(".xlsx") else "application/json")


def build_spec():
    spec = APISpec(title="Shouwen API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=s.ErrorOut)
    by_path = {}
    for path, method, summary, body, out, status in ROUTES:
        by_path.setdefault(path, {})[method] = _operation(spec, path, method, summary, body,
                                                          out, status)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    _public_progress(spec)
    _public_complaint(spec)
    return spec.to_dict()


def _public_progress(spec):
    """The customer's look-up (core.api.progress): no token, the tenant in the path."""
    def query(name, description, required=True):
        return {"name": name, "in": "query", "required": required,
                "description": description, "schema": {"type": "string"}}
    error = {"content": {"application/json": {"schema": "Error"}}}
    spec.path(path="/public/{slug}/progress", operations={"get": {
        "summary": "A customer looks up the progress of their matter (docs/progress.md)",
        "security": [],
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
            query("ref", "Reference number"),
            query("code", "Query code (or the last 4 phone digits for older contacts)"),
            query("lang", "zh or en (else Accept-Language)", required=False)],
        "responses": {
            "200": {"description": "State, department, due time and milestones"},
            "403": {"description": "The organisation is suspended", **error},
            "404": {"description": "No matter matches (unknown reference, wrong code or "
                                   "another organisation's reference: one answer)", **error},
            "422": {"description": "Invalid fields", **error},
            "429": {"description": "Too many look-ups from this address or for this "
                                   "reference", **error}}}})
    spec.path(path="/public/{slug}/progress/rating", operations={"post": {
        "summary": "The customer rates the service of an answered or closed matter: five "
                   "grades and a comment (docs/progress.md); only this POST records a rating",
        "security": [],
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": PublicRatingIn}}},
        "responses": {
            "201": {"description": "Rated (a first rating, or a re-rating after the callback)"},
            "200": {"description": "The rating was changed, within the pack's period"},
            "400": {"description": "The body is not JSON", **error},
            "403": {"description": "The organisation is suspended", **error},
            "404": {"description": "No matter matches (one answer for every failure)", **error},
            "409": {"description": "Not now: not answered yet, waiting for the callback, "
                                   "under appeal, or the change period is over", **error},
            "422": {"description": "Invalid fields", **error},
            "429": {"description": "Too many look-ups or ratings", **error}}}})


def _public_complaint(spec):
    """The customer's complaint about staff (core.api.complaints): no token, the look-up's
    reference and query code in the body, under the look-up's limits."""
    error = {"content": {"application/json": {"schema": "Error"}}}
    spec.path(path="/public/{slug}/complaints", operations={"post": {
        "summary": "A customer complains about the person who first received the matter "
                   "(against: owner) or the person now handling it (handler); no names are "
                   "given or shown (docs/progress.md)",
        "security": [],
        "parameters": [
            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "lang", "in": "query", "required": False, "description": "zh or en",
             "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": CustomerComplaintIn}}},
        "responses": {
            "201": {"description": "Received: the customer's complaints by role and status"},
            "400": {"description": "Not JSON", **error},
            "403": {"description": "The organisation is suspended", **error},
            "404": {"description": "No matter matches (one answer, as the look-up)", **error},
            "409": {"description": "A complaint about this person is open already, or the "
                                   "matter's online complaints are used up", **error},
            "413": {"description": "The request body is too large", **error},
            "422": {"description": "Invalid fields", **error},
            "429": {"description": "Too many look-ups from this address or for this "
                                   "reference", **error}}}})


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())
