"""Schemathesis over the whole OpenAPI document, against a live server, once with each role's key.

Every operation gets a bounded, derandomized set of generated requests, schema-valid and schema-invalid
ones. The checks are schemathesis' defaults: no server error (5xx) and every response documented (status,
content type, headers, body schema); invalid requests must be refused. The database is small but real:
the catalogue job's editions, the reference data, an enterprise with a project, a talent profile.

Two deliberate exceptions, each for a reason the schema cannot express:

* ``positive_data_acceptance`` is off: a schema-valid request may still name a code the reference data
  lacks (an unknown zone or chain) or break a cross-field rule (a tenant only for enterprise keys), and
  the domain refuses it with a 422 problem that lists the valid choices — correctly.
* ``not_a_server_error`` is replaced by a stricter reading of the same rule: no 5xx at all, except a
  503 problem that says which artifact to build (``run talentcluster …``). No matching index and no
  serving forecaster are built here, so the matching and forecast routes answer that, by design, and
  ``/readyz`` says not ready. The test prints which operations stopped there.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from models.settings import Settings
from models.storage.database import make_engine, session_factory
from tests.conftest import reference_taxonomy
from tests.service.catalogue_home import copy_home
from tests.service.conftest import FAST, Api, LiveServer

pytestmark = pytest.mark.slow
# Examples per operation and generation mode: the most for admin (every route's 403 and the admin
# routes) and enterprise (the deepest data), fewer for the other two to keep the run near a minute.
# TALENTCLUSTER_FUZZ_EXAMPLES=100 runs every role deeper (minutes; for a nightly job).
EXAMPLES = {"admin": 10, "enterprise_user": 12, "bureau_analyst": 4, "talent": 4}
if os.environ.get("TALENTCLUSTER_FUZZ_EXAMPLES"):
    EXAMPLES = dict.fromkeys(EXAMPLES, int(os.environ["TALENTCLUSTER_FUZZ_EXAMPLES"]))
ROLES = tuple(EXAMPLES)
BUILD_HINT = "run talentcluster"


@pytest.fixture(scope="module")
def fuzz_api(tmp_path_factory):
    home = copy_home(tmp_path_factory, "fuzz-home")
    engine = make_engine(home.database_url)
    try:
        with LiveServer(Settings(home=home.home, database_url=home.database_url, **FAST)) as server:
            api = Api(server, session_factory(engine), reference_taxonomy())
            _, enterprise = api.enterprise("fuzz")
            api.project(enterprise)
            talent_key = api.anonymous.post("/v1/profiles", json=api.profile_body()).json()["api_key"]
            api.keys = {
                "admin": api.admin_key,
                "bureau_analyst": api.key("bureau_analyst"),
                "enterprise_user": enterprise.headers["authorization"].removeprefix("Bearer "),
                "talent": talent_key,
            }
            listed = api.admin.get("/v1/admin/api-keys", params={"limit": 200}).json()["items"]
            api.protected_key_ids = {k["id"] for k in listed}  # the keys this run uses: never revoked
            yield api
            api.close()
    finally:
        engine.dispose()


def _fuzz(operation, mode: GenerationMode, auth, run, examples: int) -> None:
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, auth_storage=auth))
    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def test(case):
        run(case)

    try:
        test()
    except hypothesis.errors.Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # the operation has nothing that could be invalid


@pytest.mark.parametrize("role", ROLES)
def test_no_server_errors_and_every_response_documented(fuzz_api, role):
    """Schemathesis' pytest loader (``from_fixture``) does not run under pytest 9 (it sets
    ``Item._nodeid``), so the operations are walked here with ``as_strategy``: every failure is
    collected, not shrunk, and all are reported at the end."""
    schema = schemathesis.openapi.from_url(f"{fuzz_api.url}/openapi.json")
    key = fuzz_api.keys[role]

    @schema.auth()
    class Bearer:
        def get(self, case, context):
            return key

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    failures: dict[str, str] = {}
    not_built: set[str] = set()
    calls = 0

    def run(case) -> None:
        nonlocal calls
        if case.path.endswith("/revoke") and (case.path_parameters or {}).get("key_id") in (
            fuzz_api.protected_key_ids
        ):
            return  # revoking the run's own keys would only blind the rest of it (401s)
        if role == "talent" and case.method == "DELETE" and case.path == "/v1/profiles/me":
            return  # the same for deleting the run's own profile (tested in test_talent_routes)
        calls += 1
        response = case.call()
        if response.status_code >= 500:
            if response.status_code == 503 and (BUILD_HINT in response.text or case.path == "/readyz"):
                not_built.add(f"{case.method} {case.path}")
            else:
                failures.setdefault(
                    f"{case.method} {case.path}: server error {response.status_code}",
                    f"  {response.text[:500]}\n  {case.as_curl_command()}",
                )
        try:
            case.validate_response(response, excluded_checks=[not_a_server_error, positive_data_acceptance])
        except (AssertionError, FailureGroup) as exc:
            for failure in getattr(exc, "exceptions", (exc,)):
                title = str(failure).strip().splitlines()[0]
                failures.setdefault(
                    f"{case.method} {case.path}: {title}",
                    f"{_first_lines(failure)}\n  → {response.status_code} {response.text[:300]}\n"
                    f"  {case.as_curl_command()}",
                )

    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(result.ok(), mode, schema.auth, run, EXAMPLES[role])
    print(f"{role}: {calls} requests; answered 503 for an artifact not built here: {sorted(not_built)}")
    assert calls > 10 * EXAMPLES[role]
    assert not failures, f"{len(failures)} kinds of failure:\n\n" + "\n\n".join(
        f"{k}\n{v}" for k, v in sorted(failures.items())
    )


def _first_lines(failure: BaseException, n: int = 12) -> str:
    return "\n".join("  " + line for line in str(failure).strip().splitlines()[1:n])
