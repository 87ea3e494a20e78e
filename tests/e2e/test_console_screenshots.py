"""Screenshots of each main console page, in zh and in en, for docs/console/.

Regenerate with: TALENTCLUSTER_CONSOLE_SCREENSHOTS=docs/console pytest tests/e2e -m e2e -k screenshots
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
OUT = os.environ.get("TALENTCLUSTER_CONSOLE_SCREENSHOTS")

# (file stem, role, hash path, selector to wait for, optional click before the shot)
PAGES = [
    ("login", None, "/#/login", "#api-key", None),
    ("projects", "recruiter", "/#/projects", "table.table", None),
    ("project", "recruiter", "/#/projects/{project}", "[data-testid=candidates] li.candidate", None),
    ("project-form", "recruiter", "/#/projects/{project}/edit", "[data-testid=occupations] input", None),
    ("talent-profile", "talent", "/#/me", "[data-testid=scopes]", None),
    ("talent-consent", "talent", "/#/me/consent", "form.consent-form", None),
    ("talent-matches", "talent", "/#/me/matches", "ol.candidates li.candidate", None),
    ("chain", "analyst", "/#/chains/{industry}", "[data-testid=chain-chart] .main-svg", None),
    ("zones", "analyst", "/#/zones?industry={industry}", ".tilemap", "button.tile[data-zone={zone}]"),
    (
        "occupation",
        "analyst",
        "/#/occupation/{top}?segment={segment}",
        "[data-testid=index-chart] .main-svg",
        None,
    ),
    ("indicators", "analyst", "/#/indicators?zone={zone}", "[data-testid=structure-demand] .main-svg", None),
    ("models", "analyst", "/#/models", "[data-testid=models] .model-card", None),
    ("catalogue", "analyst", "/#/catalogue", "[data-page=catalogue] .notice", None),
]
FULL_PAGE = {"occupation", "indicators", "chain", "project"}


@pytest.fixture(scope="module")
def shown(demo):
    """A few more projects, a named shortlisted candidate with feedback: made once for both languages."""
    for title, kind in [
        ("细胞治疗工艺开发 Cell-therapy process", "industrialisation"),
        ("医学影像 AI 平台", "innovation_team"),
    ]:
        demo.api.project(demo.recruiter_client, title=title, kind=kind)
    base = f"/v1/projects/{demo.project['id']}"
    demo.recruiter_client.post(f"{base}/shortlist", json={"profile_id": demo.candidate_id})
    demo.recruiter_client.post(
        f"{base}/feedback", json={"profile_id": demo.candidate_id, "label": "contacted"}
    )
    return demo


@pytest.mark.skipif(not OUT, reason="set TALENTCLUSTER_CONSOLE_SCREENSHOTS=<dir> to write the screenshots")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots(browser, shown, lang):
    demo = shown
    out = Path(OUT)
    out.mkdir(parents=True, exist_ok=True)
    keys = {"recruiter": demo.recruiter, "talent": demo.talent, "analyst": demo.analyst}
    segment = demo.scope["segments"][0]
    shortages = demo.api.as_(demo.analyst).get("/v1/shortages", params={"segment": segment}).json()
    values = {
        "project": demo.project["id"],
        "industry": demo.scope["industry"],
        "zone": demo.scope["zones"][0],
        "segment": segment,
        "top": shortages["segments"][0]["occupations"][0]["occupation_code"],
    }
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.add_cookies([{"name": "tc_lang", "value": lang, "url": demo.url}])
    page = context.new_page()
    current = None
    for stem, role, path, ready, click in PAGES:
        if role != current:
            context.clear_cookies()
            context.add_cookies([{"name": "tc_lang", "value": lang, "url": demo.url}])
            if role:
                page.goto(demo.url + "/#/login")
                page.fill("#api-key", keys[role])
                page.click("form.login-form button[type=submit]")
                # the previous role's navigation may still show: wait for the login's own redirect
                page.wait_for_url("**/#/")
                page.wait_for_selector("nav .nav-link")
            current = role
        page.goto(demo.url + path.format(**values))
        page.wait_for_selector(ready)
        if click:
            page.click(click.format(**values))
            page.wait_for_selector("[data-testid=zone-detail] .main-svg")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / f"{stem}-{lang}.png"), full_page=stem in FULL_PAGE)
    context.close()
