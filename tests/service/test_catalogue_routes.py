"""The catalogue routes over real HTTP, on editions the catalogue job made (``catalogue_home``)."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import openpyxl
import pytest

from models.catalogue.diff import diff_documents
from models.catalogue.store import document_from_entries, file_names
from models.settings import Settings
from models.storage import orm
from models.storage.database import make_engine, session_factory
from tests.conftest import reference_taxonomy
from tests.service.catalogue_home import copy_home
from tests.service.conftest import FAST, Api, LiveServer

MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    """A live server over the catalogue home, with a client per role."""
    home = copy_home(tmp_path_factory)
    engine = make_engine(home.database_url)
    try:
        with LiveServer(Settings(home=home.home, database_url=home.database_url, **FAST)) as server:
            api = Api(server, session_factory(engine), reference_taxonomy())
            api.home = home
            api.analyst = api.as_(api.key("bureau_analyst"))
            api.tenant, api.enterprise_client = api.enterprise()
            api.talent_client = api.talent()[1]
            api.roles = {
                "admin": api.admin,
                "bureau_analyst": api.analyst,
                "enterprise_user": api.enterprise_client,
                "talent": api.talent_client,
            }
            yield api
            api.close()
    finally:
        engine.dispose()


def edition_dir(cat, outcome):
    return cat.home.home / "catalogue" / outcome.directory.relative_to(outcome.directory.parents[2])


def published_doc(cat) -> dict:
    name = file_names(cat.home.year)["json"]
    return json.loads((edition_dir(cat, cat.home.published) / name).read_bytes())


@pytest.mark.parametrize("role", ["admin", "bureau_analyst", "enterprise_user", "talent"])
def test_every_role_lists_published_editions_and_only_analysts_and_admins_see_drafts(cat, role):
    page = cat.roles[role].get("/v1/catalogue/editions").json()
    seen = {e["id"]: e["status"] for e in page["items"]}
    if role in ("admin", "bureau_analyst"):
        assert seen == {cat.home.published.edition_id: "published", cat.home.draft.edition_id: "draft"}
    else:
        assert seen == {cat.home.published.edition_id: "published"}
    assert page["total"] == len(seen)


def test_asking_for_drafts_without_the_role_is_forbidden_and_says_what_is_visible(cat):
    response = cat.enterprise_client.get("/v1/catalogue/editions", params={"status": "draft"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "status" and "published and superseded" in response.json()["detail"]


def test_the_list_is_paginated_and_filtered_by_year(cat):
    first = cat.analyst.get("/v1/catalogue/editions", params={"limit": 1}).json()
    second = cat.analyst.get("/v1/catalogue/editions", params={"limit": 1, "offset": 1}).json()
    assert first["total"] == second["total"] == 2
    assert [e["version"] for e in first["items"] + second["items"]] == [2, 1]  # newest first
    assert cat.analyst.get("/v1/catalogue/editions", params={"year": 1999}).json()["total"] == 0


def test_an_edition_names_its_files_with_their_sha256_and_its_provenance(cat):
    outcome = cat.home.published
    body = cat.talent_client.get(f"/v1/catalogue/editions/{outcome.edition_id}").json()
    assert body["status"] == "published" and body["content_sha256"] == outcome.content_sha256
    assert body["code"] == f"{cat.home.year}-{outcome.content_sha256[:8]}"
    assert body["data_window"] == {"start": "2016-01-01", "end": "2019-12-01"}
    assert set(body["models"]) == {"postings", "job_seekers"} and body["rules_version"] == "2026.1"
    assert body["summary"]["entries"] == sum(body["summary"]["by_urgency"].values()) > 0
    on_disk = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in edition_dir(cat, outcome).iterdir()
    }
    assert {f["name"]: f["sha256"] for f in body["files"]}.items() <= on_disk.items()
    assert body["history"] is None  # the workflow's who-and-when is for the bureau
    assert [
        h["status"] for h in cat.analyst.get(f"/v1/catalogue/editions/{outcome.edition_id}").json()["history"]
    ] == ["draft", "reviewed", "published"]


def test_a_draft_answers_404_to_enterprises_and_talent_as_if_it_did_not_exist(cat):
    draft = cat.home.draft.edition_id
    for client in (cat.enterprise_client, cat.talent_client):
        for path in (
            f"/v1/catalogue/editions/{draft}",
            f"/v1/catalogue/editions/{draft}/entries",
            f"/v1/catalogue/editions/{draft}/download",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json()["detail"] == f"no catalogue edition {draft}"
    assert cat.analyst.get(f"/v1/catalogue/editions/{draft}").json()["status"] == "draft"


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html"])
def test_every_format_downloads_byte_identical_with_its_type_and_file_name(cat, fmt):
    outcome = cat.home.published
    response = cat.enterprise_client.get(
        f"/v1/catalogue/editions/{outcome.edition_id}/download", params={"format": fmt}
    )
    assert response.status_code == 200
    name = file_names(cat.home.year)[fmt]
    assert response.content == (edition_dir(cat, outcome) / name).read_bytes()
    assert response.headers["content-type"] == MEDIA[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "说明 Method"
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) > 1


def test_an_unknown_format_is_refused_listing_the_formats(cat):
    response = cat.admin.get(
        f"/v1/catalogue/editions/{cat.home.published.edition_id}/download", params={"format": "pdf"}
    )
    assert response.status_code == 422 and response.json()["field"] == "format"
    assert all(f in response.json()["detail"] for f in ("json", "csv", "xlsx", "html"))


def test_a_file_missing_or_altered_on_disk_is_withheld_with_503_never_served_changed(cat):
    outcome = cat.home.published
    path = edition_dir(cat, outcome) / file_names(cat.home.year)["csv"]
    url = f"/v1/catalogue/editions/{outcome.edition_id}/download"
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"tampered\r\n")
        altered = cat.analyst.get(url, params={"format": "csv"})
        path.unlink()
        missing = cat.analyst.get(url, params={"format": "csv"})
    finally:
        path.write_bytes(original)
    assert altered.status_code == 503 and "does not match its recorded sha256" in altered.json()["detail"]
    assert missing.status_code == 503 and "missing on the server" in missing.json()["detail"]
    assert cat.analyst.get(url, params={"format": "csv"}).content == original


def test_entries_are_the_published_json_entries_in_chain_and_rank_order(cat):
    doc = published_doc(cat)
    expected = sorted(
        (e for c in doc["chains"] for e in c["entries"]), key=lambda e: (e["chain"]["code"], e["rank"])
    )
    url = f"/v1/catalogue/editions/{cat.home.published.edition_id}/entries"
    page = cat.enterprise_client.get(url, params={"limit": 200}).json()
    assert page["total"] == len(expected) == doc["summary"]["entries"]
    assert [{k: v for k, v in e.items() if k != "edition_id"} for e in page["items"]] == expected
    assert all(
        e["reasons"] and e["occupation"]["name_zh"] and e["occupation"]["name_en"] for e in page["items"]
    )
    two = cat.enterprise_client.get(url, params={"limit": 2, "offset": 3}).json()
    assert two["items"] == page["items"][3:5] and two["total"] == page["total"]


def test_entries_filter_by_chain_segment_zone_and_urgency(cat):
    doc = published_doc(cat)
    everything = [e for c in doc["chains"] for e in c["entries"]]
    entry = everything[len(everything) // 2]
    url = f"/v1/catalogue/editions/{cat.home.published.edition_id}/entries"
    filters = {
        "industry": (entry["chain"]["code"], lambda e, v: e["chain"]["code"] == v),
        "segment": (
            entry["segment"]["code"],
            lambda e, v: e["segment"]["code"] == v or v in e["other_segments"],
        ),
        "zone": (entry["zones"][0]["code"], lambda e, v: any(z["code"] == v for z in e["zones"])),
        "urgency": (entry["urgency"]["code"], lambda e, v: e["urgency"]["code"] == v),
    }
    for name, (value, keep) in filters.items():
        page = cat.talent_client.get(url, params={name: value, "limit": 200}).json()
        want = {(e["chain"]["code"], e["occupation"]["code"]) for e in everything if keep(e, value)}
        assert {(e["chain"]["code"], e["occupation"]["code"]) for e in page["items"]} == want, name
        assert page["total"] == len(want) > 0
    combined = cat.talent_client.get(url, params={k: v for k, (v, _) in filters.items()}).json()
    assert (entry["chain"]["code"], entry["occupation"]["code"]) in {
        (e["chain"]["code"], e["occupation"]["code"]) for e in combined["items"]
    }


@pytest.mark.parametrize(
    ("field", "value", "choices"),
    [
        ("industry", "XYZ", ["FIN", "NEV", "NIT", "BIO"]),
        ("segment", "FIN-99", ["FIN-1", "NEV-1"]),
        ("zone", "atlantis", ["zhongguancun", "cbd"]),
        ("urgency", "dire", ["severe", "marked", "moderate"]),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_the_field_and_the_valid_choices(
    cat, field, value, choices
):
    url = f"/v1/catalogue/editions/{cat.home.published.edition_id}/entries"
    response = cat.enterprise_client.get(url, params={field: value})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["field"] == field and all(c in problem["detail"] for c in choices), problem


def test_segment_choices_are_narrowed_to_the_chain_given(cat):
    url = f"/v1/catalogue/editions/{cat.home.published.edition_id}/entries"
    detail = cat.admin.get(url, params={"industry": "FIN", "segment": "NEV-1"}).json()["detail"]
    assert "FIN-1" in detail and "NEV-1;" not in detail and "NEV-2" not in detail


def test_the_diff_lists_each_change_with_its_reason_as_the_cli_computes_it(cat):
    old, new = cat.home.published.edition_id, cat.home.draft.edition_id
    response = cat.analyst.get("/v1/catalogue/diff", params={"from": old, "to": new})
    assert response.status_code == 200
    body = response.json()
    with cat.db() as session:
        a, b = session.get(orm.CatalogueEdition, old), session.get(orm.CatalogueEdition, new)
        expected = diff_documents(
            document_from_entries(a.entries),
            {**document_from_entries(b.entries), "rules": b.provenance["rules"]},
            previous_label=f"{a.year}-{a.content_sha256[:8]}",
        )
    assert body == {"from_edition": old, "to_edition": new, **expected}
    changes = body["added"] + body["removed"] + body["urgency_changed"]
    assert changes, "seeds 3 and 4 give editions that differ"
    assert all(c["reason_zh"] and c["reason_en"] for c in changes)
    assert all(c["from"] != c["to"] for c in body["urgency_changed"])
    back = cat.analyst.get("/v1/catalogue/diff", params={"from": new, "to": old}).json()
    assert len(back["added"]) == len(body["removed"]) and len(back["removed"]) == len(body["added"])
    assert {(c["occupation"], c["from"], c["to"]) for c in back["urgency_changed"]} == {
        (c["occupation"], c["to"], c["from"]) for c in body["urgency_changed"]
    }


def test_a_diff_involving_a_draft_is_404_for_an_enterprise(cat):
    response = cat.enterprise_client.get(
        "/v1/catalogue/diff", params={"from": cat.home.published.edition_id, "to": cat.home.draft.edition_id}
    )
    assert response.status_code == 404 and response.json()["field"] == "edition_id"


def test_the_diff_needs_both_editions(cat):
    response = cat.analyst.get("/v1/catalogue/diff", params={"from": 1})
    assert response.status_code == 422 and response.json()["field"] == "to"


def test_the_year_answers_with_its_published_edition(cat):
    body = cat.talent_client.get(f"/v1/catalogue/{cat.home.year}").json()
    assert body["id"] == cat.home.published.edition_id and body["status"] == "published"
    missing = cat.talent_client.get("/v1/catalogue/2031")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"no catalogue published for 2031; published years: [{cat.home.year}]"


def test_every_catalogue_route_needs_a_key(cat):
    e = cat.home.published.edition_id
    for path in (
        "/v1/catalogue/editions",
        f"/v1/catalogue/editions/{e}",
        f"/v1/catalogue/editions/{e}/entries",
        f"/v1/catalogue/editions/{e}/download",
        f"/v1/catalogue/diff?from={e}&to={e}",
        f"/v1/catalogue/{cat.home.year}",
    ):
        response = cat.anonymous.get(path)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/problem+json"
