"""Matching through real HTTP: a live server over a small corpus (~50 hand-made profiles), the real
MiniLM encoder (loaded once per session) and an index built by the real build job."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from models.matching.index_store import current_version
from models.settings import Settings
from models.storage import orm
from models.storage.database import make_engine, session_factory, transaction, upgrade
from models.storage.reference import load_reference
from tests.conftest import reference_taxonomy
from tests.service.conftest import FAST, Api, LiveServer, serve_new_index

ANALYST = ("数据分析师", "Data analyst", ["SQL", "Python", "statistical analysis", "data visualisation"])
BIO = ("生物信息分析师", "Bioinformatician", ["Python", "R", "single-cell sequencing", "genomics"])
CRA = ("临床监查员", "Clinical research associate", ["GCP", "monitoring visits", "source data verification"])
FUND = ("基金经理", "Fund manager", ["portfolio management", "asset allocation", "risk control"])
KINDS = (ANALYST, BIO, CRA, FUND)
NEEDLE = "quantum annealing cryostat calibration"  # words only the consent-test profiles hold


@pytest.fixture(scope="module")
def world(tmp_path_factory, minilm):
    """A migrated SQLite database with reference data, a live server (refreshing the index every
    0.2 s) and ~50 profiles and a few projects made through the API; no index yet."""
    tmp = tmp_path_factory.mktemp("matching")
    url = f"sqlite:///{tmp / 'api.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    taxonomy = reference_taxonomy()
    with transaction(factory) as session:
        load_reference(session, taxonomy)
    settings = Settings(home=tmp, database_url=url, index_refresh_seconds=0.2, **FAST)
    with LiveServer(settings, encoder=minilm) as server:
        api = Api(server, factory, taxonomy)
        api.settings = settings
        api.code, api.enterprise_client = api.enterprise("owner")
        api.people = {}
        for i in range(48):
            zh, en, skills = KINDS[i % 4]
            title = zh if i % 3 == 0 else en
            consent = ["pool:matching"] if i % 8 else []
            pid, client = api.talent(
                consent,
                summary=f"{title}: {i % 7 + 1} years of {', '.join(skills[:2])}.",
                titles=[title],
                skills=skills,
                years_experience=i % 12,
                zone_code=sorted(taxonomy.zones)[i % 3],
            )
            api.people[pid] = (consent, client)
        yield api
        api.close()
    engine.dispose()


def build(api: Api, minilm) -> str:
    return serve_new_index(api, minilm, api.settings.index_dir)


@pytest.fixture(scope="module")
def built(world, minilm):
    build(world, minilm)
    return world


def analyst_project(api: Api, client: httpx.Client | None = None, **overrides) -> dict:
    body = {
        "title": "Industrial data analytics",
        "description": "We need a data analyst for statistical analysis and dashboards.",
        "required_skills": ["SQL", "statistical analysis"],
        "required_occupations": ["TC-2511-05"],
    }
    return api.project(client or api.enterprise_client, **(body | overrides))


def candidate_ids(client: httpx.Client, project_id: int, **params) -> list[int]:
    response = client.get(f"/v1/projects/{project_id}/candidates", params={"top_k": 100} | params)
    assert response.status_code == 200, response.text
    return [item["candidate"]["profile_id"] for item in response.json()["items"]]


def test_without_an_index_readiness_fails_and_matching_answers_503_saying_what_to_run(world, minilm):
    empty = Settings(home=world.settings.home / "elsewhere", database_url=world.settings.database_url, **FAST)
    with LiveServer(empty, encoder=minilm) as server, httpx.Client(base_url=server.url) as http:
        ready = http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["index"] == "missing"
        key = world.key("enterprise_user", tenant=world.code)
        response = http.get("/v1/projects/1/candidates", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "matching index not built; run talentcluster match build-index"


def test_candidates_come_with_reasons(built):
    project = analyst_project(built)
    response = built.enterprise_client.get(f"/v1/projects/{project['id']}/candidates", params={"top_k": 5})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == 5 and [i["rank"] for i in items] == [1, 2, 3, 4, 5]
    for item in items:
        reasons = item["reasons"]
        assert reasons["score_parts"] and reasons["channel_ranks"]
        assert sum(reasons["score_parts"].values()) == pytest.approx(item["score"], abs=0.05)
        assert reasons["requirements_met"] or reasons["requirements_missing"]
        assert item["candidate"]["view"] == "pseudonymous" and item["candidate"]["contact"] is None
    assert any(
        "Data analyst" in i["candidate"]["titles"] or "数据分析师" in i["candidate"]["titles"]
        for i in items[:3]
    )


def test_filters_apply_inside_retrieval(built):
    project = analyst_project(built)
    zone = sorted(built.taxonomy.zones)[1]
    response = built.enterprise_client.get(
        f"/v1/projects/{project['id']}/candidates", params={"top_k": 100, "zone": zone, "min_years": 6}
    )
    items = response.json()["items"]
    assert items and all(i["candidate"]["zone_code"] == zone for i in items)
    assert all(i["candidate"]["years_experience"] >= 6 for i in items)
    bad = built.enterprise_client.get(f"/v1/projects/{project['id']}/candidates", params={"zone": "atlantis"})
    assert bad.status_code == 422 and bad.json()["field"] == "zone"


def test_a_profile_without_matching_consent_is_never_returned(built):
    project = analyst_project(built)
    returned = set(candidate_ids(built.enterprise_client, project["id"]))
    unconsented = {pid for pid, (consent, _) in built.people.items() if not consent}
    assert unconsented and not returned & unconsented
    assert returned  # the consenting ones are there


def test_tenant_and_kind_scopes_admit_only_their_searches(built, minilm):
    other_code, other = built.enterprise("other")
    tenant_only, _ = built.talent(
        [f"tenant:{built.code}"], summary=f"Data analyst. {NEEDLE}.", titles=["Data analyst"], skills=["SQL"]
    )
    kind_only, _ = built.talent(
        ["kind:startup"], summary=f"Data analyst. {NEEDLE}.", titles=["Data analyst"], skills=["SQL"]
    )
    build(built, minilm)
    mine = analyst_project(built, description=NEEDLE, kind="research")
    theirs = analyst_project(built, other, description=NEEDLE, kind="research")
    startup = analyst_project(built, other, description=NEEDLE, kind="startup")
    assert tenant_only in candidate_ids(built.enterprise_client, mine["id"])
    assert kind_only not in candidate_ids(built.enterprise_client, mine["id"])
    assert tenant_only not in candidate_ids(other, theirs["id"])
    assert kind_only in candidate_ids(other, startup["id"])
    full = built.enterprise_client.get(f"/v1/projects/{mine['id']}/candidates", params={"top_k": 100})
    view = next(i["candidate"] for i in full.json()["items"] if i["candidate"]["profile_id"] == tenant_only)
    assert view["view"] == "full" and view["contact"]["name"]
    with built.db() as session:
        audited = session.scalars(
            select(orm.AuditEvent).where(
                orm.AuditEvent.action == "read_pii", orm.AuditEvent.object_id == str(tenant_only)
            )
        ).all()
    assert audited


def test_a_deleted_profile_is_never_returned_by_the_next_query(built):
    project = analyst_project(built)
    before = candidate_ids(built.enterprise_client, project["id"], top_k=3)
    victim = before[0]
    assert built.people[victim][1].delete("/v1/profiles/me").status_code == 204
    after = candidate_ids(built.enterprise_client, project["id"])
    assert victim not in after and len(after) >= 3
    # the tombstone keeps it out of a freshly loaded copy of the same version too
    assert str(victim) in (built.settings.index_dir / "tombstones.log").read_text().split()


def test_withdrawn_consent_takes_effect_on_the_next_query(built):
    project = analyst_project(built)
    first = candidate_ids(built.enterprise_client, project["id"], top_k=3)[0]
    assert built.people[first][1].delete("/v1/profiles/me/consent").status_code == 204
    after = candidate_ids(built.enterprise_client, project["id"], top_k=5)
    assert first not in after and len(after) == 5  # excluded, and the list is filled up again


def test_another_tenants_project_reads_as_unknown(built):
    _, other = built.enterprise("other")
    project = analyst_project(built)
    response = other.get(f"/v1/projects/{project['id']}/candidates")
    assert response.status_code == 404 and response.json()["field"] == "project_id"


@pytest.mark.parametrize("top_k", [0, 101])
def test_top_k_outside_1_to_100_is_a_422_naming_top_k(built, top_k):
    project = analyst_project(built)
    response = built.enterprise_client.get(
        f"/v1/projects/{project['id']}/candidates", params={"top_k": top_k}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "top_k" and "top_k" in response.json()["detail"]


def test_talent_sees_open_projects_that_fit_them_with_reasons(built, minilm):
    project = analyst_project(built, title=f"BI dashboards {uuid.uuid4().hex[:6]}")
    build(built, minilm)
    pid, client = next((p, c) for p, (consent, c) in built.people.items() if consent and p % 4 == 1)
    response = client.get("/v1/profiles/me/matches", params={"top_k": 50})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items and all(i["kind"] == "project" and i["reasons"]["score_parts"] for i in items)
    assert project["id"] in [i["project"]["id"] for i in items]
    built.enterprise_client.post(f"/v1/projects/{project['id']}/archive")
    after = client.get("/v1/profiles/me/matches", params={"top_k": 50}).json()["items"]
    assert project["id"] not in [i["project"]["id"] for i in after]  # archived: no longer offered


def test_bureau_analysts_search_by_occupation_and_see_no_pii(built):
    analyst = built.as_(built.key("bureau_analyst"))
    segment = next(
        link.segment_code
        for link in built.taxonomy.segment_occupations
        if link.occupation_code == "TC-2511-05"
    )
    response = analyst.get(
        "/v1/candidates/search", params={"occupation_code": "TC-2511-05", "segment_code": segment, "top_k": 5}
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items and all(i["candidate"]["contact"] is None for i in items)
    assert items[0]["reasons"]["occupation_codes"]
    bad = analyst.get("/v1/candidates/search", params={"occupation_code": "TC-0000-00"})
    assert bad.status_code == 422 and bad.json()["field"] == "occupation_code"
    talent = next(iter(built.people.values()))[1]
    assert talent.get("/v1/candidates/search", params={"occupation_code": "TC-2511-05"}).status_code == 403


def test_a_new_index_version_is_picked_up_without_failed_requests(built, minilm):
    project = analyst_project(built)
    statuses: list[int] = []
    versions: set[str] = set()
    stop = threading.Event()

    def hammer():
        with httpx.Client(base_url=built.url, headers=built.enterprise_client.headers, timeout=30) as http:
            while not stop.is_set():
                r = http.get(f"/v1/projects/{project['id']}/candidates", params={"top_k": 10})
                statuses.append(r.status_code)
                if r.status_code == 200:
                    versions.add(r.json()["index_version"])

    before = current_version(built.settings.index_dir)
    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.1)  # version names have one-second resolution
        new = build(built, minilm)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert new != before
    assert statuses and set(statuses) == {200}
    assert new in versions


def test_an_admin_rebuilds_the_index_through_the_api_and_new_profiles_become_searchable(built):
    admin = built.admin
    status = admin.get("/v1/admin/index").json()
    assert status["version"] == current_version(built.settings.index_dir)
    assert status["counts"]["profiles"] > 0 and status["profiles_written_since"] == 0
    needle = "superconducting qubit readout amplifier"
    pid, _ = built.talent(
        ["pool:matching"], summary=f"Engineer: {needle}.", titles=["Physicist"], skills=[needle]
    )
    project = analyst_project(built, title="Qubit readout", description=f"We need {needle}.")
    assert pid not in candidate_ids(built.enterprise_client, project["id"])  # not indexed yet
    assert admin.get("/v1/admin/index").json()["profiles_written_since"] == 1
    analyst = built.as_(built.key("bureau_analyst"))
    for caller in (analyst, built.enterprise_client):
        assert caller.post("/v1/admin/index/builds").status_code == 403
    started = admin.post("/v1/admin/index/builds")
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    assert started.headers["location"] == f"/v1/jobs/{job_id}" and started.json()["kind"] == "index-build"
    assert admin.post("/v1/admin/index/builds").status_code == 409  # one build at a time
    assert analyst.get(f"/v1/jobs/{job_id}").status_code == 404  # the admin's job, not the bureau's
    deadline, job = time.monotonic() + 120, {}
    while time.monotonic() < deadline:
        job = admin.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    version = job["result"]["version"]
    assert job["result"]["serving"] and job["message"] == f"version {version} written"
    deadline = time.monotonic() + 30
    while built.anonymous.get("/readyz").json().get("index_version") != version:
        assert time.monotonic() < deadline, "the new version was not picked up"
        time.sleep(0.05)
    assert pid in candidate_ids(built.enterprise_client, project["id"])[:3]
    after = admin.get("/v1/admin/index").json()
    assert after["version"] == version and after["profiles_written_since"] == 0
