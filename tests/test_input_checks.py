"""The field-level checks behind the request guard (core.validation): what a JSON body or a
policy document may hold, and integer parameters bounded to what the database stores."""
import pytest
from conftest import register

BANNED = '{"wording": {"banned_phrases": ["\\ud800"]}}'


def test_a_lone_surrogate_in_a_policy_is_refused_at_save_with_its_path(login):
    admin = login("demo-hotel", "admin")
    res = admin.client.patch("/api/v1/policy", data=BANNED, content_type="application/json",
                             headers={"Authorization": f"Bearer {admin.token}"})
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"] == {"wording": {"banned_phrases": {
        "0": ["Not valid Unicode text."]}}}
    # replies under the tenant's policy still work
    c = register(login("demo-hotel", "security"))
    assert c["ref"]


@pytest.mark.parametrize("body, field", [
    ('{"summary": "a\\u0000b"}', "summary"),
    ('{"summary": "ok", "customer": {"name": "\\udfff"}}', "customer"),
])
def test_json_text_no_database_stores_is_a_field_message(login, body, field):
    user = login("demo-hotel", "security")
    res = user.client.post("/api/v1/contacts", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {user.token}"})
    assert res.status_code == 422
    assert field in res.get_json()["error"]["fields"]


def test_deep_and_broken_json_are_400_with_a_message(login):
    user = login("demo-hotel", "security")
    for body in ('{"customer": ' + "[" * 40 + "]" * 40 + "}", "[" * 50_000, '{"summary": '):
        res = user.client.post("/api/v1/contacts", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {user.token}"})
        assert res.status_code == 400, body[:40]
        assert res.get_json()["error"]["message"]


def test_an_over_long_text_without_its_own_limit_is_refused(login):
    user = login("demo-hotel", "security")
    res = user.post("/contacts", json={"channel": "x" * 20_000, "matter_type": "complaint",
                                       "summary": "s", "customer": {}})
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"]["channel"] == ["Longer than 10000 characters."]


@pytest.mark.parametrize("path", ["/register", "/inbox", "/copies", "/violations",
                                  "/admin/webhooks/1"])
def test_keyset_numbers_beyond_an_id_are_400(web_login, path):
    admin = web_login("demo-hotel", "admin")
    assert admin.get(path + "?before=99999999999999999999").status_code in (400, 404)
    assert admin.get(path + f"?before={2 ** 31}").status_code in (400, 404)
    assert admin.get(path + "?before=0").status_code in (400, 404)
    assert admin.get(path + "?before=abc").status_code in (200, 404)   # ignored, as before


def test_ids_beyond_an_id_column_in_the_url_are_404(login):
    """The id columns are INTEGER: on PostgreSQL a larger bound id is an error that aborts
    the transaction, so the URL converter stops at 2**31 - 1 (found by schemathesis)."""
    user = login("demo-hotel", "admin")
    assert user.post("/notifications/99999999999999999999/read").status_code == 404
    assert user.get("/policy/versions/99999999999999999999").status_code == 404
    for big in (2 ** 31, 2 ** 40):
        assert user.get(f"/assessments/{big}").status_code == 404
        assert user.post(f"/violations/{big}/decision",
                         json={"decision": "waive", "reason": "x"}).status_code == 404
    assert user.get("/contacts").status_code == 200        # the transaction is still usable
    # a method the route has, with an id its converter refuses: no object, not a 405
    assert user._call("PUT", f"/questionnaires/{2 ** 40}", json={}).status_code == 404
    wrong = user._call("DELETE", "/contacts", json={})
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
