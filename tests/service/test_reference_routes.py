"""Reference routes, health and the one error shape, through real HTTP."""

from __future__ import annotations

import httpx

from models.settings import Settings
from tests.service.conftest import LiveServer


def test_health_and_readiness_which_needs_the_matching_index(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")  # no index built in this home (tests/service/test_matching_routes.py)
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "taxonomy": "ok", "index": "missing"}


def test_an_industry_chain_runs_upstream_to_downstream_with_its_talent_chain(client, taxonomy):
    code = next(iter(taxonomy.industries))
    chain = client.get(f"/v1/industries/{code}/chain").json()
    positions = [s["position"] for s in chain["segments"]]
    assert positions == sorted(positions) and len(positions) >= 3
    assert all(s["occupations"] and s["occupations"][0]["name_zh"] for s in chain["segments"])


def test_occupations_are_paginated_and_searchable_by_alias_in_either_language(client, taxonomy):
    page = client.get("/v1/occupations", params={"limit": 10, "offset": 5}).json()
    assert len(page["items"]) == 10 and page["total"] == len(taxonomy.occupations) and page["offset"] == 5
    occupation = next(o for o in taxonomy.occupations.values() if o.aliases_zh and o.aliases_en)
    for alias in (occupation.aliases_zh[0], occupation.aliases_en[0]):
        codes = [
            o["code"]
            for o in client.get("/v1/occupations", params={"q": alias, "limit": 200}).json()["items"]
        ]
        assert occupation.code in codes


def test_errors_are_problem_documents_naming_the_field(client):
    unknown = client.get("/v1/occupations/TC-0000-00")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["field"] == "occupation" and "TC-0000-00" in unknown.json()["detail"]
    too_big = client.get("/v1/occupations", params={"limit": 1000})
    assert too_big.status_code == 422 and too_big.json()["field"] == "limit"
    assert too_big.headers["x-request-id"] == too_big.json()["request_id"]


def test_readiness_fails_with_503_when_the_database_is_unreachable(tmp_path):
    settings = Settings(home=tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with LiveServer(settings) as server:
        ready = httpx.get(server.url + "/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("unreachable")


def test_metrics_count_requests_by_route_template_and_status(client):
    client.get("/v1/occupations/TC-0000-00")
    client.get("/v1/zones")
    text = client.get("/metrics").text
    route = "/v1/occupations/{occupation_code}"
    assert f'talentcluster_http_requests_total{{method="GET",route="{route}",status="404"}} 1' in text
    assert 'talentcluster_http_request_duration_seconds_count{method="GET",route="/v1/zones"} 1' in text
    assert "talentcluster_taxonomy_loaded 1" in text
