"""Candidates-query latency through HTTP against a running service (text encoding included).

    talentcluster serve &                                  # over a database with a built index
    python bench/match_query_latency.py --url http://127.0.0.1:8000 --admin-key tck_… [--n 200]

Creates a benchmark enterprise with a key and ``--projects`` projects (titles and skills drawn from the
taxonomy, half Chinese, half English), warms each once, then times ``--n`` sequential
``GET /v1/projects/{id}/candidates?top_k=10`` requests. Prints a table and writes JSON (``--out``).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from pathlib import Path

import httpx

from models.settings import Settings
from models.taxonomy import Taxonomy


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--admin-key", required=True)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("var/bench/match_query_latency.json"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    taxonomy = Taxonomy.load(Settings().reference_dir)
    admin = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {args.admin_key}"}, timeout=60)
    code = f"bench-{uuid.uuid4().hex[:8]}"
    admin.post("/v1/admin/enterprises", json={"code": code, "name": code}).raise_for_status()
    key = admin.post("/v1/admin/api-keys", json={"role": "enterprise_user", "tenant": code}).json()["secret"]
    http = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
    links = list(taxonomy.segment_occupations)
    project_ids = []
    for i in range(args.projects):
        link = rng.choice(links)
        o = taxonomy.occupations[link.occupation_code]
        zh = i % 2 == 0
        body = {
            "title": f"{o.name_zh}（项目{i}）" if zh else f"{o.name_en} for project {i}",
            "description": ("负责" + "、".join(o.skills_zh[:3]))
            if zh
            else "Needs " + ", ".join(o.skills_en[:3]),
            "kind": "research",
            "segment_code": link.segment_code,
            "zone_code": rng.choice(sorted(taxonomy.zones)),
            "required_occupations": [o.code],
            "required_skills": list(o.skills_zh[:2] if zh else o.skills_en[:2]),
            "talent_level": "professional",
            "min_education": "bachelor",
        }
        response = http.post("/v1/projects", json=body)
        response.raise_for_status()
        project_ids.append(response.json()["id"])
    for pid in project_ids:  # warm: first query of a text also embeds it
        http.get(f"/v1/projects/{pid}/candidates", params={"top_k": args.top_k}).raise_for_status()
    timings = []
    for i in range(args.n):
        pid = project_ids[i % len(project_ids)]
        started = time.perf_counter()
        response = http.get(f"/v1/projects/{pid}/candidates", params={"top_k": args.top_k})
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    cold = []
    for i in range(min(20, args.projects)):  # new texts: the encoder's in-memory cache cannot help
        pid = project_ids[i]
        http.patch(
            f"/v1/projects/{pid}", json={"description": f"Variant {uuid.uuid4().hex}"}
        ).raise_for_status()
        started = time.perf_counter()
        http.get(f"/v1/projects/{pid}/candidates", params={"top_k": args.top_k}).raise_for_status()
        cold.append((time.perf_counter() - started) * 1000)
    result = {
        "url": args.url,
        "requests": len(timings),
        "top_k": args.top_k,
        "repeated_text_ms": {
            "p50": round(percentile(timings, 50), 1),
            "p99": round(percentile(timings, 99), 1),
            "mean": round(statistics.mean(timings), 1),
        },
        "new_text_ms": {
            "n": len(cold),
            "p50": round(percentile(cold, 50), 1),
            "p99": round(percentile(cold, 99), 1),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"{'query':<28}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}")
    print(
        f"{'repeated project text':<28}{len(timings):>6}{result['repeated_text_ms']['p50']:>10}"
        f"{result['repeated_text_ms']['p99']:>10}"
    )
    new = result["new_text_ms"]
    print(f"{'new project text':<28}{len(cold):>6}{new['p50']:>10}{new['p99']:>10}")


if __name__ == "__main__":
    main()
