"""Fit + 24-month predict time and peak memory of GlobalLGBMForecaster at 1k/10k/100k series × 120 months.

    .venv/bin/python bench/forecast_bench.py --sizes 1000 10000 --out var/bench/forecast.json

Each size runs in a fresh process so that its peak RSS (``ru_maxrss``) is its own. Prints a table and
writes JSON. Target (issue 4): 100k series in under 5 minutes on 2 cores, memory growing linearly.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def panel(n: int, months: int, seed: int = 0):
    """Vectorised trend × season × AR(1) noise panel, long format (10% of the series start late)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t = np.arange(months)
    level = np.exp(rng.uniform(np.log(20), np.log(2000), (n, 1)))
    slope = rng.uniform(-0.004, 0.012, (n, 1))
    amp, phase = rng.uniform(0.05, 0.3, (n, 1)), rng.uniform(0, 2 * np.pi, (n, 1))
    eps = np.zeros((n, months))
    shocks = rng.normal(0, 0.05, (n, months))
    for k in range(1, months):
        eps[:, k] = 0.5 * eps[:, k - 1] + shocks[:, k]
    y = level * np.exp(slope * t) * (1 + amp * np.sin(2 * np.pi * t / 12 + phase)) * np.exp(eps)
    late = rng.random(n) < 0.1
    starts = rng.integers(months - 30, months - 8, n)
    y[late[:, None] & (t[None, :] < starts[:, None])] = np.nan
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(np.char.add("s", np.arange(n).astype(str)), months),
            "ds": np.tile(pd.date_range("2015-01-01", periods=months, freq="MS"), n),
            "y": y.reshape(-1),
            # group columns for the store configuration's pooled momentum: ~20 series per occupation
            "occupation": np.repeat(np.char.add("o", (np.arange(n) % max(1, n // 20)).astype(str)), months),
            "industry": np.repeat(np.char.add("i", (np.arange(n) % 11).astype(str)), months),
            # and for its pools (segment × occupation, ~7 series each)
            "segment": np.repeat(np.char.add("s", (np.arange(n) % 3).astype(str)), months),
            # and for the occupation-share features (an occupation's share of its zone × segment cell)
            "zone": np.repeat(np.char.add("z", (np.arange(n) % 26).astype(str)), months),
        }
    )
    return df.dropna(subset=["y"]).reset_index(drop=True)


def one(n: int, months: int, horizon: int, config: str = "store") -> dict:
    sys.path.insert(0, str(ROOT))
    from models.forecasting.lgbm import GlobalLGBMForecaster
    from training.forecasting.backtest import store_lgbm_params

    df = panel(n, months)
    params = store_lgbm_params() if config == "store" else {}
    t0 = time.perf_counter()
    model = GlobalLGBMForecaster(horizon=horizon, **params).fit(df)
    t1 = time.perf_counter()
    fc = model.predict(horizon)
    t2 = time.perf_counter()
    assert len(fc) == n * horizon and not fc.isna().any().any()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "series": n,
        "months": months,
        "horizon": horizon,
        "rows": len(df),
        "fit_s": round(t1 - t0, 2),
        "predict_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "peak_rss_mib": round(peak, 1),
        "config": config,
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--horizon", type=int, default=24)
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "forecast.json")
    ap.add_argument(
        "--config",
        choices=("store", "default"),
        default="store",
        help="store: the parameters of store_lgbm_params() (what the service trains); default: bare",
    )
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.months, args.horizon, args.config)))
        return
    results = []
    print(
        f"{'series':>8} {'months':>6} {'fit s':>8} {'predict s':>10} {'total s':>8} {'peak MiB':>9}"
        f" {'load':>5}"
    )
    for n in args.sizes:
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(n),
            "--months",
            str(args.months),
            "--horizon",
            str(args.horizon),
            "--config",
            args.config,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{r['series']:>8} {r['months']:>6} {r['fit_s']:>8} {r['predict_s']:>10} {r['total_s']:>8} "
            f"{r['peak_rss_mib']:>9} {r['load_avg_1m_at_end']:>5}",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"cpu_count": os.cpu_count(), "python": sys.version.split()[0]}
    args.out.write_text(json.dumps({"machine": meta, "results": results}, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
