"""The bureau analyst's pages in headless Chromium, over the tiny store's serving forecast run: the chain's
most likely short occupations, an occupation's forecast with bands and reasons, the shortage map,
indicators, model versions with a retraining job, the catalogue; and what an enterprise user is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BUREAU_NAV = ("#/chains", "#/zones", "#/indicators", "#/models", "#/catalogue")
BUREAU_API = (
    "/v1/forecasts?level=city",
    "/v1/shortages",
    "/v1/indicators",
    "/v1/models",
)


def _top_of_first_segment(demo) -> tuple[str, str]:
    segment = demo.scope["segments"][0]
    answer = demo.api.as_(demo.analyst).get(
        "/v1/shortages", params={"segment": segment, "horizon": 12, "limit": 1}
    )
    assert answer.status_code == 200, answer.text
    top = answer.json()["segments"][0]["occupations"][0]
    assert top["rank"] == 1
    return segment, top["occupation_code"]


def test_analyst_finds_the_top_short_occupation_of_a_chain_and_opens_its_forecast(tab, demo):
    page = tab.page
    segment, top = _top_of_first_segment(demo)
    tab.login(demo.analyst)
    page.click(f"a.chip[href^='#/chains/{demo.scope['industry']}']")
    first = page.locator(
        f"article.segment[data-segment='{segment}'] [data-testid=short-occupations] li[data-rank='1']"
    )
    first.wait_for()
    assert first.get_attribute("data-code") == top
    first.locator("a").click()

    page.wait_for_selector("[data-testid=forecast-chart] .main-svg")
    assert f"#/occupation/{top}?segment={segment}" in page.url
    chart = page.inner_text("[data-testid=forecast-chart]")
    assert "80% 区间" in chart and "95% 区间" in chart and "人数（人/月）" in chart
    # the bands are filled areas, one per interval and target
    assert page.locator("[data-testid=forecast-chart] path.js-fill").count() >= 4
    reasons = page.locator("[data-testid=reasons] li")
    assert reasons.count() >= 2 and "求人倍率" in page.inner_text("[data-testid=reasons]")
    page.wait_for_selector("[data-testid=index-chart] .main-svg")
    assert "紧缺指数" in page.inner_text("[data-testid=index-chart]")
    assert demo.forecast_version in page.inner_text("[data-page=occupation]")  # the model version
    page.wait_for_selector("[data-testid=backtest-postings] td")


def test_the_occupation_page_speaks_english_with_english_axes(tab, demo):
    page = tab.page
    segment, top = _top_of_first_segment(demo)
    tab.context.add_cookies([{"name": "tc_lang", "value": "en", "url": demo.url}])
    tab.login(demo.analyst)
    tab.open(f"/#/occupation/{top}?segment={segment}&horizon=6")
    page.wait_for_selector("[data-testid=forecast-chart] .main-svg")
    chart = page.inner_text("[data-testid=forecast-chart]")
    assert "People per month" in chart and "80% interval" in chart and "Month" in chart
    assert "Shortage index" in page.inner_text("[data-testid=reasons]")


def test_the_shortage_map_colours_the_zones_by_forecast_index(tab, demo):
    page = tab.page
    tab.login(demo.analyst)
    tab.open(f"/#/zones?industry={demo.scope['industry']}&horizon=6")
    page.wait_for_selector("[data-testid=tilemap]")
    for zone in demo.scope["zones"]:
        assert page.get_attribute(f"button.tile[data-zone='{zone}']", "data-forecast") == "true"
    page.select_option("select[name=cluster]", "strategic_emerging")
    page.wait_for_function("location.hash.includes('cluster=strategic_emerging')")
    page.click(f"button.tile[data-zone='{demo.scope['zones'][0]}'][data-forecast]")
    page.click("[data-testid=zone-indicators]")
    page.wait_for_selector("[data-testid=indicators-monthly] .main-svg")
    assert "近 12 个月岗位需求" in page.inner_text("[data-testid=scale]")


def test_indicators_of_a_cluster_show_scale_and_change_over_time(tab, demo):
    page = tab.page
    tab.login(demo.analyst)
    tab.open("/#/indicators?cluster=strategic_emerging")
    page.wait_for_selector("[data-testid=indicators-monthly] .main-svg")
    page.wait_for_selector("[data-testid=structure-demand] .main-svg")
    assert "同比" in page.inner_text("[data-testid=kpi-postings]")


def test_analyst_starts_a_retraining_job_and_watches_it_finish(tab, demo):
    page = tab.page
    tab.login(demo.analyst)
    page.click("a.nav-link[href='#/models']")
    page.wait_for_selector(f"[data-version='{demo.forecast_version}'] .pill-ok")
    page.click("[data-testid=retrain]")
    page.wait_for_selector("[data-testid=job][data-status=succeeded]", timeout=60_000)
    assert "已完成" in page.inner_text("[data-testid=job-status]")
    assert (
        page.locator(f"[data-testid=promote-{demo.forecast_version}]").count() == 0
    )  # analysts don't promote


def test_the_catalogue_page_answers_without_editions(tab, demo):
    tab.login(demo.analyst)
    tab.open("/#/catalogue")
    tab.page.wait_for_selector("[data-page=catalogue] .notice")


def test_an_enterprise_user_gets_no_bureau_navigation_and_the_api_refuses_bureau_routes(tab, demo):
    page = tab.page
    tab.login(demo.recruiter)
    hrefs = page.eval_on_selector_all("nav .nav-link", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and not any(h.startswith(BUREAU_NAV) for h in hrefs)
    segment, top = _top_of_first_segment(demo)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    tab.open(f"/#/occupation/{top}?segment={segment}")
    page.wait_for_selector(".notice-warn")
    assert not any(
        "/v1/forecasts" in u or "/v1/shortages" in u for u in requested
    )  # fetches nothing it can't show
    for path in BUREAU_API:
        assert tab.context.request.get(demo.url + path).status == 403, path
    token = tab.cookie("tc_csrf")["value"]
    assert (
        tab.context.request.post(demo.url + "/v1/models/retrain", headers={"X-CSRF-Token": token}).status
        == 403
    )
