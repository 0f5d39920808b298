"""The public vocabulary in words: channels, states, deadline kinds and statuses, transfer
modes, events, actions and roles, each a lazily translated English phrase (Flask-Babel).

Shared by everything that shows them: the web pages (``core.web.labels`` adds the Jinja
filters), the notification texts and the exports.  The keys are the domain's own codes.
"""
from flask_babel import lazy_gettext as _l

from core.contacts import actions
from core.contacts.states import State

CHANNELS = {
    "visit": _l("Visit"), "phone": _l("Phone"), "letter": _l("Letter"), "email": _l("E-mail"),
    "online": _l("Online"), "hotline": _l("Hotline"), "chat": _l("Chat / WeChat"),
    "meeting": _l("Meeting"),
}
STATES = {
    State.REGISTERED: _l("Registered"), State.HANDLING: _l("Being handled"),
    State.TRANSFERRED: _l("Waiting for acceptance"), State.COORDINATING: _l("Coordinating"),
    State.REFERRED: _l("Referred outside"), State.REPLIED: _l("Replied"),
    State.AWAITING_CALLBACK: _l("Waiting for callback"), State.CALLED_BACK: _l("Called back"),
    State.CLOSED: _l("Closed"),
}
KINDS = {
    "transfer": _l("Hand over"), "accept": _l("Sign for it"), "reply": _l("Reply"),
    "on_site": _l("On site"), "feedback": _l("Feedback to owner"), "callback": _l("Callback"),
    "final": _l("Overall limit"), "consult": _l("Consultation"),
    "escalation": _l("Escalated level"), "rectification": _l("Rectification"),
}
DEADLINE_STATUS = {"open": _l("Running"), "met": _l("Met"), "breached": _l("Breached"),
                   "cancelled": _l("Cancelled")}
MODES = {"handover": _l("Handover with a record"), "accompany": _l("Accompany in person"),
         "guide": _l("Guide the customer there"), "return": _l("Return")}
EVENTS = {
    "registered": _l("Registered"), "handling": _l("Taken on in own duty"),
    "transferred": _l("Transferred"), "accepted": _l("Signed for"),
    "transfer_refused": _l("Transfer refused"),
    "coordination_requested": _l("Coordination requested"),
    "coordination_opened": _l("Coordination opened"),
    "coordination_agreed": _l("Coordination agreed"), "referred": _l("Referred outside"),
    "escalated": _l("Escalated"), "decided": _l("Decision given"),
    "replied": _l("Replied to the customer"),
    "feedback": _l("Feedback to the owner"), "on_site": _l("Arrived on site"),
    "called_back": _l("Called back"), "closed": _l("Closed"),
    "deadline_breached": _l("Deadline breached"), "reminder": _l("Reminder sent"),
    "banned_phrase_refused": _l("Reply refused: banned phrase"),
    "query_code_issued": _l("New progress query code issued"),
    "customer_rated": _l("The customer rated the service"),
    "rectification_opened": _l("Rectification opened after a bad rating"),
    "rectification_completed": _l("Rectification recorded"),
    "rating_appealed": _l("Rating appealed"),
    "rating_appeal_decided": _l("Appeal of the rating decided"),
    "customer_confirmed": _l("Customer confirmed the form"),
}
# How an appeal of a customer's rating was decided (core.voice.rectifications).
APPEAL_OUTCOMES = {"pending": _l("Waiting for the decision"), "upheld": _l("Rating upheld"),
                   "overturned": _l("Rating overturned")}
RATING_STATUS = {"counted": _l("Counted"), "superseded": _l("Replaced by a later rating"),
                 "overturned": _l("Overturned on appeal")}
# How the customer confirmed a form (core.voice.signatures).
CONFIRMATION_WAYS = {"paper": _l("signed on the printed form"),
                     "tablet": _l("signed on the tablet at the desk"),
                     "online": _l("confirmed from the progress page")}
# The steps' labels are declared with the steps, in the action table.
ACTIONS = {action.name: action.label for action in actions.ACTIONS}
# The five grades of satisfaction (the "好差评" scale), best first, as every form lists them.
SATISFACTION = {5: _l("Very satisfied"), 4: _l("Satisfied"), 3: _l("Fairly satisfied"),
                2: _l("Dissatisfied"), 1: _l("Very dissatisfied")}
ROLES = {"staff": _l("Staff"), "dept_supervisor": _l("Department supervisor"),
         "cr_supervisor": _l("Customer-relations supervisor"),
         "inspector": _l("Quality inspector"), "leader": _l("Leader"),
         "admin": _l("Administrator")}
