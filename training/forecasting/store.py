"""Reading the simulated store format (``observations.parquet``, import layout) as long forecasting frames.

A series is ``zone|segment|occupation``; the target is one count column (``postings`` by default, or
``job_seekers``). Hierarchy columns come from the reference taxonomy, not from the file: occupation →
segment → industry → cluster, and zone → city. Missing months stay missing (no row), never zero.

``truth/observations.parquet`` (the simulator's hidden future) is read by :func:`read_truth` for scoring
only; nothing here passes its latent columns to a model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.errors import InvalidInput
from models.forecasting.frames import DS, ID, Y

STORE_KEYS = ("zone_code", "segment_code", "occupation_code", "month")
TARGETS = ("postings", "job_seekers", "hires")
HIERARCHY = ("occupation", "segment", "industry", "cluster", "zone", "city")
CITY = "beijing"


def is_store_frame(df: pd.DataFrame) -> bool:
    """True when ``df`` has the store's key columns (as opposed to a ``unique_id, ds, y`` file)."""
    return all(c in df.columns for c in STORE_KEYS)


def series_id(df: pd.DataFrame) -> pd.Series:
    return df["zone_code"].astype(str) + "|" + df["segment_code"].astype(str) + "|" + df["occupation_code"]


def hierarchy_frame(keys: pd.DataFrame, reference_dir: Path | str) -> pd.DataFrame:
    """``unique_id`` plus the hierarchy columns for the distinct series in ``keys`` (store columns).

    Raises InvalidInput naming the first code the taxonomy does not know.
    """
    from models.taxonomy import Taxonomy

    tax = Taxonomy.load(reference_dir)
    k = keys[["zone_code", "segment_code", "occupation_code"]].drop_duplicates()
    for col, known in (
        ("zone_code", tax.zones),
        ("segment_code", tax.segments),
        ("occupation_code", tax.occupations),
    ):
        unknown = sorted(set(k[col]) - set(known))
        if unknown:
            raise InvalidInput(
                f"{col} {unknown[0]!r} is not in the reference taxonomy ({len(unknown)} unknown)", field=col
            )
    industry = k["segment_code"].map({c: s.industry_code for c, s in tax.segments.items()})
    cluster = industry.map({c: i.cluster_code for c, i in tax.industries.items()})
    return pd.DataFrame(
        {
            ID: series_id(k).to_numpy(),
            "occupation": k["occupation_code"].to_numpy(),
            "segment": k["segment_code"].to_numpy(),
            "industry": industry.to_numpy(),
            "cluster": cluster.to_numpy(),
            "zone": k["zone_code"].to_numpy(),
            "city": CITY,
        }
    )


def store_to_long(
    df: pd.DataFrame, reference_dir: Path | str, target: str = "postings", *, hierarchy: bool = True
) -> pd.DataFrame:
    """Long frame ``unique_id, ds, y`` (+ hierarchy columns) from store rows; rows with an empty target go."""
    if target not in df.columns:
        raise InvalidInput(
            f"target {target!r} is not a column of the observations; choose one of {list(TARGETS)}",
            field="target",
        )
    missing = [c for c in STORE_KEYS if c not in df.columns]
    if missing:
        raise InvalidInput(f"observations lack column(s) {missing}", field=missing[0])
    y = pd.to_numeric(df[target], errors="coerce").astype("float64")
    out = pd.DataFrame(
        {
            ID: series_id(df).to_numpy(),
            DS: pd.to_datetime(df["month"].astype(str) + "-01", format="%Y-%m-%d").to_numpy(),
            Y: y.to_numpy(),
        }
    )
    out = out[np.isfinite(out[Y])]
    if hierarchy:
        out = out.merge(hierarchy_frame(df, reference_dir), on=ID, how="left")
    return out.sort_values([ID, DS], kind="stable").reset_index(drop=True)


def read_store(path: Path | str, reference_dir: Path | str, target: str = "postings") -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="input")
    return store_to_long(pd.read_parquet(path), reference_dir, target)


def read_truth(path: Path | str, target: str = "postings") -> pd.DataFrame:
    """The hidden truth: ``unique_id, ds, y, postings, job_seekers, is_short, structural_shortage_index``."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="truth")
    cols = [*STORE_KEYS, target, "postings", "job_seekers", "is_short", "structural_shortage_index"]
    t = pd.read_parquet(path, columns=list(dict.fromkeys(cols)))
    return pd.DataFrame(
        {
            ID: series_id(t).to_numpy(),
            DS: pd.to_datetime(t["month"].astype(str) + "-01", format="%Y-%m-%d").to_numpy(),
            Y: t[target].astype("float64").to_numpy(),
            "postings": t["postings"].astype("float64").to_numpy(),
            "job_seekers": t["job_seekers"].astype("float64").to_numpy(),
            "is_short": t["is_short"].to_numpy(bool),
            "structural_shortage_index": t["structural_shortage_index"].to_numpy(np.float64),
        }
    )
