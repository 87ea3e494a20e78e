"""The OpenAPI document, completed in one place: every operation documents the problem responses that
the app's middleware, dependencies and error handlers can give it, as ``application/problem+json``.

Routers may still list ``responses=`` with their own wording; this pass keeps their descriptions and
fixes the content: a problem document, never FastAPI's default ``HTTPValidationError`` (our validation
errors are problems too, see ``service.errors``).
"""

from __future__ import annotations

from fastapi import FastAPI

from service.errors import PROBLEM
from service.schemas.common import Problem

UNPROBLEMATIC = frozenset({"/healthz", "/readyz", "/metrics"})  # answer their own bodies, never limited
MEANING = {
    400: "The body is not valid JSON",
    401: "No API key, or an invalid or revoked one",
    403: "The key's role may not use this route",
    404: "Not found (another tenant's objects, and objects the role may not see, included)",
    409: "Conflicts with the current state, or with a change written meanwhile",
    413: "Request body too large",
    422: "Invalid request; `field` names the culprit and `errors` lists every problem",
    429: "Rate limit exceeded; see Retry-After",
    503: "A dependency is unavailable (the database unreachable, the matching index not built, an "
    "artifact missing); retry later",
}
REF = {"$ref": "#/components/schemas/Problem"}


def possible_statuses(path: str, method: str, operation: dict) -> set[int]:
    """The problem statuses an operation can answer, from what the app does to every request."""
    statuses = {413, 429, 503}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if operation.get("requestBody"):
        statuses |= {400, 404}  # unparseable; a body names other objects (a tenant, a profile) by id
    if operation.get("security"):
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if method != "get":
        statuses.add(409)
    return statuses


def complete(schema: dict) -> dict:
    """Add the problem responses to every operation of ``schema`` (in place) and return it."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for path, operations in schema.get("paths", {}).items():
        if path in UNPROBLEMATIC:
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = possible_statuses(path, method, operation) | {
                int(s) for s in responses if s.isdigit() and int(s) >= 400
            }
            for status in sorted(errors):
                documented = responses.get(str(status), {})
                described = documented.get("description") not in (None, "", "Validation Error")
                responses[str(status)] = {
                    "description": documented["description"] if described else MEANING.get(status, "Error"),
                    "content": {PROBLEM: {"schema": REF}},
                    **({"headers": documented["headers"]} if "headers" in documented else {}),
                }
            responses["429"]["headers"] = {
                "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
            }
            operation["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the completed document (built once, like FastAPI's own)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi
