"""Candidate PII reaches only a tenant the person consented to, and every read of it is audited."""

from __future__ import annotations

from sqlalchemy import select

from models.auth import Principal, Role
from models.candidates import render_candidates
from models.storage import orm

PII_FIELDS = ("name", "phone", "id_number", "email")


def read_pii_events(api, profile_id: int) -> list[orm.AuditEvent]:
    with api.db() as session:
        return list(
            session.scalars(
                select(orm.AuditEvent).where(
                    orm.AuditEvent.action == "read_pii",
                    orm.AuditEvent.object_id == str(profile_id),
                    orm.AuditEvent.role == "enterprise_user",
                )
            )
        )


def shortlisted(api, client, profile_id: int) -> str:
    """A new project of ``client``'s with ``profile_id`` on its shortlist; returns the project's path."""
    project = api.project(client)
    path = f"/v1/projects/{project['id']}"
    response = client.post(f"{path}/shortlist", json={"profile_id": profile_id})
    assert response.status_code == 201, response.text
    return path


def test_pii_reaches_only_the_tenant_the_person_consented_to(api):
    a_code, a = api.enterprise("a")
    _, b = api.enterprise("b")
    profile_id, _ = api.talent(["pool:matching", f"tenant:{a_code}"])
    pii = api.profile_body()["contact"]
    seen_by_a = a.get(f"{shortlisted(api, a, profile_id)}/shortlist").json()["items"][0]["candidate"]
    seen_by_b = b.get(f"{shortlisted(api, b, profile_id)}/shortlist")
    assert seen_by_a["view"] == "full" and seen_by_a["contact"] == pii
    candidate = seen_by_b.json()["items"][0]["candidate"]
    assert candidate["view"] == "pseudonymous" and candidate["contact"] is None
    assert candidate["pseudonym"] == seen_by_a["pseudonym"]
    assert not any(value in seen_by_b.text for value in pii.values())
    assert not set(PII_FIELDS) & set(candidate)


def test_every_read_of_pii_is_written_to_the_audit_log(api):
    code, enterprise = api.enterprise()
    _, other = api.enterprise()
    profile_id, _ = api.talent(["pool:matching", f"tenant:{code}"])
    path = shortlisted(api, enterprise, profile_id)  # the POST answers with the full view: one read
    assert len(read_pii_events(api, profile_id)) == 1
    enterprise.get(f"{path}/shortlist")
    enterprise.get(f"{path}/shortlist/{profile_id}")
    events = read_pii_events(api, profile_id)
    assert len(events) == 3
    key_id = events[-1].actor.removeprefix("api_key:")
    assert key_id.isdigit() and {(e.tenant, e.object_type) for e in events} == {(code, "talent_profile")}
    other.get(f"{shortlisted(api, other, profile_id)}/shortlist")  # a pseudonymous view is no PII read
    assert len(read_pii_events(api, profile_id)) == 3


def test_withdrawn_consent_turns_the_shortlist_view_pseudonymous_then_hides_it(api):
    code, enterprise = api.enterprise()
    profile_id, me = api.talent(["pool:matching", f"tenant:{code}"])
    path = shortlisted(api, enterprise, profile_id)
    assert me.put("/v1/profiles/me/consent", json={"consent_scopes": ["pool:matching"]}).status_code == 200
    reads = len(read_pii_events(api, profile_id))
    view = enterprise.get(f"{path}/shortlist/{profile_id}").json()["candidate"]
    assert view["view"] == "pseudonymous" and view["contact"] is None
    assert view["summary"] and not enterprise.get(f"{path}/shortlist").json()["items"][0]["consent_withdrawn"]
    assert me.delete("/v1/profiles/me/consent").status_code == 204  # withdrawn altogether
    response = enterprise.get(f"{path}/shortlist")
    (entry,) = response.json()["items"]
    assert entry["profile_id"] == profile_id and entry["consent_withdrawn"] is True
    assert entry["candidate"] is None  # the recruiter's entry stays; the person's profile is not shown
    one = enterprise.get(f"{path}/shortlist/{profile_id}").json()
    assert one["consent_withdrawn"] is True and one["candidate"] is None
    for shown in (view["summary"], view["pseudonym"], "王芳"):
        assert shown not in response.text
    assert len(read_pii_events(api, profile_id)) == reads


def test_a_person_who_did_not_consent_cannot_be_shortlisted_and_reads_like_a_missing_one(api):
    code, enterprise = api.enterprise()
    project = api.project(enterprise, kind="startup")
    hidden = [api.talent([])[0], api.talent(["tenant:someone-else"])[0], api.talent(["kind:research"])[0]]
    for profile_id in [*hidden, 2_000_000_000]:
        response = enterprise.post(f"/v1/projects/{project['id']}/shortlist", json={"profile_id": profile_id})
        assert response.status_code == 404 and response.json()["detail"] == f"unknown profile {profile_id}"
    for scopes in (["kind:startup"], [f"tenant:{code}"]):
        profile_id, _ = api.talent(scopes)
        assert (
            enterprise.post(
                f"/v1/projects/{project['id']}/shortlist", json={"profile_id": profile_id}
            ).status_code
            == 201
        )


def test_bureau_analysts_and_admins_never_get_pii_even_where_a_tenant_would(api):
    code, _ = api.enterprise()
    profile_id, _ = api.talent(["pool:matching", f"tenant:{code}"])
    with api.db() as session:
        profile = session.get(orm.TalentProfile, profile_id)
        enterprise_id = session.scalar(select(orm.Enterprise.id).where(orm.Enterprise.code == code))
        for role in (Role.bureau_analyst, Role.admin):
            # even a principal wrongly carrying the tenant gets no PII: the role decides first
            principal = Principal(key_id=0, role=role, enterprise_id=enterprise_id, tenant=code)
            (view,) = render_candidates(session, principal, [profile])
            assert view.contact is None
        (view,) = render_candidates(
            session,
            Principal(key_id=0, role=Role.enterprise_user, enterprise_id=enterprise_id, tenant=code),
            [profile],
        )
        assert view.contact is not None and view.contact.name == "王芳"
        session.rollback()


def test_reading_ones_own_profile_is_audited_too(api):
    profile_id, me = api.talent()
    me.get("/v1/profiles/me")
    with api.db() as session:
        roles = session.scalars(
            select(orm.AuditEvent.role).where(
                orm.AuditEvent.action == "read_pii", orm.AuditEvent.object_id == str(profile_id)
            )
        ).all()
    assert roles == ["talent"]
