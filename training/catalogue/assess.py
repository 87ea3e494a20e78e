"""From the year's demand and supply forecasts to the figures the catalogue rules read, per segment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from models.catalogue.build import SegmentFigures
from models.catalogue.rules import Indicators, UrgencyRules
from models.forecasting.frames import DS, ID
from models.forecasting.shortage import ShortageRule, assess_shortage
from models.taxonomy import Taxonomy
from training.catalogue.forecast import gap_with_interval
from training.catalogue.inputs import History, recent_wage_range, recent_zone_gaps


def _f(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def segment_figures(
    history: History,
    demand_fc: pd.DataFrame,
    supply_fc: pd.DataFrame,
    taxonomy: Taxonomy,
    rules: UrgencyRules,
    *,
    seed: int,
) -> tuple[list[SegmentFigures], dict[tuple[str, str], dict]]:
    """Figures of every occupation × segment, and (chain, occupation) → its best indicators.

    The second value lets the diff say why an entry of last year is gone (its ratio and P(short) now).
    """
    shortage = assess_shortage(
        history.demand,
        demand_fc,
        history.supply,
        supply_fc,
        indicators=history.indicators,
        rule=ShortageRule(threshold=rules.entry_index),
        seed=seed,
    ).set_index(ID)
    gaps = gap_with_interval(demand_fc, supply_fc)
    wages = recent_wage_range(history.observations, history.end)
    zones = recent_zone_gaps(history.observations, history.end)
    months_forecast = int((pd.DatetimeIndex(demand_fc[DS].unique()) > history.end).sum())
    figures, best = [], {}
    for uid in sorted(shortage.index):
        segment, occupation = uid.split("|", 1)
        if segment not in taxonomy.segments or occupation not in taxonomy.occupations:
            continue
        s, g = shortage.loc[uid], gaps.loc[uid]
        chain = taxonomy.segments[segment].industry_code
        fill_growth = _f(s["fill_now"]) / _f(s["fill_before"]) - 1.0
        ind = Indicators(
            shortage_index=_f(s["shortage_index"]),
            p_short=_f(s["p_short"]),
            days_to_fill_growth=fill_growth if math.isfinite(fill_growth) else math.nan,
            wage_growth=_f(s["wage_growth"]),
            strategic_weight=taxonomy.industries[chain].strategic_weight,
        )
        w = wages.loc[uid] if uid in wages.index else None
        figures.append(
            SegmentFigures(
                segment_code=segment,
                occupation_code=occupation,
                postings=_f(g["postings"]),
                job_seekers=_f(g["job_seekers"]),
                gap=_f(g["gap"]),
                gap_lo80=_f(g["gap_lo80"]),
                gap_hi80=_f(g["gap_hi80"]),
                indicators=ind,
                wage_p25=_f(w["wage_p25"]) if w is not None else math.nan,
                wage_p75=_f(w["wage_p75"]) if w is not None else math.nan,
                zones=zones.get(uid, ()),
                forecast_reason_zh=str(s["reason_zh"]),
                forecast_reason_en=str(s["reason_en"]),
                months_forecast=months_forecast,
            )
        )
        key = (chain, occupation)
        prev = best.get(key)
        if prev is None or (np.nan_to_num(ind.p_short), np.nan_to_num(ind.shortage_index)) > (
            prev["p_short"],
            prev["shortage_index"],
        ):
            best[key] = {
                "shortage_index": round(float(np.nan_to_num(ind.shortage_index)), 3),
                "p_short": round(float(np.nan_to_num(ind.p_short)), 3),
            }
    return figures, best
