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
