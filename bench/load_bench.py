"""Load benchmark of cached forecast reads: `talentcluster serve --workers 1` and `--workers 2` on the demo
database with a serving forecaster, hammered on 127.0.0.1 with a bounded load; p50/p99 and req/s.

    TALENTCLUSTER_HOME=/tmp/fr-home .venv/bin/talentcluster demo --no-serve     # data + forecast run
    TALENTCLUSTER_HOME=/tmp/fr-home .venv/bin/python bench/load_bench.py --out var/bench/load.json

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


def start_server(workers: int, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TALENTCLUSTER_RATE_LIMIT_PER_MINUTE": "1e12",
        "TALENTCLUSTER_RATE_LIMIT_BURST": "1000000000",
    }
    cmd = [sys.executable, "-m", "talentcluster", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, key: str, workers: int, timeout: float = 120) -> None:
    """Until the forecast route answers 200, then warm every query on every worker (connections are
    spread over workers by the kernel, so a few hundred requests reach each one)."""
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
        while True:
            try:
                if client.get(QUERIES[0]).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server on {base} did not answer within {timeout} s")
            time.sleep(0.5)
    for _ in range(50 * workers):
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
            for q in QUERIES:
                assert client.get(q).status_code == 200


def run_wrk(base: str, key: str, seconds: int, connections: int) -> dict:
    paths = ", ".join(f'"{q}"' for q in QUERIES)
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


async def _httpx(base: str, key: str, n: int, concurrency: int) -> dict:
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
                r = await client.get(QUERIES[i % len(QUERIES)])
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--seconds", type=int, default=15, help="wrk: duration of each scenario")
    ap.add_argument("--requests", type=int, default=10_000, help="httpx: requests per scenario")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--out", type=Path, default=Path("var/bench/load.json"))
    args = ap.parse_args()
    tool = ("wrk" if shutil.which("wrk") else "httpx") if args.tool == "auto" else args.tool
    version = serving_version()
    if version is None:
        raise SystemExit(
            "no forecaster serves; run talentcluster demo --no-serve (or forecast train --store)"
        )
    key_id, key = bench_key()
    rows = []
    try:
        for workers in args.workers:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = start_server(workers, port)
            try:
                wait_ready(base, key, workers)
                load_before = os.getloadavg()[0]
                if tool == "wrk":
                    result = run_wrk(base, key, args.seconds, args.connections)
                else:
                    result = asyncio.run(_httpx(base, key, args.requests, args.connections))
                rows.append(
                    {
                        "workers": workers,
                        "connections": args.connections,
                        **result,
                        "loadavg_1m_before": load_before,
                    }
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        revoke(key_id)
    print(f"cached forecast reads, forecaster {version}, {tool}, {os.cpu_count()} CPUs")
    print(
        f"{'workers':>7} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'load':>6}"
    )
    for r in rows:
        print(
            f"{r['workers']:>7} {r['requests']:>9} {r['req_per_s']:>9.1f} {r['p50_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['non_2xx']:>8} {r['loadavg_1m_before']:>6.1f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "cached forecast reads",
        "forecaster_version": version,
        "queries": QUERIES,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "results": rows,
    }
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
