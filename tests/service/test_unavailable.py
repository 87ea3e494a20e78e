"""When a dependency is missing: the database unreachable, read-only or lost in the middle of a write; the
matching index not built. Readiness fails, requests get a 503 problem that says what is wrong (never a
500), what does not need the dependency keeps answering, and no write is left half done."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select, text

from models.auth import create_api_key
from models.settings import Settings
from models.storage import orm
from models.storage.database import make_engine, session_factory, transaction, upgrade
from models.storage.reference import load_reference
from service.app import create_app
from tests.conftest import _postgres_database, reference_taxonomy
from tests.service.conftest import FAST, Api, LiveServer, free_port

UNREACHABLE = "the database is unreachable; try again shortly"
WRITTEN_BY_REGISTRATION = (orm.TalentProfile, orm.TalentPII, orm.ConsentScope, orm.ApiKey)


def _operations() -> list[tuple[str, str, bool]]:
    """(method, path with every parameter set to 1, needs a key) for every operation of the API."""
    spec = create_app(Settings()).openapi()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path), bool(op.get("security")))
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    ]


@pytest.fixture(scope="module")
def down(tmp_path_factory):
    """A server whose database (PostgreSQL on a closed local port) never answers."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    settings = Settings(home=tmp_path_factory.mktemp("down"), database_url=url, **FAST)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def test_readiness_fails_naming_the_database_while_liveness_holds(down):
    ready = down.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready"
    assert ready.json()["checks"]["database"].startswith("unreachable")
    assert down.get("/healthz").status_code == 200


def test_every_operation_answers_503_or_works_without_the_database_never_500(down):
    """Routes with a key authenticate against the database first: 503. Routes without one either need
    it too (registration: 503) or answer from memory (reference data: 200, or 404/422 for the made-up
    ids used here)."""
    seen = {}
    for method, path, keyed in _operations():
        if path == "/readyz":
            continue
        headers = {"Authorization": "Bearer tck_made-up-key"}
        response = down.request(method, path, headers=headers if keyed else {}, json={})
        seen[f"{method} {path}"] = response.status_code
        assert response.status_code != 500, (method, path, response.text)
        if keyed:
            assert response.status_code == 503, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"] == UNREACHABLE
    assert seen["GET /v1/industries"] == 200  # served from the reference data in memory
    assert seen["POST /v1/profiles"] in (422, 503)  # an empty body is refused before any write


def test_registration_answers_503_problem_when_the_database_is_down(down):
    api = Api.__new__(Api)
    api.taxonomy = reference_taxonomy()
    response = down.post("/v1/profiles", json=api.profile_body())
    assert response.status_code == 503
    assert response.json()["detail"] == UNREACHABLE and response.json()["status"] == 503


def _counts(factory) -> dict[str, int]:
    with factory() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t))
            for t in WRITTEN_BY_REGISTRATION
        }


def _migrated(url: str):
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        load_reference(session, reference_taxonomy())
    return engine, factory


def test_a_read_only_sqlite_file_serves_reads_refuses_writes_with_503_and_keeps_no_partial_rows(tmp_path):
    path = tmp_path / "store.db"
    engine, factory = _migrated(f"sqlite:///{path}")
    with transaction(factory) as session:
        analyst = create_api_key(session, "bureau_analyst").secret
    before = _counts(factory)
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    api = Api.__new__(Api)
    api.taxonomy = reference_taxonomy()
    with LiveServer(Settings(home=tmp_path, database_url=read_only, **FAST)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            read = http.get("/v1/catalogue/editions", headers={"Authorization": f"Bearer {analyst}"})
            write = http.post("/v1/profiles", json=api.profile_body())
    assert read.status_code == 200 and read.json()["total"] == 0
    assert write.status_code == 503 and write.json()["detail"] == UNREACHABLE
    assert _counts(factory) == before
    with LiveServer(Settings(home=tmp_path, database_url=f"sqlite:///{path}", **FAST)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            again = http.post("/v1/profiles", json=api.profile_body())
    assert again.status_code == 201
    assert _counts(factory) == {k: v + 1 for k, v in before.items()}  # profile, contacts, consent, key
    engine.dispose()


@pytest.mark.postgres
def test_a_connection_lost_in_the_middle_of_a_write_answers_503_and_leaves_nothing_half_written(tmp_path):
    """PostgreSQL kills the connection when registration inserts its API key, after the profile, its
    contact details and consent rows were sent in the same transaction: none of them may remain."""
    url, drop = _postgres_database()
    engine, factory = _migrated(url)
    try:
        with engine.begin() as c:
            c.execute(
                text(
                    "CREATE FUNCTION lose_connection() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(1); RETURN NEW; END $$"
                )
            )
            c.execute(
                text(
                    "CREATE TRIGGER outage BEFORE INSERT ON api_key "
                    "FOR EACH ROW EXECUTE FUNCTION lose_connection()"
                )
            )
        before = _counts(factory)
        with LiveServer(Settings(home=tmp_path, database_url=url, **FAST)) as server:
            api = Api.__new__(Api)
            api.taxonomy = reference_taxonomy()
            with httpx.Client(base_url=server.url, timeout=30) as http:
                lost = http.post("/v1/profiles", json=api.profile_body())
                assert lost.status_code == 503, lost.text
                assert lost.json()["detail"] == UNREACHABLE
                assert _counts(factory) == before
                with engine.begin() as c:
                    c.execute(text("DROP TRIGGER outage ON api_key"))
                back = http.post("/v1/profiles", json=api.profile_body())
                assert back.status_code == 201, back.text
                profile = back.json()["profile"]["id"]
                me = http.get(
                    "/v1/profiles/me", headers={"Authorization": f"Bearer {back.json()['api_key']}"}
                )
                assert me.status_code == 200 and me.json()["id"] == profile
        after = _counts(factory)
        assert {k: after[k] - before[k] for k in after} == {
            "talent_profile": 1,
            "talent_pii": 1,
            "consent_scope": 1,
            "api_key": 1,
        }
    finally:
        engine.dispose()
        drop()


def test_without_a_matching_index_readiness_fails_and_matching_answers_503_saying_what_to_build(api):
    ready = api.anonymous.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["index"] == "missing"
    assert ready.json()["checks"]["database"] == "ok"
    _, enterprise = api.enterprise()
    project = api.project(enterprise)
    response = enterprise.get(f"/v1/projects/{project['id']}/candidates")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "run talentcluster match build-index" in response.json()["detail"]
    assert enterprise.get(f"/v1/projects/{project['id']}").status_code == 200  # the rest still answers
