"""The console in headless Chromium: each role logs in and does its main task through the real pages."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import VIEWPORT, Tab

pytestmark = pytest.mark.e2e


def test_session_cookie_is_httponly_and_samesite_strict_and_the_key_is_not_kept(tab, demo):
    tab.login(demo.recruiter)
    session = tab.cookie("tc_session")
    csrf = tab.cookie("tc_csrf")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert not csrf["httpOnly"] and csrf["sameSite"] == "Strict"
    assert demo.recruiter not in tab.page.url
    stored = tab.page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert demo.recruiter not in stored and "tc_session" not in tab.page.evaluate("() => document.cookie")


def test_a_state_change_without_the_csrf_header_is_refused(tab, demo):
    tab.login(demo.recruiter)
    request = tab.context.request  # shares the tab's cookies, like a forged cross-site form would
    body = {"data": demo.api.project_body(title="forged")}
    refused = request.post(demo.url + "/v1/projects", **body)
    assert refused.status == 403 and "CSRF" in refused.json()["detail"]
    wrong = request.post(demo.url + "/v1/projects", headers={"X-CSRF-Token": "not-the-token"}, **body)
    assert wrong.status == 403
    token = tab.cookie("tc_csrf")["value"]
    assert request.post(demo.url + "/v1/projects", headers={"X-CSRF-Token": token}, **body).status == 201
    assert request.get(demo.url + "/v1/projects").status == 200  # reads need no token


def test_recruiter_creates_a_project_shortlists_a_candidate_and_records_feedback(tab, demo):
    page = tab.page
    tab.login(demo.recruiter)
    page.click("[data-testid=new-project]")
    page.fill("input[name=title]", "合成生物学平台")
    page.select_option("select[name=industry]", "BIO")
    page.locator("[data-testid=occupations] input").first.check()
    page.fill("input[name=required_skills]", "Python, 单细胞测序")
    with page.expect_response(re.compile(r"/v1/projects/\d+/candidates\?")) as asked:
        page.click("form.form-grid button[type=submit]")
    page.wait_for_selector("h1:has-text('合成生物学平台')")
    assert re.search(r"#/projects/\d+$", page.url)
    project_id = int(page.url.rsplit("/", 1)[1])

    # candidates from the real index, each with reasons; the requirement's own words are highlighted
    answer = asked.value
    assert answer.status == 200 and "top_k=20" in answer.url
    shown = page.locator("[data-testid=candidates] li.candidate")
    shown.first.wait_for()
    items = answer.json()["items"]
    assert shown.count() == len(items) <= 20  # fetches no more than it shows
    pool = set(demo.pool) | {demo.candidate_id, demo.talent_id, demo.withdrawer_id}
    ids = {int(x) for x in shown.evaluate_all("els => els.map(e => e.dataset.profile)")}
    assert ids <= pool and not ids & demo.unconsented
    first = shown.first
    assert first.locator(".score").count() == 1
    assert first.locator(".reasons .pill-ok", has_text="Python").count() == 1
    assert first.locator(".reasons mark").first.inner_text().lower() == "python"
    assert first.locator(".reasons .pill-info").count() >= 1  # the occupation in common, by name

    # one click shortlists the top suggestion (and records that it was shown at rank 1)
    top = int(first.get_attribute("data-profile"))
    page.click(f"[data-testid=shortlist-{top}]")
    page.locator(f"[data-testid=shortlist] tr[data-profile='{top}']").wait_for()
    page.wait_for_selector(f"[data-testid=shortlist-{top}][disabled]")

    page.fill("[data-testid=shortlist-add] input", str(demo.candidate_id))
    page.click("[data-testid=shortlist-add] button")
    row = page.locator(f"[data-testid=shortlist] tr[data-profile='{demo.candidate_id}']")
    row.wait_for()
    assert "王芳" in row.inner_text()  # consented to this tenant: named

    page.click(f"[data-testid=feedback-contacted-{demo.candidate_id}]")
    page.wait_for_selector(f"[data-testid=feedback-contacted-{demo.candidate_id}][aria-pressed=true]")
    page.click(f"[data-testid=feedback-hired-{demo.candidate_id}]")
    page.wait_for_selector(f"[data-testid=feedback-hired-{demo.candidate_id}][aria-pressed=true]")
    recorded = demo.recruiter_client.get(f"/v1/projects/{project_id}/feedback").json()["items"]
    assert [(f["profile_id"], f["label"], f["rank_shown"]) for f in recorded] == [
        (top, "shortlisted", 1),
        (demo.candidate_id, "contacted", None),
        (demo.candidate_id, "hired", None),
    ]


def test_a_candidate_without_consent_to_the_tenant_is_shown_pseudonymously(tab, demo):
    tab.login(demo.recruiter)
    tab.open(f"/#/projects/{demo.project['id']}")
    row = tab.page.locator(f"[data-testid=shortlist] tr[data-profile='{demo.talent_id}']")
    row.wait_for()
    assert "李雷" not in row.inner_text() and "T-" in row.inner_text()


def _candidate_ids(tab) -> list[int]:
    tab.page.wait_for_selector("[data-testid=candidates] li.candidate")
    return [
        int(x)
        for x in tab.page.locator("[data-testid=candidates] li.candidate").evaluate_all(
            "els => els.map(e => e.dataset.profile)"
        )
    ]


def test_a_talent_who_withdraws_consent_disappears_from_the_recruiters_candidates(browser, demo, tab):
    project = f"/#/projects/{demo.project['id']}"
    tab.login(demo.recruiter)
    tab.open(project)
    before = _candidate_ids(tab)
    assert demo.withdrawer_id in before
    shown = tab.page.locator(f"[data-testid=candidates] li.candidate[data-profile='{demo.withdrawer_id}']")
    assert "韩梅梅" not in shown.inner_text()  # consented to matching, not to this enterprise: pseudonymous

    # on another project's shortlist before withdrawing: that entry stays, their profile goes
    other = demo.api.project(demo.recruiter_client, title="撤回检查 Withdrawal check")
    added = demo.recruiter_client.post(
        f"/v1/projects/{other['id']}/shortlist", json={"profile_id": demo.withdrawer_id}
    )
    assert added.status_code == 201, added.text

    # the talent, in a browser of their own, withdraws every consent
    talent = Tab(browser.new_context(viewport=VIEWPORT, locale="zh-CN"), demo.url)
    try:
        page = talent.page
        talent.login(demo.withdrawer)
        page.wait_for_selector("h1:has-text('我的档案')")
        page.click("a.nav-link[href='#/me/matches']")  # the project fits them, and the page says why
        fit = page.locator(f"li.candidate[data-kind=project][data-id='{demo.project['id']}']")
        fit.wait_for()
        assert fit.locator(".reasons mark", has_text="Python").count() >= 1
        page.click("a.nav-link[href='#/me/consent']")
        page.click("[data-testid=withdraw-consent]")
        page.click("dialog button[type=submit]")
        page.wait_for_selector("[data-testid=withdraw-consent][disabled]")
        page.wait_for_selector("[data-page=consent] .notice-warn:has-text('未授权')")
    finally:
        talent.context.close()
    assert talent.errors == [], talent.errors
    assert demo.api.as_(demo.withdrawer).get("/v1/profiles/me").json()["consent_scopes"] == []

    # the recruiter reloads: gone from the candidates, and not reachable by id either
    tab.page.reload()
    after = _candidate_ids(tab)
    assert demo.withdrawer_id not in after and after
    tab.expect_http_error(404, rf"/v1/projects/{demo.project['id']}/shortlist$")
    tab.page.fill("[data-testid=shortlist-add] input", str(demo.withdrawer_id))
    tab.page.click("[data-testid=shortlist-add] button")
    tab.page.wait_for_selector(f".toast-error:has-text('unknown profile {demo.withdrawer_id}')")
    assert tab.page.locator(f"[data-testid=shortlist] tr[data-profile='{demo.withdrawer_id}']").count() == 0
    tab.open(f"/#/projects/{other['id']}")
    row = tab.page.locator(f"[data-testid=shortlist] tr[data-profile='{demo.withdrawer_id}']")
    row.wait_for()
    assert "本人已撤回授权" in row.inner_text() and "韩梅梅" not in row.inner_text()


def test_analyst_opens_a_chain_with_its_chart(tab, demo):
    page = tab.page
    tab.login(demo.analyst)
    page.click("a.chip[href^='#/chains/BIO']")
    page.wait_for_selector("h1:has-text('生物医药')")
    assert page.locator(".segment").count() >= 3
    page.wait_for_selector("[data-testid=chain-chart] .main-svg")
    assert "权重合计" in page.inner_text("[data-testid=chain-chart]")
    page.click("a.nav-link[href='#/zones']")
    page.click("button.tile[data-zone=zhongguancun]")
    page.wait_for_selector("[data-testid=zone-detail] .main-svg")


def test_the_language_switch_changes_every_label_and_is_remembered(tab, demo):
    page = tab.page
    tab.login(demo.analyst)
    assert page.inner_text("a.nav-link.active") == "产业链视图"
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("a.nav-link.active:has-text('Industry chains')")
    assert tab.cookie("tc_lang")["value"] == "en"
    tab.open("/#/chains/BIO")
    page.wait_for_selector("h1:has-text('Biotech')")
    page.wait_for_selector("[data-testid=chain-chart] .main-svg")
    assert "Sum of weights" in page.inner_text("[data-testid=chain-chart]")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_logout_ends_the_session_on_the_server(tab, demo):
    tab.login(demo.recruiter)
    stolen = tab.cookie("tc_session")["value"]
    tab.page.click("[data-testid=logout]")
    tab.page.wait_for_selector("#api-key")
    replay = tab.context.request.get(demo.url + "/v1/projects", headers={"Cookie": f"tc_session={stolen}"})
    assert replay.status == 401


def test_another_enterprise_sees_nothing_of_the_first_ones_projects_shortlists_or_feedback(tab, demo):
    page = tab.page
    mine = demo.recruiter_client.get("/v1/projects", params={"limit": 100}).json()["items"]
    secrets = {p["title"] for p in mine} | {demo.tenant}
    their_ids = {p["id"] for p in mine}
    assert demo.project["id"] in their_ids

    tab.login(demo.rival)
    tab.open("/#/projects?status=all")
    page.wait_for_selector("[data-page=projects] table.table")
    rows = page.locator("[data-page=projects] tbody tr")
    assert rows.count() == 1 and demo.rival_project["title"] in rows.inner_text()
    rows.locator("a").click()
    page.wait_for_selector(f"[data-testid=shortlist] tr[data-profile='{demo.candidate_id}']")
    page.wait_for_selector("[data-testid=candidates] li.candidate")
    assert "王芳" not in page.inner_text("[data-testid=shortlist]")  # she consented to the other tenant only

    # the other tenant's project by its URL: a clear message and none of its data, for every page of it
    foreign = demo.project["id"]
    tab.expect_http_error(404, rf"/v1/projects/{foreign}$")
    for page_id, path in (("project", ""), ("project-edit", "/edit")):
        tab.open(f"/#/projects/{foreign}{path}")
        page.wait_for_selector(f"[data-page={page_id}][data-testid=project-notfound] .notice-warn")
        assert f"未找到项目 {foreign}" in page.inner_text("main")
        assert not any(title in page.inner_text("main") for title in secrets)
        assert page.locator("[data-testid=shortlist], [data-testid=candidates], form.form-grid").count() == 0

    bodies = tab.api_bodies()
    paths = [path for path, _, _ in bodies]
    assert any(p.startswith(f"/v1/projects/{demo.rival_project['id']}/candidates") for p in paths)
    own = {demo.rival_project["id"]}
    assert set().union(*(_project_ids(b) for _, _, b in bodies)) == own  # the check sees projects at all
    assert not any(p.startswith(f"/v1/projects/{foreign}/") for p in paths)  # stopped at the 404
    for path, status, body in bodies:
        assert not any(secret in body for secret in secrets), (path, body)
        assert not _project_ids(body) & their_ids, (path, body)
        if path.startswith(f"/v1/projects/{foreign}"):
            assert status == 404


def _project_ids(body: str) -> set[int]:
    """The ids of every project in a JSON ``body``, and of the projects its shortlist entries and feedback
    belong to."""
    try:
        data = json.loads(body)
    except ValueError:
        return set()
    found, stack = set(), [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if {"id", "title", "segment_code", "status"} <= node.keys():
                found.add(node["id"])
            if isinstance(node.get("project_id"), int):
                found.add(node["project_id"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def test_a_talent_gets_no_bureau_or_enterprise_pages_and_fetches_none_of_their_data(tab, demo):
    page = tab.page
    tab.login(demo.talent)
    page.wait_for_selector("[data-page=me][data-ready=true]")
    hrefs = page.eval_on_selector_all("nav .nav-link", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith("#/me") for h in hrefs)
    tab.responses.clear()
    segment = demo.scope["segments"][0]
    for path in (
        f"/#/chains/{demo.scope['industry']}",
        f"/#/zones?industry={demo.scope['industry']}",
        f"/#/occupation/{demo.scope['occupations'][segment][0]}?segment={segment}",
        "/#/indicators",
        "/#/models",
        "/#/catalogue",
        "/#/projects",
        f"/#/projects/{demo.project['id']}",
    ):
        page.goto("about:blank")  # a fresh load each time, so the message waited for is this page's
        tab.open(path)
        page.wait_for_selector("main .notice-warn:has-text('当前角色无权访问此页面')")
    fetched = [path for path, _, _ in tab.api_bodies() if path.startswith("/v1/")]
    assert fetched == [], fetched  # the shell refuses before any page asks the API
    for path in ("/v1/shortages", "/v1/indicators", "/v1/models", f"/v1/projects/{demo.project['id']}"):
        assert tab.context.request.get(demo.url + path).status == 403, path
