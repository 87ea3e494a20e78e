"""Catalogue job on the demo store: run time, entries per urgency, precision@k against the simulator's truth.

    TALENTCLUSTER_HOME=/tmp/cat-home python bench/catalogue_eval.py --year 2027 \
        --truth /tmp/cat-home/sim/seed-2012/truth/observations.parquet --json var/bench/catalogue_eval.json

Truth (evaluation only, never read by the job): an occupation × segment is *truly short* in the catalogue
year when its structural shortage index (求人倍率 without seasonality), averaged over the year's months and
weighted by each zone's expected postings, is at least 1.5. Two further views are printed: the share of the
series-months with ``is_short`` (≥ 0.5 counts as short) and the un-weighted mean.

Precision@k: the share of the top-k entries whose primary (occupation, segment) is truly short, for the
catalogue's own order (urgency level, then score) and for "last year's list": occupation × segments whose
observed mean index over the 12 months up to the data's end was ≥ 1.5, ranked by that index — what a
bureau re-publishing last year's numbers would list. k = 25, 50 and the number of entries.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd


def truth_by_segment(path: Path, year: int) -> pd.DataFrame:
    cols = [
        "segment_code",
        "occupation_code",
        "month",
        "is_short",
        "structural_shortage_index",
        "expected_postings",
    ]
    t = pd.read_parquet(path, columns=cols)
    t["month"] = pd.to_datetime(t["month"].astype(str) + "-01")
    t = t[t["month"].dt.year == year]
    t["w"] = t["expected_postings"] * t["structural_shortage_index"]
    g = t.groupby(["segment_code", "occupation_code"])
    out = pd.DataFrame(
        {
            "weighted_index": g["w"].sum() / g["expected_postings"].sum(),
            "mean_index": g["structural_shortage_index"].mean(),
            "share_short": g["is_short"].mean(),
            "months": g["month"].nunique(),
        }
    )
    out["short"] = out["weighted_index"] >= 1.5
    out["short_share"] = out["share_short"] >= 0.5
    return out


def last_year_list(obs: pd.DataFrame) -> list[tuple[str, str]]:
    end = obs["month"].max()
    last = obs[obs["month"] > end - pd.DateOffset(months=12)]
    g = last.groupby(["segment_code", "occupation_code"])[["postings", "job_seekers"]].sum(min_count=1)
    g["r"] = g["postings"] / g["job_seekers"].clip(lower=1)
    g = g[g["r"] >= 1.5].sort_values("r", ascending=False, kind="stable")
    return list(g.index)


def precision(ranked: list[tuple[str, str]], truth: pd.DataFrame, k: int, column: str) -> float:
    top = ranked[:k]
    if not top:
        return float("nan")
    return sum(bool(truth[column].get(key, False)) for key in top) / len(top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--year", type=int, default=2027)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--json", type=Path, default=Path("var/bench/catalogue_eval.json"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument(
        "--fresh", action="store_true", help="Delete cached catalogue forecasters first (time training)."
    )
    args = ap.parse_args()

    import shutil

    from models.settings import Settings
    from models.storage.database import make_engine, session_factory, upgrade
    from models.storage.observations import read_observations
    from models.taxonomy import Taxonomy
    from training.catalogue.job import CatalogueJob

    cfg = Settings()
    if args.fresh:
        shutil.rmtree(cfg.artifacts_dir / "catalogue", ignore_errors=True)
    engine = make_engine(cfg.resolved_database_url)
    upgrade(engine)
    factory = session_factory(engine)
    out_dir = cfg.home / "catalogue-eval-out"
    job = CatalogueJob(
        factory=factory,
        taxonomy=Taxonomy.load(cfg.reference_dir),
        root=cfg.home / "catalogue",
        artifacts_dir=cfg.artifacts_dir,
        seed=cfg.seed if args.seed is None else args.seed,
    )
    started = time.perf_counter()
    outcome = job.publish(args.year, out=out_dir)
    seconds = time.perf_counter() - started
    doc = json.loads((outcome.directory / f"catalogue-{args.year}.json").read_text())
    entries = [e for c in doc["chains"] for e in c["entries"]]
    ranked = [
        (e["segment"]["code"], e["occupation"]["code"])
        for e in sorted(entries, key=lambda e: (e["urgency"]["rank"], -e["indicators"]["score"]))
    ]
    with factory() as session:
        obs = read_observations(session)
    baseline = last_year_list(obs)
    truth = truth_by_segment(args.truth, args.year)
    n = len(ranked)
    report = {
        "year": args.year,
        "edition": f"{outcome.year} v{outcome.version}",
        "content_sha256": outcome.content_sha256,
        "unchanged": outcome.unchanged,
        "run_seconds": round(seconds, 1),
        "entries": n,
        "by_urgency": doc["summary"]["by_urgency"],
        "truly_short_segments": int(truth["short"].sum()),
        "segments": int(len(truth)),
        "baseline_size": len(baseline),
        "precision": {},
        "precision_by_urgency": {},
    }
    for k in sorted({25, 50, n}):
        for column in ("short", "short_share"):
            report["precision"][f"{column}@{k}"] = {
                "catalogue": round(precision(ranked, truth, k, column), 3),
                "last_year_list": round(precision(baseline, truth, k, column), 3),
            }
    for level in ("severe", "marked", "moderate"):
        keys = [
            (e["segment"]["code"], e["occupation"]["code"]) for e in entries if e["urgency"]["code"] == level
        ]
        report["precision_by_urgency"][level] = round(precision(keys, truth, len(keys), "short"), 3)
    print(f"catalogue {args.year}: {n} entries {doc['summary']['by_urgency']} in {seconds:.1f} s")
    print(
        f"truly short occupation×segments in {args.year}: {report['truly_short_segments']} of"
        f" {report['segments']}"
    )
    print(f"{'metric':<22}{'catalogue':>10}{'last year':>11}")
    for key, v in report["precision"].items():
        print(f"{key:<22}{v['catalogue']:>10.3f}{v['last_year_list']:>11.3f}")
    print("precision by urgency:", report["precision_by_urgency"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written {args.json}")


if __name__ == "__main__":
    main()
