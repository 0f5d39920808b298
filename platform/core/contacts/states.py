"""The states of a contact, in lifecycle order: one StrEnum, so a typo is an AttributeError
and not a comparison that is silently never true.

Members are ``str``: they compare equal to the stored values (``Contact.state`` is a plain
column) and serialise as themselves in JSON, templates and SQL.
"""
from enum import StrEnum


class State(StrEnum):
    REGISTERED = "registered"                # with the owner, not yet routed
    HANDLING = "handling"                    # a department (or the owner in own duty) works on it
    TRANSFERRED = "transferred"              # handed over, waiting to be signed for (签收)
    COORDINATING = "coordinating"            # several departments, waiting for their agreement
    REFERRED = "referred"                    # the customer was referred to an outside body
    REPLIED = "replied"                      # the customer has an answer; the owner follows up
    AWAITING_CALLBACK = "awaiting_callback"  # the department reported back: the owner calls back
    CALLED_BACK = "called_back"              # the owner called the customer back
    CLOSED = "closed"


FINISHED = (State.CLOSED,)
# Still someone's work: every state but closed.
ACTIVE = tuple(s for s in State if s is not State.CLOSED)
# A department, not only the owner, has the matter now.
WITH_DEPARTMENT = (State.TRANSFERRED, State.HANDLING, State.COORDINATING)
# Nothing has been answered yet: no callback, no closing.
UNANSWERED = (State.REGISTERED, State.TRANSFERRED, State.COORDINATING)
