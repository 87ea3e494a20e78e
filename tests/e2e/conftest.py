"""A live server over a small database built through the API, and headless Chromium driven by Playwright.

Skipped, with the reason, only where Debian's chromium is not installed (``apt-get install chromium
fonts-noto-cjk``); ``.ci/run`` installs it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.settings import Settings
from tests.conftest import REFERENCE_DIR
from tests.forecast_factory import FAST_PARAMS, tiny_store_database
from tests.service.conftest import FAST, Api, LiveServer, serve_new_index
from training.forecasting.run import run_forecast

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
# The bureau pages read a serving forecast run: the tiny store's, 12 months ahead, with one back-test cut-off.
FORECAST_HORIZON = 12
# The talent pool the matching index is built over: (title zh, title en, skills), a few of each kind,
# so that a bio project's candidates are bio people and never the whole pool.
POOL_KINDS = (
    ("生物信息分析师", "Bioinformatician", ["Python", "R", "single-cell sequencing", "genomics"]),
    ("药物化学研究员", "Medicinal chemist", ["organic synthesis", "medicinal chemistry", "HPLC"]),
    ("数据分析师", "Data analyst", ["SQL", "Python", "statistical analysis"]),
    ("临床监查员", "Clinical research associate", ["GCP", "monitoring visits"]),
    ("基金经理", "Fund manager", ["portfolio management", "risk control"]),
)
POOL_SIZE = 25
# The project of the consent scenario, and the words that make its withdrawing talent its best candidate.
SCENARIO_SKILLS = ["Python", "single-cell sequencing"]
SCENARIO_TEXT = "Single-cell sequencing platform: bioinformatics pipelines in Python for single-cell data."


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives the console in headless Chromium (/usr/bin/chromium)")


def pytest_collection_modifyitems(config, items):
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent: apt-get install -y chromium fonts-noto-cjk"
    elif not _playwright():
        reason = "playwright is not installed: pip install playwright"
    if reason:
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def _playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


class Demo:
    """The people of the e2e scenarios, each with the API key they log in with, and a talent pool."""

    def __init__(self, api: Api, scope: dict, version: str):
        self.api = api
        self.scope = scope  # the tiny store's industry, segments, zones and occupations
        self.forecast_version = version
        self.url = api.url
        self.tenant, self.recruiter_client = api.enterprise("acme-bio")
        self.recruiter = api.key("enterprise_user", tenant=self.tenant)
        self.analyst = api.key("bureau_analyst")
        self.candidate_id, _ = api.talent(consent=["pool:matching", f"tenant:{self.tenant}"])
        self.talent_id, talent_client = api.talent(
            consent=["pool:matching", "kind:research"],
            contact={
                "name": "李雷",
                "phone": "+86 139 0000 0002",
                "id_number": "",
                "email": "li.lei@example.org",
            },
        )
        self.talent = api.key("talent", profile_id=self.talent_id)
        # who withdraws consent in the scenario: open to any search, named to nobody
        self.withdrawer_id, _ = api.talent(
            consent=["pool:matching"],
            summary=SCENARIO_TEXT,
            titles=["Bioinformatician"],
            skills=SCENARIO_SKILLS,
            contact={"name": "韩梅梅", "phone": "+86 137 0000 0003", "id_number": "", "email": ""},
        )
        self.withdrawer = api.key("talent", profile_id=self.withdrawer_id)
        self.pool, self.unconsented = self._pool()
        self.project = api.project(
            self.recruiter_client,
            title="单细胞测序平台 Single-cell platform",
            description=SCENARIO_TEXT,
            segment_code="BIO-1",
            required_occupations=["TC-2131-01"],
            required_skills=SCENARIO_SKILLS,
        )
        assert (
            self.recruiter_client.post(
                f"/v1/projects/{self.project['id']}/shortlist", json={"profile_id": self.talent_id}
            ).status_code
            == 201
        )
        # a second enterprise, with a project, a shortlist and feedback the first must never see
        self.rival_tenant, self.rival_client = api.enterprise("rival-pharma")
        self.rival = api.key("enterprise_user", tenant=self.rival_tenant)
        self.rival_project = api.project(
            self.rival_client,
            title="竞品 CAR-T 工艺 Rival CAR-T process",
            description="Rival's confidential CAR-T process development.",
            segment_code="BIO-3",
            required_occupations=["TC-2145-02"],
        )
        rival_base = f"/v1/projects/{self.rival_project['id']}"
        for route, body in (("shortlist", {}), ("feedback", {"label": "contacted"})):
            added = self.rival_client.post(
                f"{rival_base}/{route}", json={"profile_id": self.candidate_id} | body
            )
            assert added.status_code == 201, added.text

    def _pool(self) -> tuple[list[int], set[int]]:
        """``POOL_SIZE`` people of ``POOL_KINDS``, and those of them (every fifth) who consented to no
        search."""
        zones = sorted(self.api.taxonomy.zones)
        ids, unconsented = [], set()
        for i in range(POOL_SIZE):
            zh, en, skills = POOL_KINDS[i % len(POOL_KINDS)]
            title = zh if i % 2 else en
            consent = [] if i % 5 == 4 else ["pool:matching"]
            profile_id, _ = self.api.talent(
                consent,
                summary=f"{title}: {i % 9 + 1} years of {', '.join(skills[:2])}.",
                titles=[title],
                skills=skills,
                years_experience=i % 12,
                zone_code=zones[i % 3],
            )
            ids.append(profile_id)
            if not consent:
                unconsented.add(profile_id)
        return ids, unconsented


@pytest.fixture(scope="session")
def demo(tmp_path_factory, minilm):
    """One live server for every e2e module (a forecast run and an index build each cost seconds). A
    scenario that changes something changes its own people or projects, so none needs another first."""
    tmp = tmp_path_factory.mktemp("console")
    with tiny_store_database(tmp / "console.db") as store:
        run = run_forecast(
            store.factory,
            reference_dir=REFERENCE_DIR,
            artifacts_dir=tmp / "artifacts",
            horizon=FORECAST_HORIZON,
            n_cutoffs=1,
            params=FAST_PARAMS,
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        settings = Settings(
            home=tmp,
            database_url=store.url,
            forecast_params=FAST_PARAMS,
            forecast_horizon=FORECAST_HORIZON,
            index_refresh_seconds=0.2,
            **FAST,
        )
        with LiveServer(settings, encoder=minilm) as server:
            api = Api(server, store.factory, store.taxonomy)
            demo = Demo(api, store.scope, run.version)
            demo.index_version = serve_new_index(api, minilm, settings.index_dir, reference_dir=REFERENCE_DIR)
            yield demo
            api.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Tab:
    """A browser tab on the console that records every console error and uncaught exception, and every
    response of the service's own API (``/v1``, ``/console``) with its body."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.errors: list[str] = []
        self.expected: list[tuple[int, re.Pattern]] = []
        self.seen_expected: set[int] = set()
        self.responses: list[tuple[str, int, str]] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("response", self._response)

    def expect_http_error(self, status: int, url: str) -> None:
        """Allow the one console error Chromium logs for a ``status`` answer to a URL matching ``url``
        (a regex): a refusal the test provokes on purpose. It must then happen, or the test fails."""
        self.expected.append((status, re.compile(url)))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        for i, (status, pattern) in enumerate(self.expected):
            if f"status of {status}" in message.text and pattern.search(url):
                self.seen_expected.add(i)
                return
        self.errors.append(f"{message.text} ({url})" if url else message.text)

    def _response(self, response) -> None:
        path = response.url.removeprefix(self.base_url)
        if path.startswith(("/v1/", "/console/")) and not path.startswith("/console/static/"):
            # read now: Chromium drops a body once its page navigates away
            self.responses.append((path, response.status, response.text()))

    def api_bodies(self) -> list[tuple[str, int, str]]:
        """(path, status, body) of every API response the page received so far."""
        return list(self.responses)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)

    def login(self, key: str) -> None:
        self.open("/#/login")
        self.page.fill("#api-key", key)
        self.page.click("form.login-form button[type=submit]")
        self.page.wait_for_selector("nav .nav-link")

    def cookie(self, name: str) -> dict | None:
        return next((c for c in self.context.cookies() if c["name"] == name), None)


@pytest.fixture
def tab(browser, demo):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    tab = Tab(context, demo.url)
    yield tab
    context.close()
    assert tab.errors == [], f"browser console errors: {tab.errors}"
    missed = [tab.expected[i] for i in range(len(tab.expected)) if i not in tab.seen_expected]
    assert not missed, f"expected HTTP errors that never happened: {missed}"
