"""API keys, roles and the admin routes, through real HTTP; and no secret ever reaches a log."""

from __future__ import annotations

import hashlib
import logging
import time

import httpx
import pytest

from models.auth import Principal, PrincipalCache, Role
from models.errors import Unauthenticated
from models.settings import Settings
from models.storage import orm
from service.app import JsonFormatter
from tests.service.conftest import FAST, LiveServer

ADMIN_ROUTES = [
    ("POST", "/v1/admin/enterprises", {"code": "intruder-co", "name": "Intruder"}),
    ("GET", "/v1/admin/enterprises", None),
    ("POST", "/v1/admin/api-keys", {"role": "admin"}),
    ("GET", "/v1/admin/api-keys", None),
    ("POST", "/v1/admin/api-keys/1/revoke", None),
    ("GET", "/v1/admin/index", None),
    ("POST", "/v1/admin/index/builds", None),
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


def test_a_key_revoked_on_another_worker_stops_working_within_the_cache_ttl(api):
    """Each worker trusts a key it looked up for ``api_key_cache_seconds``; the worker that revokes it
    forgets it at once, the others within that time."""
    settings = Settings(
        home=api.server.app.state.settings.home / "cached",
        database_url=api.server.app.state.settings.resolved_database_url,
        api_key_cache_seconds=2,
        **FAST,
    )
    code, _ = api.enterprise()
    issued = api.admin.post("/v1/admin/api-keys", json={"role": "enterprise_user", "tenant": code}).json()
    with (
        LiveServer(settings) as other,
        httpx.Client(base_url=other.url, headers={"Authorization": f"Bearer {issued['secret']}"}) as client,
    ):
        assert client.get("/v1/projects").status_code == 200
        revoked_at = time.monotonic()
        assert api.admin.post(f"/v1/admin/api-keys/{issued['id']}/revoke").status_code == 200
        assert api.as_(issued["secret"]).get("/v1/projects").status_code == 401  # the revoking worker
        if time.monotonic() - revoked_at < 1.5:  # the other worker still trusts its cached lookup
            assert client.get("/v1/projects").status_code == 200
        time.sleep(max(0.0, revoked_at + 2.1 - time.monotonic()))
        assert client.get("/v1/projects").status_code == 401


def test_the_principal_cache_expires_forgets_and_stays_bounded():
    now = [0.0]
    cache = PrincipalCache(30, max_entries=3, clock=lambda: now[0])
    lookups = []

    def lookup(key_hash):
        lookups.append(key_hash)
        return Principal(key_id=int(key_hash[1:]), role=Role.talent, profile_id=int(key_hash[1:]))

    for key_hash in ("h1", "h1", "h2"):
        cache.principal(key_hash, lookup)
    assert lookups == ["h1", "h2"]
    now[0] = 31
    cache.principal("h1", lookup)
    assert lookups == ["h1", "h2", "h1"]  # expired, looked up again
    cache.forget(key_hash="h1")
    cache.forget(profile_id=2)
    assert len(cache) == 0
    for i in range(10):
        cache.principal(f"h{i}", lookup)
    assert len(cache) == 3

    def unknown(key_hash):
        raise Unauthenticated("invalid or revoked API key")

    with pytest.raises(Unauthenticated):
        cache.principal("nope", unknown)
    assert len(cache) == 3  # a wrong key is never cached


def test_a_lookup_racing_a_revocation_is_not_cached():
    cache = PrincipalCache(30)

    def lookup_while_revoked(key_hash):
        cache.forget(key_hash=key_hash)  # the revocation lands while this lookup is in flight
        return Principal(key_id=1, role=Role.admin)

    cache.principal("h", lookup_while_revoked)
    assert len(cache) == 0


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
    """Keys travel in headers and in two responses, console session ids and CSRF tokens in cookies and
    headers; none of them reaches a log record, raw or formatted."""
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
        browser = api.client()
        assert browser.post("/console/login", json={"api_key": secret}).status_code == 200
        session_id, csrf = browser.cookies["tc_session"], browser.cookies["tc_csrf"]
        browser.get("/v1/projects")
        browser.post("/v1/projects", json={"title": ""}, headers={"X-CSRF-Token": csrf})
        browser.post("/v1/projects", json={"title": ""}, headers={"X-CSRF-Token": csrf + "x"})
        api.admin.post(f"/v1/admin/api-keys/{issued['id']}/revoke")
        api.as_(secret).get("/v1/projects")
        browser.get("/v1/projects")
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
        client_side = record.name.startswith(("httpx", "httpcore"))  # the test's client traces Set-Cookie
        for value in (secret, talent_secret, api.admin_key) + (() if client_side else (session_id, csrf)):
            assert value not in raw and value not in formatter.format(record), record.name
        assert client_side or ("authorization" not in raw.lower() and "cookie" not in raw.lower())


def test_a_request_id_is_echoed_only_when_it_is_a_plain_token(api):
    """The request id is logged: a client cannot smuggle text (a key, a fake log entry) in through it."""
    assert (
        api.anonymous.get("/healthz", headers={"x-request-id": "abc-123.4"}).headers["x-request-id"]
        == "abc-123.4"
    )
    smuggled = api.anonymous.get("/healthz", headers={"x-request-id": 'Bearer tck_abc {"level": "ERROR"}'})
    assert "tck_abc" not in smuggled.headers["x-request-id"]
