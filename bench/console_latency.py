"""Console page latency in headless Chromium: time from navigation to the page's main chart or table.

    talentcluster demo                      # once: the demo store and a serving forecast run in ./var
    python bench/console_latency.py [--home var] [--runs 5] [--out var/bench/console_latency.json]

Starts the service in-process over ``--home`` (or uses ``--url`` with ``--key``, an analyst's API key),
logs in as a bureau analyst and opens each main page ``--runs`` times; in-process, then also as an
enterprise user (the projects list, and the project page with its candidates from the matching index)
and as a talent (profile, matches), with keys made for the owner of the first open project and for the
first person who consented to matching. Two figures per page:
``cold`` — a full page load (HTML, scripts, Plotly from the service, API calls, drawing), the first
visit with an empty server response cache; ``warm`` — in-app navigation (hash change), median and max
over the runs. Target: under 1 s per page on localhost. Prints a table and writes JSON; not a test.
Needs Debian's /usr/bin/chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
TARGET_S = 1.0


def _serve(home: Path):
    """Start the app over ``home`` on a free port; returns (url, server, {role: key}) with keys for a
    bureau analyst, the owner of the first open project and the first person consenting to matching."""
    import socket

    import uvicorn
    from sqlalchemy import select

    from models.auth import create_api_key
    from models.settings import Settings
    from models.storage import orm
    from models.storage.database import make_engine, session_factory, transaction
    from service.app import create_app

    settings = Settings(home=home)
    engine = make_engine(settings.resolved_database_url)
    label = "console latency bench"
    with transaction(session_factory(engine)) as session:
        keys = {"bureau_analyst": create_api_key(session, "bureau_analyst", label=label).secret}
        owner = session.execute(
            select(orm.Enterprise.code, orm.Project.id)
            .join(orm.Project, orm.Project.enterprise_id == orm.Enterprise.id)
            .where(orm.Project.status == "open")
            .order_by(orm.Project.id)
            .limit(1)
        ).first()
        if owner is not None:
            keys["enterprise_user"] = create_api_key(
                session, "enterprise_user", tenant=owner.code, label=label
            ).secret
        talent = session.scalar(
            select(orm.ConsentScope.profile_id)
            .where(orm.ConsentScope.scope == "pool:matching")
            .order_by(orm.ConsentScope.profile_id)
            .limit(1)
        )
        if talent is not None:
            keys["talent"] = create_api_key(session, "talent", profile_id=talent, label=label).secret
    engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the service did not start within 60 s")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, keys


def _enterprise_pages(request, url: str) -> list[tuple[str, str, str]]:
    projects = request.get(url + "/v1/projects", params={"status": "open", "limit": 1}).json()["items"]
    pages = [("projects", "/projects", "[data-page=projects][data-ready] table")]
    if projects:
        pid = projects[0]["id"]
        pages.append(
            (
                "project + candidates",
                f"/projects/{pid}",
                "[data-page=project][data-ready] [data-testid=candidates]",
            )
        )
    return pages


def _talent_pages(request, url: str) -> list[tuple[str, str, str]]:
    return [
        ("my profile", "/me", "[data-page=me][data-ready]"),
        ("my matches", "/me/matches", "[data-page=matches][data-ready]"),
    ]


PAGES_OF = {"enterprise_user": _enterprise_pages, "talent": _talent_pages}


def _pages(request, url: str) -> list[tuple[str, str, str]]:
    """(name, hash path, selector of the main chart/table), filled from what the serving run covers."""
    shortages = request.get(url + "/v1/shortages", params={"horizon": 12, "limit": 1}).json()
    segments = [s for s in shortages.get("segments", []) if s["occupations"]]
    seg = max(segments, key=lambda s: s["occupations"][0]["score"]) if segments else None
    industry = seg["industry_code"] if seg else "NIT"
    zones = request.get(url + "/v1/zones").json()
    zone = next((z["code"] for z in zones if industry in z["industries"]), zones[0]["code"])
    pages = [
        ("chain", f"/chains/{industry}", "[data-testid=chain-chart] .main-svg"),
        (
            "zones (shortage map)",
            f"/zones?industry={industry}",
            "[data-page=zones][data-ready] [data-testid=tilemap]",
        ),
        ("indicators", f"/indicators?zone={zone}", "[data-testid=indicators-monthly] .main-svg"),
        ("models", "/models", "[data-testid=models] .model-card"),
        ("catalogue", "/catalogue", "[data-page=catalogue][data-ready]"),
    ]
    if seg:
        top = seg["occupations"][0]["occupation_code"]
        pages.insert(
            1,
            (
                "occupation",
                f"/occupation/{top}?segment={seg['segment_code']}",
                "[data-testid=forecast-chart] .main-svg",
            ),
        )
    return pages


def measure(url: str, keys: dict[str, str], runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    rows = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for role, key in keys.items():
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            rows += _measure_role(context, url, role, key, runs, errors)
            context.close()
        browser.close()
    return {"pages": rows, "console_errors": errors}


def _measure_role(context, url: str, role: str, key: str, runs: int, errors: list[str]) -> list[dict]:
    rows = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{role}: {m.text}") if m.type == "error" else None)
    page.goto(url + "/#/login")
    page.fill("#api-key", key)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url("**/#/")
    page.wait_for_selector("nav .nav-link")
    for name, path, selector in PAGES_OF.get(role, _pages)(context.request, url):
        page.goto("about:blank")
        t0 = time.perf_counter()
        page.goto(f"{url}/#{path}")
        page.wait_for_selector(selector, timeout=30_000)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(runs):
            page.evaluate("location.hash = '#/blank-bench'")
            page.wait_for_selector("[data-page]", state="detached")  # "no such page": the old view is gone
            t0 = time.perf_counter()
            page.evaluate(f"location.hash = {json.dumps('#' + path)}")
            page.wait_for_selector(selector, timeout=30_000)
            warm.append(time.perf_counter() - t0)
        rows.append(
            {
                "role": role,
                "page": name,
                "path": path,
                "cold_s": cold,
                "warm_median_s": statistics.median(warm),
                "warm_max_s": max(warm),
                "runs": runs,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--home", type=Path, default=Path("var"), help="TALENTCLUSTER_HOME with a serving forecast run"
    )
    parser.add_argument("--url", help="a running service instead of an in-process one (needs --key)")
    parser.add_argument("--key", help="a bureau analyst's API key (with --url)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("var/bench/console_latency.json"))
    args = parser.parse_args()
    server = None
    if args.url:
        if not args.key:
            parser.error("--url needs --key")
        url, keys = args.url, {"bureau_analyst": args.key}
    else:
        url, server, keys = _serve(args.home)
    try:
        result = measure(url, keys, args.runs)
    finally:
        if server is not None:
            server.should_exit = True
    print(f"{'role':<16}{'page':<22}{'cold s':>9}{'warm median s':>15}{'warm max s':>12}")
    for r in result["pages"]:
        flag = "" if max(r["cold_s"], r["warm_max_s"]) < TARGET_S else "  > 1 s"
        print(
            f"{r['role']:<16}{r['page']:<22}{r['cold_s']:>9.3f}{r['warm_median_s']:>15.3f}"
            f"{r['warm_max_s']:>12.3f}{flag}"
        )
    if result["console_errors"]:
        print("browser console errors:", *result["console_errors"], sep="\n  ")
    report = {
        "benchmark": "console_latency",
        "home": None if args.url else str(args.home),
        "url": args.url,
        "target_s": TARGET_S,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        **result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
