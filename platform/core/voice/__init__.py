"""The customer's own voice (issue 13): what the customer says about the service, apart
from what staff record.

The customer's rating and the bad-review loop (rectification, re-rating, appeal),
complaints about staff, questionnaires, telling the customer (e-mail, SMS gateway), and the
customer's confirmation of a form (signature).  Part of the domain layer, beside contacts:
domain functions take a context and never commit; what the customer sees goes through
``core.progress`` (never a staff name or an internal note).
"""
