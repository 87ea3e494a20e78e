"""Talent: register, read, correct, consent, withdraw and delete a profile, through real HTTP."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from models.storage import orm
from tests.service.conftest import LiveServer

PROFILE_TABLES = (
    orm.TalentProfile,
    orm.TalentPII,
    orm.ConsentScope,
    orm.ShortlistEntry,
    orm.MatchFeedback,
    orm.ApiKey,
)


def test_a_person_registers_without_a_key_and_receives_their_own_key_once(api):
    response = api.anonymous.post("/v1/profiles", json=api.profile_body())
    assert response.status_code == 201
    registered = response.json()
    assert re.fullmatch(r"tck_[A-Za-z0-9_-]{40,}", registered["api_key"])
    assert re.fullmatch(r"T-[0-9a-f]{12}", registered["profile"]["pseudonym"])
    assert "external_ref" not in registered["profile"]
    me = api.as_(registered["api_key"]).get("/v1/profiles/me").json()
    assert me == registered["profile"]
    assert me["contact"]["name"] == "王芳" and me["consent_scopes"] == ["pool:matching"]


def test_registration_names_the_offending_field(api):
    cases = [
        ({"consent_scopes": ["pool:matching", "tenant:Bad Code"]}, "consent_scopes.1"),
        ({"consent_scopes": ["everyone"]}, "consent_scopes.0"),
        ({"zone_code": "atlantis"}, "zone_code"),
        ({"talent_level": "wizard"}, "talent_level"),
        ({"occupation_code": "TC-0000-00"}, "occupation_code"),
        ({"education_level": "kindergarten"}, "education_level"),
        ({"contact": {"email": "no-at-sign"}}, "contact.email"),
        ({"summary": "x" * 4001}, "summary"),
        ({"years_experience": 61}, "years_experience"),
        ({"skills": ["s"] * 201}, "skills"),
        ({"is_admin": True}, "is_admin"),
    ]
    before = api.rows(orm.TalentProfile)
    for overrides, field in cases:
        body = api.profile_body(
            **{k: v for k, v in overrides.items() if k != "consent_scopes"},
            consent=overrides.get("consent_scopes"),
        )
        response = api.anonymous.post("/v1/profiles", json=body)
        assert response.status_code == 422 and response.json()["field"] == field, (overrides, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert api.rows(orm.TalentProfile) == before


def test_a_person_corrects_some_fields_and_keeps_the_others(api):
    _, me = api.talent()
    occupation = next(iter(api.taxonomy.occupations))
    corrected = me.patch(
        "/v1/profiles/me",
        json={
            "years_experience": 9,
            "occupation_code": occupation,
            "contact": {"phone": "+86 139 0000 0002"},
        },
    )
    assert corrected.status_code == 200
    body = corrected.json()
    assert body["years_experience"] == 9 and body["occupation_code"] == occupation
    assert body["contact"] == {
        "name": "王芳",
        "phone": "+86 139 0000 0002",
        "id_number": "110101199001011234",
        "email": "wang.fang@example.org",
    }
    assert me.patch("/v1/profiles/me", json={"occupation_code": None}).json()["occupation_code"] is None
    refused = me.patch("/v1/profiles/me", json={"summary": None})
    assert refused.status_code == 422 and refused.json()["field"] == "summary"
    assert me.get("/v1/profiles/me").json()["summary"] == body["summary"]


def test_consent_is_replaced_by_exactly_the_list_given(api):
    _, me = api.talent(["pool:matching", "pool:catalogue"])
    response = me.put(
        "/v1/profiles/me/consent",
        json={"consent_scopes": ["tenant:acme-bio", "kind:research", "kind:research"]},
    )
    assert response.json() == {"consent_scopes": ["kind:research", "tenant:acme-bio"]}
    assert me.get("/v1/profiles/me").json()["consent_scopes"] == ["kind:research", "tenant:acme-bio"]
    bad = me.put("/v1/profiles/me/consent", json={"consent_scopes": ["kind:anything"]})
    assert bad.status_code == 422 and bad.json()["field"] == "consent_scopes.0"
    assert "kind:research" in bad.json()["detail"]  # the valid forms are listed
    assert me.get("/v1/profiles/me").json()["consent_scopes"] == ["kind:research", "tenant:acme-bio"]
    assert me.put("/v1/profiles/me/consent", json={"consent_scopes": []}).json() == {"consent_scopes": []}
    assert me.get("/v1/profiles/me").json()["consent_scopes"] == []


def test_withdrawn_consent_takes_a_person_out_of_matching(api):
    code, enterprise = api.enterprise()
    project = api.project(enterprise)
    profile_id, me = api.talent(["pool:matching"])
    assert me.delete("/v1/profiles/me/consent").status_code == 204
    assert me.get("/v1/profiles/me").json()["consent_scopes"] == []
    refused = enterprise.post(f"/v1/projects/{project['id']}/shortlist", json={"profile_id": profile_id})
    assert refused.status_code == 404 and refused.json()["field"] == "profile_id"


def test_deleting_a_profile_erases_it_everywhere_and_audits_it_without_pii(api):
    code, enterprise = api.enterprise()
    project = api.project(enterprise)
    profile_id, me = api.talent(["pool:matching", f"tenant:{code}"])
    pii = api.profile_body()["contact"]
    path = f"/v1/projects/{project['id']}"
    assert enterprise.post(f"{path}/shortlist", json={"profile_id": profile_id}).status_code == 201
    assert (
        enterprise.post(f"{path}/feedback", json={"profile_id": profile_id, "label": "hired"}).status_code
        == 201
    )

    assert me.delete("/v1/profiles/me").status_code == 204

    with api.db() as session:
        for table in PROFILE_TABLES:
            column = table.id if table is orm.TalentProfile else table.profile_id
            assert session.scalars(select(column).where(column == profile_id)).all() == [], (
                table.__tablename__
            )
        events = session.scalars(
            select(orm.AuditEvent).where(orm.AuditEvent.object_id == str(profile_id))
        ).all()
    deletion = [e for e in events if e.action == "delete_profile"]
    assert len(deletion) == 1 and deletion[0].role == "talent"
    audit_text = repr([(e.actor, e.tenant, e.detail) for e in events])
    assert not any(value in audit_text for value in pii.values() if value)
    assert enterprise.get(f"{path}/shortlist").json()["total"] == 0
    assert enterprise.get(f"{path}/feedback").json()["total"] == 0
    assert me.get("/v1/profiles/me").status_code == 401  # the person's key went with the profile


class FakeIndex:
    def __init__(self):
        self.deleted: list[int] = []

    def delete(self, ids):
        self.deleted.extend(ids)


def test_deleting_a_profile_tells_the_matching_index_to_forget_it(live_settings, taxonomy):
    index = FakeIndex()
    body = {
        "education_level": "master",
        "talent_level": next(iter(taxonomy.talent_levels)),
        "zone_code": next(iter(taxonomy.zones)),
        "age_band": "25-34",
        "consent_scopes": ["pool:matching"],
    }
    with LiveServer(live_settings, profile_index=index) as server, httpx.Client(base_url=server.url) as http:
        registered = http.post("/v1/profiles", json=body).json()
        assert http.delete("/v1/profiles/me", headers={"X-API-Key": registered["api_key"]}).status_code == 204
    assert index.deleted == [registered["profile"]["id"]]
