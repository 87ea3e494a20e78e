"""A real uvicorn server on a free local port, in a background thread, for HTTP tests."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from models.auth import create_api_key
from models.settings import Settings
from models.storage.database import make_engine, transaction
from service.app import create_app
from tests.conftest import _postgres_database, migrate_with_reference, reference_taxonomy
from training.matching.index_job import build_index


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, settings: Settings, **app_options):
        self.port = free_port()
        self.app = create_app(settings, **app_options)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_settings(tmp_path, database_url, migrated) -> Settings:
    return Settings(home=tmp_path, database_url=database_url)


@pytest.fixture
def client(live_settings):
    with LiveServer(live_settings) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


# -- one server per test module and backend, for the API tests of auth, tenancy, talent and limits ----
FAST = {"rate_limit_per_minute": 1e9, "rate_limit_burst": 1_000_000}


class Api:
    """A live server over a migrated database, with an admin key and small factories that build data
    through the HTTP API itself. Each factory call makes new, uniquely named objects, so tests sharing
    the server do not see each other's data."""

    def __init__(self, server: LiveServer, factory, taxonomy):
        self.server = server
        self.url = server.url
        self.db = factory
        self.taxonomy = taxonomy
        self.clients: list[httpx.Client] = []
        self.anonymous = self.client()
        with transaction(factory) as session:
            self.admin_key = create_api_key(session, "admin", label="tests").secret
        self.admin = self.as_(self.admin_key)

    def client(self, **options) -> httpx.Client:
        self.clients.append(httpx.Client(base_url=self.url, timeout=10, **options))
        return self.clients[-1]

    def as_(self, key: str, header: str = "bearer") -> httpx.Client:
        """A client sending ``key`` as ``Authorization: Bearer`` (or as ``X-API-Key``)."""
        headers = {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
        return self.client(headers=headers)

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def key(self, role: str, **scope) -> str:
        response = self.admin.post("/v1/admin/api-keys", json={"role": role, **scope})
        assert response.status_code == 201, response.text
        return response.json()["secret"]

    def enterprise(self, prefix: str = "ent") -> tuple[str, httpx.Client]:
        """A new enterprise; returns its code and a client holding one of its enterprise_user keys."""
        code = f"{prefix}-{uuid.uuid4().hex[:8]}"
        assert self.admin.post("/v1/admin/enterprises", json={"code": code, "name": code}).status_code == 201
        return code, self.as_(self.key("enterprise_user", tenant=code))

    def project_body(self, **overrides) -> dict:
        segment = next(iter(self.taxonomy.segments))
        body = {
            "title": "Single-cell platform",
            "description": "Build it.",
            "kind": "research",
            "segment_code": segment,
            "zone_code": next(iter(self.taxonomy.zones)),
            "required_occupations": [self.taxonomy.talent_chain(segment)[0].occupation_code],
            "required_skills": ["Python"],
            "talent_level": next(iter(self.taxonomy.talent_levels)),
            "min_education": "master",
            "min_experience_years": 2,
            "funding_cny": 1e6,
        }
        return body | overrides

    def project(self, client: httpx.Client, **overrides) -> dict:
        response = client.post("/v1/projects", json=self.project_body(**overrides))
        assert response.status_code == 201, response.text
        return response.json()

    def profile_body(self, consent: list[str] | None = None, **overrides) -> dict:
        body = {
            "summary": "Bioinformatician, single-cell sequencing.",
            "titles": ["Bioinformatician"],
            "skills": ["Python", "R"],
            "education_level": "doctorate",
            "field_of_study": "Biology",
            "years_experience": 5,
            "talent_level": next(iter(self.taxonomy.talent_levels)),
            "zone_code": next(iter(self.taxonomy.zones)),
            "age_band": "25-34",
            "languages": ["zh", "en"],
            "contact": {
                "name": "王芳",
                "phone": "+86 138 0000 0001",
                "id_number": "110101199001011234",
                "email": "wang.fang@example.org",
            },
            "consent_scopes": ["pool:matching"] if consent is None else consent,
        }
        return body | overrides

    def talent(self, consent: list[str] | None = None, **overrides) -> tuple[int, httpx.Client]:
        """A registered person; returns the profile id and a client holding their talent key."""
        response = self.anonymous.post("/v1/profiles", json=self.profile_body(consent, **overrides))
        assert response.status_code == 201, response.text
        return response.json()["profile"]["id"], self.as_(response.json()["api_key"])

    def rows(self, table) -> list[tuple]:
        """Every row of ``table``, for before/after comparisons."""
        with self.db() as session:
            return sorted(tuple(r) for r in session.execute(select(table.__table__)).all())


def _database(kind: str, tmp: Path):
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'api.db'}", lambda: None
    return _postgres_database()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api(request, tmp_path_factory):
    """One live server per module and backend; see ``Api``."""
    tmp = tmp_path_factory.mktemp("api")
    url, drop = _database(request.param, tmp)
    engine = make_engine(url)
    try:
        factory = migrate_with_reference(engine)
        taxonomy = reference_taxonomy()
        with LiveServer(Settings(home=tmp, database_url=url, **FAST)) as server:
            api = Api(server, factory, taxonomy)
            yield api
            api.close()
    finally:
        engine.dispose()
        drop()


def serve_new_index(api: Api, encoder, index_dir: Path, **build_options) -> str:
    """Build the matching index with the product's job, then wait until the live server serves it."""
    report = build_index(api.db, api.taxonomy, encoder, index_dir, **build_options)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if api.anonymous.get("/readyz").json().get("index_version") == report.version:
            return report.version
        time.sleep(0.05)
    raise AssertionError(f"the server did not pick up index {report.version}")
