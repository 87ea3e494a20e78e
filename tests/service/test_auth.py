"""API keys, roles and the admin routes, through real HTTP; and no secret ever reaches a log."""

from __future__ import annotations

import hashlib
import logging

import pytest

from models.storage import orm
from service.app import JsonFormatter

ADMIN_ROUTES = [
    ("POST", "/v1/admin/enterprises", {"code": "intruder-co", "name": "Intruder"}),
    ("GET", "/v1/admin/enterprises", None),
    ("POST", "/v1/admin/api-keys", {"role": "admin"}),
    ("GET", "/v1/admin/api-keys", None),
    ("POST", "/v1/admin/api-keys/1/revoke", None),
]
TALENT_ROUTES = [
    ("GET", "/v1/profiles/me", None),
    ("PATCH", "/v1/profiles/me", {"years_experience": 9}),
    ("PUT", "/v1/profiles/me/consent", {"consent_scopes": []}),
    ("DELETE", "/v1/profiles/me/consent", None),
    ("DELETE", "/v1/profiles/me", None),
]


def clients_by_role(api) -> dict:
    _, enterprise = api.enterprise()
    return {
        "enterprise_user": enterprise,
        "bureau_analyst": api.as_(api.key("bureau_analyst")),
        "talent": api.talent()[1],
        "admin": api.admin,
    }


def test_a_request_without_a_key_or_with_a_wrong_one_gets_401_naming_the_scheme(api):
    for headers in (
        {},
        {"Authorization": "Bearer tck_not-a-key"},
        {"X-API-Key": "tck_not-a-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        response = api.anonymous.get("/v1/projects", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "not-a-key" not in response.text


def test_a_key_works_as_bearer_token_or_in_x_api_key(api):
    code, _ = api.enterprise()
    secret = api.key("enterprise_user", tenant=code)
    for header in ("bearer", "x-api-key"):
        assert api.as_(secret, header).get("/v1/projects").status_code == 200


def test_a_revoked_key_is_refused_at_once(api):
    code, _ = api.enterprise()
    issued = api.admin.post("/v1/admin/api-keys", json={"role": "enterprise_user", "tenant": code}).json()
    client = api.as_(issued["secret"])
    assert client.get("/v1/projects").status_code == 200
    revoked = api.admin.post(f"/v1/admin/api-keys/{issued['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] and revoked.json()["tenant"] == code
    assert client.get("/v1/projects").status_code == 401


def test_keys_are_stored_only_as_sha256_and_listed_without_secrets(api):
    issued = api.admin.post("/v1/admin/api-keys", json={"role": "bureau_analyst", "label": "bureau"}).json()
    stored = [row for row in api.rows(orm.ApiKey) if row[0] == issued["id"]][0]
    assert issued["secret"] not in repr(api.rows(orm.ApiKey))
    assert hashlib.sha256(issued["secret"].encode()).hexdigest() in stored
    listed = api.admin.get("/v1/admin/api-keys", params={"limit": 200})
    assert listed.status_code == 200 and issued["secret"] not in listed.text
    assert "secret" not in listed.json()["items"][0]
    assert {"id", "prefix", "role", "tenant", "profile_id", "label", "created_at", "revoked_at"} == set(
        listed.json()["items"][0]
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"role": "enterprise_user"}, 422, "tenant"),
        ({"role": "bureau_analyst", "tenant": "some-co"}, 422, "tenant"),
        ({"role": "talent"}, 422, "profile_id"),
        ({"role": "enterprise_user", "tenant": "no-such-co"}, 404, "tenant"),
        ({"role": "talent", "profile_id": 2_000_000_000}, 404, "profile_id"),
        ({"role": "root"}, 422, "role"),
    ],
)
def test_a_key_must_carry_exactly_the_scope_its_role_needs(api, body, status, field):
    before = api.rows(orm.ApiKey)
    response = api.admin.post("/v1/admin/api-keys", json=body)
    assert (response.status_code, response.json()["field"]) == (status, field)
    assert api.rows(orm.ApiKey) == before


