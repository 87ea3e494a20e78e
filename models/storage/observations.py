"""Reading the labour-market history back as a long frame for forecasting and indicators."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage import orm

MEASURES = ("postings", "job_seekers", "hires", "median_wage_cny", "mean_days_to_fill")


def read_observations(
    session: Session, *, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """One row per zone × segment × occupation × month with its hierarchy (industry, cluster, district).

    Months never observed are absent; measures not observed in a month are NaN, never zero.
    """
    o, s, i, z = orm.Observation, orm.ChainSegment, orm.Industry, orm.Zone
    query = (
        select(
            o.zone_code,
            z.district_code,
            o.segment_code,
            s.industry_code,
            i.cluster_code,
            o.occupation_code,
            o.month,
            *(getattr(o, m) for m in MEASURES),
        )
        .join(s, s.code == o.segment_code)
        .join(i, i.code == s.industry_code)
        .join(z, z.code == o.zone_code)
        .order_by(o.zone_code, o.segment_code, o.occupation_code, o.month)
    )
    if start:
        query = query.where(o.month >= start)
    if end:
        query = query.where(o.month <= end)
    frame = pd.read_sql(query, session.connection())
    frame["month"] = pd.to_datetime(frame["month"])
    for measure in MEASURES:
        frame[measure] = frame[measure].astype("float64")
    return frame
