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
from models.storage.database import make_engine, session_factory, transaction, upgrade
from models.storage.reference import load_reference
from tests.conftest import REFERENCE_DIR, reference_taxonomy
from tests.forecast_factory import FAST_PARAMS, write_tiny_store
from tests.service.conftest import FAST, Api, LiveServer
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
# Routes that need the matching index, which these small databases do not build: 503 is their answer.
EXPECTED_503 = re.compile(r"/v1/(projects/\d+/candidates|profiles/me/matches)\b")


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
    """The people of the e2e scenarios, each with the API key they log in with."""

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
        self.project = api.project(self.recruiter_client, title="单细胞测序平台 Single-cell platform")
        assert (
            self.recruiter_client.post(
                f"/v1/projects/{self.project['id']}/shortlist", json={"profile_id": self.talent_id}
            ).status_code
            == 201
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{tmp / 'console.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = session_factory(engine)
        taxonomy = reference_taxonomy()
        with transaction(factory) as session:
            load_reference(session, taxonomy)
        scope = write_tiny_store(factory, taxonomy)
        run = run_forecast(
            factory,
            reference_dir=REFERENCE_DIR,
            artifacts_dir=tmp / "artifacts",
            horizon=FORECAST_HORIZON,
            n_cutoffs=1,
            params=FAST_PARAMS,
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        settings = Settings(
            home=tmp,
            database_url=url,
            forecast_params=FAST_PARAMS,
            forecast_horizon=FORECAST_HORIZON,
            **FAST,
        )
        with LiveServer(settings) as server:
            api = Api(server, factory, taxonomy)
            yield Demo(api, scope, run.version)
            api.close()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Tab:
    """A browser tab on the console that records every console error and uncaught exception."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if "status of 503" in message.text and EXPECTED_503.search(url):
            return  # no matching index in this database: the panel says so, as it should
        self.errors.append(f"{message.text} ({url})" if url else message.text)

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
