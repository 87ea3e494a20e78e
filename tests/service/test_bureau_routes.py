"""The HR bureau's routes through real HTTP: forecasts, shortages, indicators, model versions, retraining."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime

import httpx
import numpy as np
import pytest

from models.auth import create_api_key
from models.settings import Settings
from models.storage.database import make_engine, session_factory, transaction, upgrade
from models.storage.reference import load_reference
from tests.conftest import REFERENCE_DIR, reference_taxonomy
from tests.forecast_factory import FAST_PARAMS, HORIZON, tiny_store_database
from tests.service.conftest import FAST, Api, LiveServer
from training.forecasting.run import run_forecast

READERS = ("admin", "bureau_analyst")
OTHERS = ("enterprise_user", "talent")


def _settings(home, url) -> Settings:
    return Settings(
        home=home,
        database_url=url,
        forecast_params=FAST_PARAMS,
        forecast_horizon=HORIZON,
        forecast_refresh_seconds=0.2,
        **FAST,
    )


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    """A live server over the tiny store with one serving forecast run, and a client per role."""
    home = tmp_path_factory.mktemp("bureau")
    with tiny_store_database(home / "bureau.db") as store:
        first = run_forecast(
            store.factory,
            reference_dir=REFERENCE_DIR,
            artifacts_dir=home / "artifacts",
            horizon=HORIZON,
            params=FAST_PARAMS,
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        with LiveServer(_settings(home, store.url)) as server:
            api = Api(server, store.factory, store.taxonomy)
            clients = {
                "admin": api.admin,
                "bureau_analyst": api.as_(api.key("bureau_analyst")),
                "enterprise_user": api.enterprise()[1],
                "talent": api.talent()[1],
            }
            yield {"api": api, "clients": clients, "scope": store.scope, "first": first.version}
            api.close()


def _routes(b) -> list[tuple[str, str, dict]]:
    s = b["scope"]
    return [
        ("GET", "/v1/forecasts", {"level": "industry", "horizon": 3}),
        ("GET", "/v1/shortages", {"industry": s["industry"], "horizon": HORIZON}),
        ("GET", "/v1/indicators", {"zone": s["zones"][0]}),
        ("GET", "/v1/models", {}),
        ("GET", f"/v1/models/{b['first']}", {}),
        ("GET", "/v1/jobs/" + "0" * 32, {}),
    ]


def test_bureau_routes_answer_bureau_analysts_and_admins_and_refuse_the_others(bureau):
    for method, path, params in _routes(bureau):
        for name in READERS:
            r = bureau["clients"][name].request(method, path, params=params)
            assert r.status_code == (404 if "/jobs/" in path else 200), (name, path, r.text)
        for name in OTHERS:
            r = bureau["clients"][name].request(method, path, params=params)
            assert r.status_code == 403, (name, path, r.status_code)
            assert r.headers["content-type"].startswith("application/problem+json")
        assert bureau["api"].anonymous.request(method, path, params=params).status_code == 401
    for name in OTHERS:
        assert bureau["clients"][name].post("/v1/models/retrain").status_code == 403
    for name in (*OTHERS, "bureau_analyst"):
        assert bureau["clients"][name].post(f"/v1/models/{bureau['first']}/promote").status_code == 403


def _points(client, target: str, **params) -> dict[str, np.ndarray]:
    page = client.get("/v1/forecasts", params={"target": target, "horizon": HORIZON, "limit": 200, **params})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == len(body["items"])
    return {
        item["node"]: (
            item["dimensions"],
            np.array([[p[k] for k in ("lo95", "lo80", "mean", "hi80", "hi95")] for p in item["points"]]),
        )
        for item in body["items"]
    }


def test_forecasts_add_up_across_levels_and_intervals_are_ordered(bureau):
    client = bureau["clients"]["bureau_analyst"]
    for target in ("postings", "job_seekers"):
        city = _points(client, target, level="city")["total"][1][:, 2]
        for level in ("zone", "district", "cluster", "industry"):
            nodes = _points(client, target, level=level)
            assert abs(sum(v[:, 2] for _, v in nodes.values()) - city).max() < 1e-6, (target, level)
        segments = _points(client, target, level="segment")
        occupations = _points(client, target, level="occupation")
        by_segment = defaultdict(float)
        for dims, v in occupations.values():
            by_segment[dims["segment"]] = by_segment[dims["segment"]] + v[:, 2]
        for node, (dims, v) in segments.items():
            assert abs(by_segment[dims["segment"]] - v[:, 2]).max() < 1e-6, node
        zone = bureau["scope"]["zones"][0]
        in_zone = _points(client, target, level="occupation", zone=zone)
        zone_total = _points(client, target, level="zone", zone=zone)[f"zone={zone}"][1][:, 2]
        assert abs(sum(v[:, 2] for _, v in in_zone.values()) - zone_total).max() < 1e-6
        for _, v in [*segments.values(), *occupations.values(), *in_zone.values()]:
            assert (np.diff(v, axis=1) >= -1e-9).all()


def test_forecasts_carry_history_and_validate_their_filters(bureau):
    client = bureau["clients"]["bureau_analyst"]
    body = client.get("/v1/forecasts", params={"level": "segment", "history": 6, "horizon": 2}).json()
    item = body["items"][0]
    assert len(item["history"]) == 6 and len(item["points"]) == 2 and item["label_zh"]
    assert item["history"][-1]["ds"] < item["points"][0]["ds"]
    segment = bureau["scope"]["segments"][0]
    finer = client.get("/v1/forecasts", params={"level": "industry", "segment": segment})
    assert finer.status_code == 422 and finer.json()["field"] == "segment"
    unknown = client.get("/v1/forecasts", params={"zone": "atlantis"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "zone"
    assert client.get("/v1/forecasts", params={"horizon": 24}).status_code == 422  # the run has 6 months


def test_shortages_are_ranked_per_segment_with_reasons_in_zh_and_en(bureau):
    s = bureau["scope"]
    body = (
        bureau["clients"]["bureau_analyst"]
        .get("/v1/shortages", params={"industry": s["industry"], "horizon": HORIZON, "zone": s["zones"][0]})
        .json()
    )
    blocks = [b for b in body["segments"] if b["occupations"]]
    assert {b["segment_code"] for b in blocks} == set(s["segments"])
    positions = [b["position"] for b in body["segments"]]
    assert positions == sorted(positions)
    for b in blocks:
        ranks = [(o["p_short"], o["score"]) for o in b["occupations"]]
        assert ranks == sorted(ranks, reverse=True)
        assert [o["rank"] for o in b["occupations"]] == list(range(1, len(ranks) + 1))
        for o in b["occupations"]:
            assert "shortage index" in o["reasons"]["en"] and "求人倍率" in o["reasons"]["zh"]
            assert o["name_zh"] and o["name_en"]
    bad = bureau["clients"]["admin"].get("/v1/shortages", params={"industry": s["industry"], "horizon": 5})
    assert bad.status_code == 422 and bad.json()["field"] == "horizon"


def test_indicators_give_scale_structure_and_change(bureau):
    zone = bureau["scope"]["zones"][0]
    body = bureau["clients"]["bureau_analyst"].get("/v1/indicators", params={"zone": zone}).json()
    assert body["scale"]["postings_12m"] == sum(m["postings"] for m in body["monthly"][-12:])
    assert body["change"]["postings_yoy"] is not None and len(body["monthly"]) == 24
    assert {"education", "age_band", "talent_level", "occupation", "demand_by_occupation"} <= set(
        body["structure"]
    )


def _poll(client, job_id: str, timeout: float = 90) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] in ("succeeded", "failed"):
            return seen + [job["message"]]
        time.sleep(0.2)
    raise AssertionError(f"job still {seen[-1]} after {timeout} s")


def test_a_retrain_job_runs_and_its_version_serves_only_once_promoted(bureau):
    analyst, admin = bureau["clients"]["bureau_analyst"], bureau["clients"]["admin"]
    started = analyst.post("/v1/models/retrain")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    assert started.headers["location"] == f"/v1/jobs/{started.json()['id']}"
    assert admin.post("/v1/models/retrain").status_code == 409  # one at a time
    seen = _poll(analyst, started.json()["id"])
    assert seen[-2] == "succeeded", seen
    assert "running" in seen
    versions = analyst.get("/v1/models").json()["items"]
    new = next(v for v in versions if v["version"] != bureau["first"])
    assert not new["serving"] and new["layout"] == "forecast_run"
    assert analyst.get("/v1/forecasts").json()["model_version"] == bureau["first"]
    promoted = admin.post(f"/v1/models/{new['version']}/promote")
    assert promoted.status_code == 200 and promoted.json()["serving"]
    assert analyst.get("/v1/forecasts").json()["model_version"] == new["version"]
    assert admin.post("/v1/models/no-such-version/promote").status_code == 404


def test_without_a_forecaster_the_routes_answer_503_and_readiness_reports_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        load_reference(session, reference_taxonomy())
        key = create_api_key(session, "bureau_analyst").secret
    try:
        with (
            LiveServer(_settings(tmp_path, url)) as server,
            httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=10
            ) as client,
        ):
            for path in ("/v1/forecasts", "/v1/shortages"):
                r = client.get(path)
                assert r.status_code == 503
                assert "talentcluster forecast train --store" in r.json()["detail"]
            assert client.get("/readyz").json()["optional"] == {"forecaster": "missing"}
            assert client.get("/v1/models").json()["items"] == []
    finally:
        engine.dispose()
