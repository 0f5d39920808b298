"""A test consumer of outbox rows (``SHOUWEN_OUTBOX_CONSUMERS=jobprobe.consume``).

Stands in for the notifications fan-out: it records what it saw in the process and marks
the row relayed, as the real consumer does.  Importable by worker processes too (the tests
put this directory on PYTHONPATH).
"""
from core import jobs
from core.extensions import db
from core.notify import outbox

SEEN = []


@jobs.job(queue="notify", retry=(2, [1, 1]))
def consume(tenant_id, outbox_id):
    row = db.session.get(outbox.OutboxMessage, outbox_id)
    if row is None:
        return None
    SEEN.append((tenant_id, outbox_id, row.topic))
    if row.topic == "test.poison":
        raise RuntimeError("this consumer cannot handle test.poison")
    outbox.mark_relayed_row(row)
    return row.topic
