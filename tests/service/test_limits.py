"""Size and rate limits answer 4xx problem documents that say which limit and which field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from models.settings import Settings
from service.limits import HostTokenBuckets, TokenBuckets
from tests.service.conftest import LiveServer

REPO = Path(__file__).resolve().parents[2]


def test_a_body_over_the_size_limit_is_refused_with_413(api):
    _, enterprise = api.enterprise()
    declared = enterprise.post(
        "/v1/projects", content=b"{" + b" " * 1_100_000 + b"}", headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413 and declared.json()["field"] == "body"
    assert declared.headers["content-type"].startswith("application/problem+json")

    def chunks():  # no Content-Length: the limit is enforced while the body streams in
        yield b'{"title": "'
        for _ in range(20):
            yield b"x" * 65_536
        yield b'"}'

    streamed = enterprise.post("/v1/projects", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["field"] == "body"
    assert enterprise.get("/v1/projects").json()["total"] == 0


def test_text_and_list_lengths_are_limited_naming_the_field(api):
    _, enterprise = api.enterprise()
    project = api.project(enterprise)
    cases = [
        ("title", "t" * 201),
        ("description", "d" * 4001),
        ("required_skills", ["s"] * 101),
        ("required_skills", ["s" * 101]),
        ("min_experience_years", 61),
        ("funding_cny", -1),
    ]
    for field, value in cases:
        created = enterprise.post("/v1/projects", json=api.project_body(**{field: value}))
        assert created.status_code == 422 and created.json()["field"].split(".")[0] == field, created.text
        changed = enterprise.patch(f"/v1/projects/{project['id']}", json={field: value})
        assert changed.status_code == 422 and changed.json()["field"].split(".")[0] == field
    note = enterprise.post(
        f"/v1/projects/{project['id']}/shortlist", json={"profile_id": 1, "note": "n" * 2001}
    )
    assert note.status_code == 422 and note.json()["field"] == "note"
    rank = enterprise.post(
        f"/v1/projects/{project['id']}/feedback", json={"profile_id": 1, "label": "hired", "rank_shown": 0}
    )
    assert rank.status_code == 422 and rank.json()["field"] == "rank_shown"
    label = enterprise.post(
        f"/v1/projects/{project['id']}/feedback", json={"profile_id": 1, "label": "liked"}
    )
    assert label.status_code == 422 and label.json()["field"] == "label" and "hired" in label.json()["detail"]


def test_pages_are_at_most_200_items(api):
    _, enterprise = api.enterprise()
    project = api.project(enterprise)
    for path in (
        "/v1/projects",
        f"/v1/projects/{project['id']}/shortlist",
        f"/v1/projects/{project['id']}/feedback",
        "/v1/admin/enterprises",
    ):
        client = api.admin if "admin" in path else enterprise
        response = client.get(path, params={"limit": 201})
        assert response.status_code == 422 and response.json()["field"] == "limit", path
        assert client.get(path, params={"limit": 200}).status_code == 200


def test_unknown_reference_codes_in_a_body_are_422_naming_the_field(api):
    _, enterprise = api.enterprise()
    for field, value, reported in (
        ("segment_code", "XXX-9", "segment_code"),
        ("zone_code", "atlantis", "zone_code"),
        ("required_occupations", ["TC-0000-00"], "required_occupations.0"),
        ("kind", "party", "kind"),
        ("min_education", "none", "min_education"),
    ):
        response = enterprise.post("/v1/projects", json=api.project_body(**{field: value}))
        assert response.status_code == 422 and response.json()["field"] == reported, response.text


def test_an_archived_project_takes_no_more_changes(api):
    _, enterprise = api.enterprise()
    project = api.project(enterprise)
    archived = enterprise.post(f"/v1/projects/{project['id']}/archive")
    assert archived.json()["status"] == "archived"
    refused = enterprise.patch(f"/v1/projects/{project['id']}", json={"title": "again"})
    assert refused.status_code == 409 and refused.json()["field"] == "status"
    assert enterprise.get("/v1/projects", params={"status": "archived"}).json()["total"] == 1
    assert enterprise.get("/v1/projects", params={"status": "open"}).json()["total"] == 0


def test_each_key_has_its_own_rate_limit_answered_with_429_and_retry_after(tmp_path):
    settings = Settings(
        home=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        rate_limit_burst=3,
        rate_limit_per_minute=6,
    )
    with LiveServer(settings) as server, httpx.Client(base_url=server.url) as http:
        statuses = [http.get("/v1/zones").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = http.get("/v1/zones")
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(limited.headers["retry-after"]) <= 10 and "rate limit" in limited.json()["detail"]
        other = http.get("/v1/zones", headers={"X-API-Key": "tck_some-other-key"})
        assert other.status_code != 429  # another caller's bucket is full
        assert http.get("/healthz").status_code == 200  # probes are never limited


def test_token_buckets_refill_at_the_configured_rate():
    now = [0.0]
    buckets = TokenBuckets(rate_per_s=2, burst=2, clock=lambda: now[0])
    assert [buckets.take("k") for _ in range(2)] == [0, 0]
    assert buckets.take("k") == 0.5
    now[0] += 0.5
    assert buckets.take("k") == 0 and buckets.take("other") == 0


def test_token_buckets_forget_idle_callers_to_bound_memory():
    now = [0.0]
    buckets = TokenBuckets(rate_per_s=1, burst=1, clock=lambda: now[0], max_keys=10)
    for i in range(10):
        buckets.take(f"k{i}")
    now[0] += 5
    buckets.take("new")
    assert len(buckets._buckets) <= 2


def test_host_buckets_are_one_bucket_per_key_for_every_process_that_opens_the_file(tmp_path):
    """Two processes take 30 tokens each from the same key's bucket of 40: together they get 40."""
    path = tmp_path / "rate-limits"
    take = (
        "import sys; from pathlib import Path; from service.limits import HostTokenBuckets; "
        "b = HostTokenBuckets(Path(sys.argv[1]), rate_per_s=1e-6, burst=40); "
        "print(sum(b.take('key:shared') == 0 for _ in range(30)))"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", take, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    granted = [int(w.communicate(timeout=60)[0]) for w in workers]
    assert sum(granted) == 40 and all(g >= 10 for g in granted)
    assert HostTokenBuckets(path, rate_per_s=1e-6, burst=40).take("key:other") == 0


def test_host_buckets_refill_and_reuse_the_slots_of_idle_callers(tmp_path):
    now = [1000.0]
    buckets = HostTokenBuckets(tmp_path / "rl", rate_per_s=2, burst=2, slots=8, clock=lambda: now[0])
    same_file = HostTokenBuckets(tmp_path / "rl", rate_per_s=2, burst=2, slots=8, clock=lambda: now[0])
    assert [buckets.take("k"), same_file.take("k")] == [0, 0]
    assert same_file.take("k") == 0.5
    now[0] += 0.5
    assert buckets.take("k") == 0
    for i in range(50):  # many more callers than slots: each still gets its burst, none a false 429
        assert buckets.take(f"caller-{i}") == 0
    assert buckets.take("caller-49") == 0 and buckets.take("caller-49") > 0


def test_a_table_of_another_size_is_started_afresh(tmp_path):
    HostTokenBuckets(tmp_path / "rl", rate_per_s=1, burst=1, slots=8).take("k")
    again = HostTokenBuckets(tmp_path / "rl", rate_per_s=1, burst=1, slots=16)
    assert again.take("k") == 0
