"""Load benchmark: `talentcluster serve --workers 1` and `--workers 2` hammered on 127.0.0.1 with a
bounded load; p50/p99 and req/s, for cached forecast reads and for match queries.

    TALENTCLUSTER_HOME=/tmp/fr-home .venv/bin/talentcluster demo --no-serve     # data + forecast run
    TALENTCLUSTER_HOME=/tmp/fr-home .venv/bin/python bench/load_bench.py --out var/bench/load.json
    TALENTCLUSTER_HOME=… .venv/bin/python bench/load_bench.py --scenario matches \
        --connections 1 4 --out var/bench/load-matches.json   # over a database with a built index

Match queries (``--scenario matches``): ``GET /v1/projects/{id}/candidates?top_k=10`` of an enterprise
made for the run, over ``--match-projects`` projects with distinct texts (drawn from the taxonomy,
half Chinese, half English). Each scenario asks for each project at most once on a freshly started
server, so every request embeds its project's text: the figures include text encoding.

Load generator: wrk (C, one thread, a Lua script rotating over the URLs) when installed
(`apt-get install -y wrk`), else httpx on asyncio (slower: on 2 cores the Python client takes CPU from
the server and under-reports throughput). Every scenario is bounded: wrk by ``--seconds``, httpx by
``--requests``. The URLs are a fixed set of forecast queries, warmed first, so the figures are for
*cached* reads (authentication, middleware and the per-worker response cache; no model work).

The rate limiter is raised for the benchmark's server (one key would otherwise be held to the default
600/min); everything else is the production configuration. A bureau_analyst key is made for the run and
revoked at the end. Prints a table, writes JSON. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUERIES = [
    "/v1/forecasts?level=industry&horizon=12&limit=20",
    "/v1/forecasts?level=segment&industry=BIO&horizon=24",
    "/v1/forecasts?level=occupation&zone=zhongguancun&segment=NIT-1&horizon=12",
    "/v1/forecasts?level=zone&target=job_seekers&horizon=6",
    "/v1/forecasts?level=city&horizon=24&history=24",
    "/v1/forecasts?level=cluster&district=haidian&horizon=12",
]
LUA = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Bearer %s"})
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_key() -> tuple[int, str]:
    from models.auth import create_api_key
    from models.settings import Settings
    from models.storage.database import make_engine, session_factory, transaction

    with transaction(session_factory(make_engine(Settings().resolved_database_url))) as session:
        issued = create_api_key(session, "bureau_analyst", label="load-bench")
        return issued.key.id, issued.secret


def revoke(key_id: int) -> None:
    from models.auth import revoke_api_key
    from models.settings import Settings
    from models.storage.database import make_engine, session_factory, transaction

    with transaction(session_factory(make_engine(Settings().resolved_database_url))) as session:
        revoke_api_key(session, key_id)


def serving_version() -> str | None:
    from models import forecast_registry
    from models.settings import Settings
    from models.storage.database import make_engine, session_factory

    with session_factory(make_engine(Settings().resolved_database_url))() as session:
        row = forecast_registry.serving(session)
        return row.version if row else None


def simulated_projects(path: Path, n: int) -> list[dict]:
    """``n`` projects of a ``data simulate`` output (long descriptions, as enterprises write them)."""
    import pandas as pd

    frame = pd.read_parquet(path).head(n)
    return [
        {
            "title": row.title,
            "description": row.description,
            "kind": row.kind,
            "segment_code": row.segment_code,
            "zone_code": row.zone_code,
            "required_occupations": [c for c in row.required_occupations.split(";") if c],
            "required_skills": [c for c in row.required_skills.split(";") if c][:20],
            "talent_level": row.talent_level,
            "min_education": row.min_education,
            "min_experience_years": int(row.min_experience_years),
        }
        for row in frame.itertuples()
    ]


def match_fixture(n: int, seed: int = 0, texts: Path | None = None) -> tuple[int, str, list[str]]:
    """A bench enterprise with an enterprise_user key and ``n`` open projects of distinct texts: short
    ones drawn from the taxonomy, or those of ``texts`` (a simulated ``projects.parquet``)."""
    import random
    import uuid

    from models.auth import create_api_key, create_enterprise, principal_of_key_hash
    from models.projects import create_project
    from models.settings import Settings
    from models.storage.database import make_engine, session_factory, transaction
    from models.taxonomy import Taxonomy

    settings = Settings()
    taxonomy = Taxonomy.load(settings.reference_dir)
    rng = random.Random(seed)
    code = f"bench-{uuid.uuid4().hex[:8]}"
    links = list(taxonomy.segment_occupations)
    with transaction(session_factory(make_engine(settings.resolved_database_url))) as session:
        create_enterprise(session, code, code)
        issued = create_api_key(session, "enterprise_user", tenant=code, label="load-bench")
        principal = principal_of_key_hash(session, issued.key.key_hash)
        paths = []
        for fields in simulated_projects(texts, n) if texts else ():
            project = create_project(session, taxonomy, principal, fields)
            paths.append(f"/v1/projects/{project.id}/candidates?top_k=10")
        for i in range(0 if texts else n):
            link = rng.choice(links)
            o = taxonomy.occupations[link.occupation_code]
            zh = i % 2 == 0
            skills = o.skills_zh if zh else o.skills_en
            picked = rng.sample(list(skills), min(3, len(skills)))
            fields = {
                "title": f"{o.name_zh}（项目{i}）" if zh else f"{o.name_en} for project {i}",
                "description": ("负责" + "、".join(picked)) if zh else "Needs " + ", ".join(picked),
                "kind": "research",
                "segment_code": link.segment_code,
                "zone_code": rng.choice(sorted(taxonomy.zones)),
                "required_occupations": [o.code],
                "required_skills": picked[:2],
                "talent_level": "professional",
                "min_education": "bachelor",
            }
            project = create_project(session, taxonomy, principal, fields)
            paths.append(f"/v1/projects/{project.id}/candidates?top_k=10")
        return issued.key.id, issued.secret, paths


def index_card() -> dict:
    from models.matching.index_store import current_version, read_card
    from models.settings import Settings

    index_dir = Settings().index_dir
    name = current_version(index_dir)
    return {"version": name, **read_card(index_dir / name)} if name else {}


def start_server(workers: int, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TALENTCLUSTER_RATE_LIMIT_PER_MINUTE": "1e12",
        "TALENTCLUSTER_RATE_LIMIT_BURST": "1000000000",
    }
    cmd = [sys.executable, "-m", "talentcluster", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, key: str, workers: int, paths: list[str], warm: bool, timeout: float = 300) -> None:
    """Until the first path answers 200, then (``warm``) ask every path on every worker (connections
    are spread over workers by the kernel, so a few hundred requests reach each one)."""
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        while True:
            try:
                if client.get(paths[0]).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server on {base} did not answer within {timeout} s")
            time.sleep(0.5)
    for _ in range(50 * workers if warm else 0):
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
            for q in paths:
                assert client.get(q).status_code == 200


def run_wrk(base: str, key: str, seconds: int, connections: int, queries: list[str]) -> dict:
    paths = ", ".join(f'"{q}"' for q in queries)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % (paths, key))
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    pct = {m[0]: _ms(m[1]) for m in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "tool": "wrk",
        "requests": requests,
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit], 3)


async def _httpx(base: str, key: str, n: int, concurrency: int, queries: list[str]) -> dict:
    import httpx
    import numpy as np

    latencies: list[float] = []
    errors = 0
    queue = iter(range(n))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal errors
            for i in queue:
                t = time.perf_counter()
                r = await client.get(queries[i % len(queries)])
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    lat = np.array(latencies) * 1000
    return {
        "tool": "httpx",
        "requests": n,
        "req_per_s": round(n / elapsed, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 3),
        "p99_ms": round(float(np.percentile(lat, 99)), 3),
        "non_2xx": errors,
    }


def run_scenario(
    name: str, key: str, paths: list[str], warm: bool, args, tool: str, requests: int
) -> list[dict]:
    rows = []
    for workers in args.workers:
        for connections in args.connections:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = start_server(workers, port)
            try:
                # A match scenario's first path is the readiness probe; it is not measured.
                wait_ready(base, key, workers, paths, warm)
                measured = paths if warm else paths[1:]
                load_before = os.getloadavg()[0]
                if tool == "wrk":
                    result = run_wrk(base, key, args.seconds, connections, measured)
                else:
                    result = asyncio.run(
                        _httpx(base, key, min(requests, len(measured)), connections, measured)
                    )
                rows.append(
                    {
                        "scenario": name,
                        "workers": workers,
                        "connections": connections,
                        **result,
                        "loadavg_1m_before": load_before,
                    }
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", choices=["forecasts", "matches"], nargs="+", default=["forecasts"])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--seconds", type=int, default=15, help="wrk: duration of each forecast scenario")
    ap.add_argument("--requests", type=int, default=10_000, help="httpx: requests per forecast scenario")
    ap.add_argument("--connections", type=int, nargs="+", default=[32])
    ap.add_argument("--match-projects", type=int, default=400, help="match queries per scenario")
    ap.add_argument(
        "--project-texts",
        type=Path,
        help="a simulated projects.parquet: match queries with its long descriptions instead of "
        "short taxonomy-drawn texts",
    )
    ap.add_argument("--out", type=Path, default=Path("var/bench/load.json"))
    args = ap.parse_args()
    tool = ("wrk" if shutil.which("wrk") else "httpx") if args.tool == "auto" else args.tool
    rows: list[dict] = []
    report: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
    }
    if "forecasts" in args.scenario:
        version = serving_version()
        if version is None:
            raise SystemExit(
                "no forecaster serves; run talentcluster demo --no-serve (or forecast train --store)"
            )
        report["forecaster_version"] = version
        report["forecast_queries"] = QUERIES
        key_id, key = bench_key()
        try:
            rows += run_scenario("cached forecast reads", key, QUERIES, True, args, tool, args.requests)
        finally:
            revoke(key_id)
    if "matches" in args.scenario:
        card = index_card()
        if not card:
            raise SystemExit("no matching index; run talentcluster match build-index")
        report["index"] = {"version": card["version"], "counts": card.get("counts")}
        key_id, key, paths = match_fixture(args.match_projects + 1, texts=args.project_texts)
        report["project_texts"] = str(args.project_texts or "taxonomy-drawn (short)")
        try:
            # Always httpx: each project is asked once per server, which wrk's rotation cannot promise.
            rows += run_scenario("match queries, new texts", key, paths, False, args, "httpx", len(paths))
        finally:
            revoke(key_id)
    print(f"{tool} (match queries: httpx), {os.cpu_count()} CPUs")
    print(
        f"{'scenario':<26} {'workers':>7} {'conns':>5} {'requests':>9} {'req/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'non-2xx':>8} {'load':>6}"
    )
    for r in rows:
        print(
            f"{r['scenario']:<26} {r['workers']:>7} {r['connections']:>5} {r['requests']:>9} "
            f"{r['req_per_s']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['non_2xx']:>8} "
            f"{r['loadavg_1m_before']:>6.1f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report["results"] = rows
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
