"""The console in headless Chromium: each role logs in and does its main task through the real pages."""

from __future__ import annotations

import re

import pytest

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
    page.click("form.form-grid button[type=submit]")
    page.wait_for_selector("h1:has-text('合成生物学平台')")
    assert re.search(r"#/projects/\d+$", page.url)

    page.fill("[data-testid=shortlist-add] input", str(demo.candidate_id))
    page.click("[data-testid=shortlist-add] button")
    row = page.locator(f"[data-testid=shortlist] tr[data-profile='{demo.candidate_id}']")
    row.wait_for()
    assert "王芳" in row.inner_text()  # consented to this tenant: named

    page.click(f"[data-testid=feedback-contacted-{demo.candidate_id}]")
    page.wait_for_selector(f"[data-testid=feedback-contacted-{demo.candidate_id}][aria-pressed=true]")
    page.click(f"[data-testid=feedback-hired-{demo.candidate_id}]")
    page.wait_for_selector(f"[data-testid=feedback-hired-{demo.candidate_id}][aria-pressed=true]")
    project_id = int(page.url.rsplit("/", 1)[1])
    recorded = demo.recruiter_client.get(f"/v1/projects/{project_id}/feedback").json()["items"]
    labels = [f["label"] for f in recorded]
    assert labels == ["contacted", "hired"]
    page.wait_for_selector("[data-testid=candidates] .notice")  # the panel answers (no index: says so)


def test_a_candidate_without_consent_to_the_tenant_is_shown_pseudonymously(tab, demo):
    tab.login(demo.recruiter)
    tab.open(f"/#/projects/{demo.project['id']}")
    row = tab.page.locator(f"[data-testid=shortlist] tr[data-profile='{demo.talent_id}']")
    row.wait_for()
    assert "李雷" not in row.inner_text() and "T-" in row.inner_text()


def test_talent_withdraws_consent(tab, demo):
    page = tab.page
    tab.login(demo.talent)
    page.wait_for_selector("h1:has-text('我的档案')")
    page.click("a.nav-link[href='#/me/consent']")
    page.click("[data-testid=withdraw-consent]")
    page.click("dialog button[type=submit]")
    page.wait_for_selector("[data-testid=withdraw-consent][disabled]")
    assert demo.api.as_(demo.talent).get("/v1/profiles/me").json()["consent_scopes"] == []


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
