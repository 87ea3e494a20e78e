"""What the catalogue job reads from the store: the history per occupation × segment, and the pool.

Series of the catalogue are occupation × chain segment, summed over zones (``unique_id`` =
``"<segment>|<occupation>"``). A month in which no zone of a series reported is missing, not zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import InvalidInput
from models.forecasting.frames import DS, ID
from models.storage import orm
from models.storage.observations import read_observations

POOL_SCOPE = "pool:catalogue"
KEYS = ["segment_code", "occupation_code"]


@dataclass(frozen=True)
class History:
    """The store's history, reduced to what the catalogue needs."""

    observations: pd.DataFrame  # zone-level rows, as read_observations returns them
    demand: pd.DataFrame  # unique_id, ds, y (postings summed over zones)
    supply: pd.DataFrame  # unique_id, ds, y (job seekers summed over zones)
    indicators: pd.DataFrame  # unique_id, ds, days_to_fill, wage (postings-weighted over zones)
    start: pd.Timestamp
    end: pd.Timestamp


def series_id(segment: pd.Series, occupation: pd.Series) -> pd.Series:
    return segment.astype(str) + "|" + occupation.astype(str)


def read_history(session: Session) -> History:
    """Read every observation and aggregate it per occupation × segment and month."""
    obs = read_observations(session)
    if obs.empty:
        raise InvalidInput(
            "the store holds no observations: import or simulate data first", field="observation"
        )
    obs = obs.sort_values(["segment_code", "occupation_code", "zone_code", "month"], kind="stable")
    g = obs.groupby([*KEYS, "month"], sort=True)
    counts = g[["postings", "job_seekers"]].sum(min_count=1)
    w = obs["postings"].where(obs["postings"] > 0)
    weighted = (
        obs.assign(
            _w=w,
            _wage=obs["median_wage_cny"] * w,
            _fill=obs["mean_days_to_fill"] * w,
            _ww=w.where(obs["median_wage_cny"].notna()),
            _wf=w.where(obs["mean_days_to_fill"].notna()),
        )
        .groupby([*KEYS, "month"], sort=True)[["_wage", "_fill", "_ww", "_wf"]]
        .sum(min_count=1)
    )
    agg = counts.join(weighted).reset_index()
    agg[ID] = series_id(agg["segment_code"], agg["occupation_code"])
    agg[DS] = agg["month"]
    demand = agg[[ID, DS, "postings"]].rename(columns={"postings": "y"}).dropna()
    supply = agg[[ID, DS, "job_seekers"]].rename(columns={"job_seekers": "y"}).dropna()
    indicators = pd.DataFrame(
        {
            ID: agg[ID],
            DS: agg[DS],
            "wage": agg["_wage"] / agg["_ww"],
            "days_to_fill": agg["_fill"] / agg["_wf"],
        }
    )
    both = set(demand[ID]) & set(supply[ID])
    demand, supply = demand[demand[ID].isin(both)], supply[supply[ID].isin(both)]
    return History(
        observations=obs,
        demand=demand.reset_index(drop=True),
        supply=supply.reset_index(drop=True),
        indicators=indicators[indicators[ID].isin(both)].reset_index(drop=True),
        start=obs["month"].min(),
        end=obs["month"].max(),
    )


def recent_zone_gaps(
    obs: pd.DataFrame, end: pd.Timestamp, top: int = 3
) -> dict[str, tuple[tuple[str, float], ...]]:
    """Per series, the ``top`` zones where postings exceeded job seekers most over the last 12 months."""
    last = obs[obs["month"] > end - pd.DateOffset(months=12)]
    z = last.groupby([*KEYS, "zone_code"], sort=True)[["postings", "job_seekers"]].sum(min_count=1)
    z["gap"] = z["postings"] - z["job_seekers"]
    z = z[z["gap"] > 0].reset_index()
    z[ID] = series_id(z["segment_code"], z["occupation_code"])
    z = z.sort_values([ID, "gap", "zone_code"], ascending=[True, False, True], kind="stable")
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    for uid, rows in z.groupby(ID, sort=True):
        out[uid] = tuple(
            (str(c), float(g)) for c, g in zip(rows["zone_code"][:top], rows["gap"][:top], strict=True)
        )
    return out


def recent_wage_range(obs: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Per series, the 25th and 75th percentiles of monthly median wages over zones, last 12 months."""
    last = obs[(obs["month"] > end - pd.DateOffset(months=12)) & obs["median_wage_cny"].notna()]
    q = last.groupby(KEYS, sort=True)["median_wage_cny"].quantile([0.25, 0.75]).unstack()
    q.columns = ["wage_p25", "wage_p75"]
    q = q.reset_index()
    q[ID] = series_id(q["segment_code"], q["occupation_code"])
    return q.set_index(ID)[["wage_p25", "wage_p75"]]


def growth_indicators(indicators: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Days-to-fill and wage growth: mean of the last 12 observed months vs the 12 before, per series."""
    m = indicators.copy()
    now = m[m[DS] > end - pd.DateOffset(months=12)].groupby(ID)[["wage", "days_to_fill"]].mean()
    before = m[(m[DS] <= end - pd.DateOffset(months=12)) & (m[DS] > end - pd.DateOffset(months=24))]
    before = before.groupby(ID)[["wage", "days_to_fill"]].mean()
    out = (now / before.reindex(now.index) - 1.0).rename(
        columns={"wage": "wage_growth", "days_to_fill": "days_to_fill_growth"}
    )
    return out.replace([np.inf, -np.inf], np.nan)


def pool_counts(session: Session) -> dict[str, int]:
    """Consenting candidates (scope ``pool:catalogue``) per occupation code."""
    p, c = orm.TalentProfile, orm.ConsentScope
    q = (
        select(p.occupation_code, func.count(func.distinct(p.id)))
        .join(c, c.profile_id == p.id)
        .where(c.scope == POOL_SCOPE, p.occupation_code.is_not(None))
        .group_by(p.occupation_code)
    )
    return {code: int(n) for code, n in session.execute(q)}
