"""Console sessions live in the database: every worker sees the same ones, and only hashes are stored.

Two apps over one database stand in for two worker processes here (each has its own memory); the test
with real ``talentcluster serve --workers 2`` processes is in ``test_workers.py``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from models.settings import Settings
from models.storage import orm
from tests.service.conftest import FAST, LiveServer


@pytest.fixture(scope="module")
def second(api):
    """A second app (as a second worker would be) over the same database, in another home."""
    settings = Settings(home=api.server.app.state.settings.home / "second", database_url=_url(api), **FAST)
    with LiveServer(settings) as server:
        yield server


def _url(api) -> str:
    return api.server.app.state.settings.resolved_database_url


def login(url: str, key: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    response = client.post("/console/login", json={"api_key": key})
    assert response.status_code == 200, response.text
    return client


def on(url: str, client: httpx.Client) -> httpx.Client:
    """A client for ``url`` carrying ``client``'s cookies (the browser, with its request landing on
    another worker)."""
    return httpx.Client(base_url=url, cookies=client.cookies, timeout=10)


def test_a_session_opened_on_one_worker_is_honoured_and_ended_on_another(api, second):
    code, _ = api.enterprise("sess")
    browser = login(api.url, api.key("enterprise_user", tenant=code))
    other = on(second.url, browser)
    assert other.get("/console/session").json() == {
        "authenticated": True,
        "role": "enterprise_user",
        "tenant": code,
        "profile_id": None,
    }
    csrf = {"X-CSRF-Token": browser.cookies["tc_csrf"]}
    created = other.post("/v1/projects", json=api.project_body(), headers=csrf)
    assert created.status_code == 201, created.text
    assert other.post("/v1/projects", json=api.project_body()).status_code == 403  # no CSRF header

    assert other.post("/console/logout", headers=csrf).status_code == 204
    assert browser.get("/v1/projects").status_code == 401  # ended on the first worker too
    assert browser.get("/console/session").json() == {"authenticated": False}


def test_only_hashes_of_the_session_id_and_csrf_token_are_stored(api):
    key = api.key("bureau_analyst")
    browser = login(api.url, key)
    session_id, csrf = browser.cookies["tc_session"], browser.cookies["tc_csrf"]
    rows = api.rows(orm.ConsoleSession)
    stored = " ".join(str(value) for row in rows for value in row)
    for secret in (session_id, csrf, key):
        assert secret not in stored
    with api.db() as db:
        row = db.get(orm.ConsoleSession, hashlib.sha256(session_id.encode()).hexdigest())
    assert row.csrf_hash == hashlib.sha256(csrf.encode()).hexdigest()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(seconds=api.server.app.state.console_sessions.ttl_seconds)


def test_an_expired_session_is_refused_and_deleted_at_the_next_login(api):
    key = api.key("bureau_analyst")
    browser = login(api.url, key)
    id_hash = hashlib.sha256(browser.cookies["tc_session"].encode()).hexdigest()
    past = orm.utcnow() - timedelta(hours=1)
    with api.db() as db:
        db.execute(
            update(orm.ConsoleSession).where(orm.ConsoleSession.id_hash == id_hash).values(expires_at=past)
        )
        db.commit()
    refused = browser.get("/v1/catalogue/editions")
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]

    login(api.url, key)  # anyone's login sweeps expired rows away
    with api.db() as db:
        assert db.get(orm.ConsoleSession, id_hash) is None


def test_revoking_the_key_or_deleting_the_profile_ends_its_sessions(api, second):
    code, _ = api.enterprise("sess")
    issued = api.admin.post("/v1/admin/api-keys", json={"role": "enterprise_user", "tenant": code}).json()
    browser = login(api.url, issued["secret"])
    assert browser.get("/v1/projects").status_code == 200
    assert api.admin.post(f"/v1/admin/api-keys/{issued['id']}/revoke").status_code == 200
    assert browser.get("/v1/projects").status_code == 401

    profile_id, talent = api.talent()
    browser = login(second.url, talent.headers["authorization"].removeprefix("Bearer "))
    assert browser.get("/v1/profiles/me").json()["id"] == profile_id
    assert talent.delete("/v1/profiles/me").status_code == 204
    with api.db() as db:  # the foreign key took the session with the key
        sessions = db.scalars(select(orm.ConsoleSession.id_hash)).all()
    assert hashlib.sha256(browser.cookies["tc_session"].encode()).hexdigest() not in sessions
    assert browser.get("/v1/profiles/me").status_code == 401