def test_admin_creates_enterprises_once_with_slug_codes(api):
    assert api.admin.post("/v1/admin/enterprises", json={"code": "dup-co", "name": "Dup"}).status_code == 201
    again = api.admin.post("/v1/admin/enterprises", json={"code": "dup-co", "name": "Dup"})
    assert again.status_code == 409 and again.json()["field"] == "code"
    bad = api.admin.post("/v1/admin/enterprises", json={"code": "Not A Slug", "name": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "code"
    listed = api.admin.get("/v1/admin/enterprises", params={"limit": 200}).json()
    assert "dup-co" in {e["code"] for e in listed["items"]}


def test_admin_routes_refuse_every_other_role_without_effect(api):
    clients = clients_by_role(api)
    before = api.rows(orm.Enterprise), api.rows(orm.ApiKey)
    for role, client in clients.items():
        if role == "admin":
            continue
        for method, path, body in ADMIN_ROUTES:
            response = client.request(method, path, json=body)
            assert response.status_code == 403, (role, method, path)
            assert role in response.json()["detail"]
    for method, path, body in ADMIN_ROUTES:
        assert api.anonymous.request(method, path, json=body).status_code == 401
    assert (api.rows(orm.Enterprise), api.rows(orm.ApiKey)) == before


def test_talent_routes_refuse_every_other_role(api):
    for role, client in clients_by_role(api).items():
        if role == "talent":
            continue
        for method, path, body in TALENT_ROUTES:
            assert client.request(method, path, json=body).status_code == 403, (role, method, path)
    for method, path, body in TALENT_ROUTES:
        assert api.anonymous.request(method, path, json=body).status_code == 401


def test_the_business_routes_refuse_the_admin_role(api):
    """Admins manage access; they read no projects, shortlists or profiles."""
    for path in ("/v1/projects", "/v1/profiles/me"):
        assert api.admin.get(path).status_code == 403


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_secrets_never_appear_in_logs(api):
    """Keys travel in headers and in two responses; none of them reaches a log record, raw or formatted."""
    capture = Capture()
    names = ["", "talentcluster", "uvicorn", "uvicorn.access", "uvicorn.error", "sqlalchemy.engine", "httpx"]
    saved = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).addHandler(capture)
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        code, _ = api.enterprise("logs")
        issued = api.admin.post("/v1/admin/api-keys", json={"role": "enterprise_user", "tenant": code}).json()
        secret = issued["secret"]
        _, talent = api.talent()
        talent_secret = talent.headers["authorization"].removeprefix("Bearer ")
        api.as_(secret).get("/v1/projects")
        api.as_(secret, "x-api-key").post("/v1/projects", json={"title": ""})
        api.anonymous.get("/v1/projects", headers={"Authorization": f"Bearer {secret}x"})
        talent.get("/v1/profiles/me")
        api.admin.post(f"/v1/admin/api-keys/{issued['id']}/revoke")
        api.as_(secret).get("/v1/projects")
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(capture)
            logging.getLogger(name).setLevel(saved[name])
    assert any(getattr(r, "path", None) == "/v1/projects" for r in capture.records), (
        "the request log was captured"
    )
    formatter = JsonFormatter()
    for record in capture.records:
        raw = f"{record.getMessage()} {record.__dict__!r}"
        for value in (secret, talent_secret, api.admin_key):
            assert value not in raw and value not in formatter.format(record), record.name
        assert "authorization" not in raw.lower() or record.name.startswith("httpx")


def test_a_request_id_is_echoed_only_when_it_is_a_plain_token(api):
    """The request id is logged: a client cannot smuggle text (a key, a fake log entry) in through it."""
    assert (
        api.anonymous.get("/healthz", headers={"x-request-id": "abc-123.4"}).headers["x-request-id"]
        == "abc-123.4"
    )
    smuggled = api.anonymous.get("/healthz", headers={"x-request-id": 'Bearer tck_abc {"level": "ERROR"}'})
    assert "tck_abc" not in smuggled.headers["x-request-id"]
