"""The OpenAPI document: every error an operation can answer is documented, as a problem document."""

from __future__ import annotations

from models.settings import Settings
from service.app import create_app


def _operations():
    spec = create_app(Settings()).openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield spec, path, method, operation


def test_every_error_response_is_a_problem_document():
    for _, path, method, operation in _operations():
        if path in ("/healthz", "/readyz", "/metrics"):
            continue
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert set(response["content"]) == {"application/problem+json"}, (method, path, status)
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_authenticated_operations_document_401_403_and_every_v1_operation_429_and_503():
    for _, path, method, operation in _operations():
        if not path.startswith("/v1/"):
            continue
        documented = set(operation["responses"])
        assert {"429", "503"} <= documented, (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= documented, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in documented, (method, path)


def test_fastapis_own_validation_error_shape_is_not_documented():
    spec = next(_operations())[0]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "errors" in spec["components"]["schemas"]["Problem"]["properties"]


def _allows_null(schema: dict) -> bool:
    return schema.get("type") == "null" or any(_allows_null(v) for v in schema.get("anyOf", []))


def test_patch_bodies_offer_null_only_where_it_clears_the_value():
    """The server refuses ``null`` in a PATCH except for the fields it clears; the schema says the same."""
    spec = next(_operations())[0]
    patches = {
        path: operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for _, path, method, operation in _operations()
        if method == "patch"
    }
    assert patches == {"/v1/projects/{project_id}": "ProjectUpdate", "/v1/profiles/me": "ProfileUpdate"}
    nullable = {}
    for name in ("ProjectUpdate", "ProfileUpdate", "ContactPatch"):
        properties = spec["components"]["schemas"][name]["properties"]
        nullable[name] = {field for field, schema in properties.items() if _allows_null(schema)}
        assert all(schema.get("default", "absent") is not None for schema in properties.values()), name
    assert nullable == {
        "ProjectUpdate": {"funding_cny"},
        "ProfileUpdate": {"occupation_code"},
        "ContactPatch": set(),
    }


def test_a_project_patch_refuses_null_for_a_required_field_and_clears_the_funding(api):
    _, enterprise = api.enterprise()
    project = api.project(enterprise)
    refused = enterprise.patch(f"/v1/projects/{project['id']}", json={"title": None})
    assert refused.status_code == 422 and refused.json()["field"] == "title"
    cleared = enterprise.patch(f"/v1/projects/{project['id']}", json={"funding_cny": None})
    assert cleared.status_code == 200 and cleared.json()["funding_cny"] is None
    assert cleared.json()["title"] == project["title"]
