"""`shouwen demo` gives every demo tenant a few sample contacts in telling states."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from core.contacts.models import Contact, Violation
from core.deadlines import sweep
from core.extensions import db
from core.tenancy.scoping import tenant_scope
from tenants import demo
from tenants.demo_contacts import seed_samples

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)      # Monday 14:00 in Shanghai


@pytest.mark.parametrize("slug", [t[0] for t in demo.TENANTS])
def test_samples_show_each_stage_and_are_added_once(app, slug):
    tenant = demo.tenant(slug)
    assert seed_samples(tenant, now=NOW) == 4
    db.session.commit()          # as `shouwen demo` does: outside the tenant's scope
    assert seed_samples(tenant, now=NOW) == 0
    with tenant_scope(tenant.id):
        states = sorted(db.session.scalars(select(Contact.state)))
    assert states == sorted(["handling", "transferred", "awaiting_callback", "closed"])


def test_the_unaccepted_handover_is_breached_by_the_sweep(app):
    tenant = demo.tenant("demo-hotel")          # hotel: sign for a handover within minutes
    seed_samples(tenant, now=NOW)
    assert sweep.sweep_tenant(tenant.id, NOW) >= 1
    with tenant_scope(tenant.id):
        waiting = db.session.scalars(select(Contact).where(Contact.state == "transferred")).one()
        accept = next(d for d in waiting.deadlines if d.kind == "accept")
        proposed = db.session.scalars(select(Violation).where(
            Violation.contact_id == waiting.id)).all()
    assert accept.status == "breached"
    assert proposed, "the late acceptance is proposed as a violation"


def test_shouwen_demo_prints_a_lookup_that_works_for_the_customer(app, client):
    tenant = demo.tenant("demo-bank")
    lookups = []
    seed_samples(tenant, now=NOW, lookups=lookups)
    db.session.commit()
    [(ref, code)] = lookups
    res = client.get(f"/api/v1/public/demo-bank/progress?ref={ref}&code={code}&lang=en")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["ref"] == ref
    assert client.get(f"/api/v1/public/demo-bank/progress?ref={ref}&code=ZZZZZZ").status_code \
        == 404
