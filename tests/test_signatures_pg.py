"""The customer's confirmation under concurrency, on a real PostgreSQL: twenty desk clerks
pressing "Record the customer's confirmation" at once make one event and one signature."""
import base64
import io

import pgserver
import pytest
from conftest import BACKENDS
from pgconcurrency import N, ConcurrentApp, statuses
from PIL import Image, ImageDraw
from sqlalchemy import select

from core.contacts.models import Contact, ContactEvent
from core.voice.signature_models import ContactSignature

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS or not pgserver.available(),
                                reason="concurrency needs PostgreSQL (SQLite serialises writers)")
PROPERTY = "demo-property"


def _png():
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 40), (190, 20)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture(scope="module")
def conc(pg_server):
    found = ConcurrentApp(pg_server.create_database("shouwen_signatures"))
    yield found
    found.close()


def test_twenty_tablet_signatures_make_one_confirmation(conc):
    clerk = conc.api(PROPERTY, "customer-service")
    res = clerk.post("/contacts", json={
        "channel": "visit", "matter_type": "complaint", "summary": "电梯异响",
        "customer": {"name": "李先生", "phone": "13700001234"}})
    assert res.status_code == 201, res.get_json()
    ref = res.get_json()["ref"]
    body = {"how": "tablet", "signature": _png()}
    answers = conc.together([lambda: clerk.post(f"/contacts/{ref}/confirmation", json=body)
                             for _ in range(N)])
    assert statuses(answers) == {201: 1, 409: N - 1}, \
        [(r.status_code, r.get_json()) for r in answers if r.status_code not in (201, 409)]
    contact_id = conc.rows(PROPERTY, select(Contact.id).where(Contact.ref == ref))[0][0]
    assert conc.count(PROPERTY, ContactEvent, ContactEvent.contact_id == contact_id,
                      ContactEvent.kind == "customer_confirmed") == 1
    assert conc.count(PROPERTY, ContactSignature,
                      ContactSignature.contact_id == contact_id) == 1
