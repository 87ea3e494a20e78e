"""The tenancy matrix: every role × every enterprise route × own vs another tenant's object.

An enterprise never reads or changes another's projects, shortlists or feedback: the other tenant's
objects answer exactly like objects that do not exist (404), and the database is unchanged afterwards.
Other roles are refused (401 without a key, 403 with a key of the wrong role), equally without effect.
"""

from __future__ import annotations

import re

import pytest

from models.storage import orm

TABLES = (orm.Project, orm.ShortlistEntry, orm.MatchFeedback, orm.AuditEvent, orm.ConsentScope, orm.TalentPII)


def routes(project_id: int, profile_id: int, spare_profile_id: int) -> list[tuple[str, str, dict | None]]:
    """Every route that names a project, as (method, path, JSON body)."""
    p = f"/v1/projects/{project_id}"
    return [
        ("GET", p, None),
        ("PATCH", p, {"title": "taken over"}),
        ("POST", f"{p}/archive", None),
        ("POST", f"{p}/shortlist", {"profile_id": spare_profile_id, "note": "mine now"}),
        ("GET", f"{p}/shortlist", None),
        ("GET", f"{p}/shortlist/{profile_id}", None),
        ("DELETE", f"{p}/shortlist/{profile_id}", None),
        ("POST", f"{p}/feedback", {"profile_id": profile_id, "label": "hired", "rank_shown": 1}),
        ("GET", f"{p}/feedback", None),
    ]


OWN_STATUS = {
    ("GET", ""): 200,
    ("PATCH", ""): 200,
    ("POST", "archive"): 200,
    ("POST", "shortlist"): 201,
    ("GET", "shortlist"): 200,
    ("GET", "shortlist/"): 200,
    ("DELETE", "shortlist/"): 204,
    ("POST", "feedback"): 201,
    ("GET", "feedback"): 200,
}


def _kind(method: str, path: str) -> tuple[str, str]:
    tail = re.sub(r"^/v1/projects/\d+/?", "", path)
    return method, re.sub(r"/\d+$", "/", tail)


def tenant(api, name: str) -> dict:
    """An enterprise with a project that has a shortlisted, consenting candidate and feedback on them."""
    code, client = api.enterprise(name)
    project = api.project(client, title=f"secret project of {code}")
    profile_id, _ = api.talent(["pool:matching", f"tenant:{code}"], contact={"name": f"Candidate of {code}"})
    spare_id, _ = api.talent(["pool:matching"])
    assert (
        client.post(f"/v1/projects/{project['id']}/shortlist", json={"profile_id": profile_id}).status_code
        == 201
    )
    assert (
        client.post(
            f"/v1/projects/{project['id']}/feedback", json={"profile_id": profile_id, "label": "contacted"}
        ).status_code
        == 201
    )
    return {"code": code, "client": client, "project": project, "profile": profile_id, "spare": spare_id}


@pytest.fixture
def world(api):
    """Enterprises A and B, each as ``tenant`` builds it."""
    return {name: tenant(api, name) for name in ("a", "b")}


def snapshot(api) -> dict:
    return {table.__tablename__: api.rows(table) for table in TABLES}


def test_no_enterprise_reads_or_changes_another_enterprises_objects(api, world):
    for owner, intruder in (("a", "b"), ("b", "a")):
        mine, theirs = world[owner], world[intruder]
        before = snapshot(api)
        for method, path, body in routes(mine["project"]["id"], mine["profile"], theirs["spare"]):
            response = theirs["client"].request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert mine["code"] not in response.text and "Candidate of" not in response.text
        assert snapshot(api) == before, "a refused request changed the database"


def masked(problem: dict) -> dict:
    """A problem document with numbers masked and the per-request fields left out."""
    return {k: re.sub(r"\d+", "N", str(v)) for k, v in problem.items() if k not in ("request_id", "instance")}


def test_another_tenants_project_reads_exactly_like_a_missing_one(api, world):
    intruder = world["b"]["client"]
    for (method, path, body), (_, missing_path, _) in zip(
        routes(world["a"]["project"]["id"], world["a"]["profile"], world["b"]["spare"]),
        routes(2_000_000_000, world["a"]["profile"], world["b"]["spare"]),
        strict=True,
    ):
        other, missing = (
            intruder.request(method, path, json=body),
            intruder.request(method, missing_path, json=body),
        )
        assert other.status_code == missing.status_code == 404
        assert masked(other.json()) == masked(missing.json())


@pytest.mark.parametrize("role", ["anonymous", "admin", "bureau_analyst", "talent"])
def test_other_roles_are_refused_every_enterprise_route_without_effect(api, world, role):
    if role == "anonymous":
        client, expected = api.anonymous, 401
    elif role == "talent":
        client, expected = api.talent()[1], 403
    else:
        client, expected = api.as_(api.key(role)), 403
    before = snapshot(api)
    target = world["a"]
    calls = [("GET", "/v1/projects", None), ("POST", "/v1/projects", api.project_body())]
    calls += routes(target["project"]["id"], target["profile"], target["spare"])
    for method, path, body in calls:
        response = client.request(method, path, json=body)
        assert response.status_code == expected, (role, method, path, response.text)
        assert "secret project" not in response.text and "Candidate of" not in response.text
    assert snapshot(api) == before


@pytest.mark.parametrize("route", range(len(OWN_STATUS)))
def test_an_enterprise_may_use_every_route_on_its_own_project(api, route):
    own = tenant(api, "own")
    method, path, body = routes(own["project"]["id"], own["profile"], own["spare"])[route]
    response = own["client"].request(method, path, json=body)
    assert response.status_code == OWN_STATUS[_kind(method, path)], response.text


def test_lists_show_only_the_callers_tenant(api, world):
    for name, other in (("a", "b"), ("b", "a")):
        client = world[name]["client"]
        api.project(client, title="second")
        listed = client.get("/v1/projects", params={"limit": 200}).json()
        assert listed["total"] == 2 and {p["title"] for p in listed["items"]} == {
            world[name]["project"]["title"],
            "second",
        }
        assert world[other]["project"]["id"] not in {p["id"] for p in listed["items"]}


def test_a_project_cannot_be_created_in_or_moved_to_another_tenant(api, world):
    a, b = world["a"], world["b"]
    before = snapshot(api)
    for field, value in (("enterprise_id", 1), ("tenant", b["code"]), ("enterprise_code", b["code"])):
        created = a["client"].post("/v1/projects", json=api.project_body(**{field: value}))
        assert created.status_code == 422 and created.json()["field"] == field
        moved = a["client"].patch(f"/v1/projects/{a['project']['id']}", json={field: value})
        assert moved.status_code == 422 and moved.json()["field"] == field
    assert snapshot(api) == before
