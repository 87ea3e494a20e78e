"""Ids beyond the database's integer range are refused as invalid (422), never sent to the database
(where SQLite overflows and PostgreSQL rejects them: a 500). Found by the schemathesis run."""

from __future__ import annotations

TOO_BIG = 2**31


def test_revoking_a_key_id_beyond_the_range_is_422(api):
    response = api.admin.post(f"/v1/admin/api-keys/{TOO_BIG}/revoke")
    assert response.status_code == 422 and response.json()["field"] == "key_id"


def test_a_talent_key_for_a_profile_id_beyond_the_range_is_422(api):
    response = api.admin.post("/v1/admin/api-keys", json={"role": "talent", "profile_id": TOO_BIG})
    assert response.status_code == 422 and response.json()["field"] == "profile_id"


def test_shortlisting_or_feedback_on_a_profile_id_beyond_the_range_is_422(api):
    _, enterprise = api.enterprise()
    project = api.project(enterprise)["id"]
    for path, body in (
        ("shortlist", {"profile_id": TOO_BIG}),
        ("feedback", {"profile_id": TOO_BIG, "label": "contacted"}),
    ):
        response = enterprise.post(f"/v1/projects/{project}/{path}", json=body)
        assert response.status_code == 422 and response.json()["field"] == "profile_id", response.text
