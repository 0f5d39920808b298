"""The OpenAPI document tells the truth: schemathesis drives every documented operation of
the live app (in-process WSGI, a demo administrator's token, SQLite and PostgreSQL) with
generated valid and invalid requests, seeded (``derandomize``) and bounded
(``MAX_EXAMPLES`` each), and checks every answer: no server error, a documented status
code, the documented content type and a body that matches its schema; undeclared methods
answer 405 with ``Allow``.

One check is left out: ``positive_data_acceptance`` expects every schema-valid request to
be accepted, but some rules are the tenant's data, not the document's (a department code
that exists here, a period whose end follows its start, a number or a share but not both),
and those answer a documented 422 naming the field.
"""
import pytest
from hypothesis import HealthCheck, Phase, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

MAX_EXAMPLES = 12
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_every_operation_answers_as_documented(case, login):
    admin = login("demo-hotel", "admin")
    case.call_and_validate(headers={"Authorization": f"Bearer {admin.token}"},
                           excluded_checks=EXCLUDED)
