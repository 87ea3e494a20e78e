"""Shortage derived from demand (postings) and supply (job seekers) forecasts, with reasons in zh and en.

The rule (documented once, here, and in ``ShortageRule``):

* shortage index 求人倍率 = postings ÷ job seekers over the forecast horizon (job seekers floored at 1);
* three sub-scores in [0, 1]: the index, ``(R − 1) / (ratio_full − 1)``; days-to-fill growth y/y,
  ``Δ / fill_growth_full``; wage growth y/y, ``g / wage_growth_full`` (each clipped to [0, 1]);
* shortage score = weighted mean of the available sub-scores (weights 0.6 / 0.25 / 0.15, renormalised
  when an indicator is missing);
* P(short) = P(mean index over the horizon > ``threshold``), simulated from the predictive distributions
  (Normal with σ from the 80/95% intervals, truncated at 0; one shock per series shared across its months,
  because multi-step errors are strongly autocorrelated; demand and supply independent);
* an occupation is flagged when P(short) ≥ ``flag_probability``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.errors import InvalidInput
from models.forecasting.frames import DS, ID, month_index

FLAT = 0.03  # |relative change| below which a series reads as "flat"


def shortage_index(postings, job_seekers):  # 求人倍率
    """Postings ÷ job seekers, with job seekers floored at 1 (a vacancy with nobody looking is extreme)."""
    return np.asarray(postings, dtype=np.float64) / np.maximum(np.asarray(job_seekers, dtype=np.float64), 1.0)


@dataclass(frozen=True)
class ShortageRule:
    threshold: float = 1.5
    ratio_full: float = 2.5
    fill_growth_full: float = 0.5
    wage_growth_full: float = 0.10
    weights: tuple[float, float, float] = (0.6, 0.25, 0.15)  # index, days-to-fill, wage
    flag_probability: float = 0.5


def _sigma(fc: pd.DataFrame) -> np.ndarray:
    """σ of a Normal read off the interval half-widths; off the upper bound where the lower one is
    clipped at zero. (An aggregate's interval is not centred on its point — ``reconcile.sum_skew`` —
    so ``hi − mean`` would overstate its spread.)"""
    m = fc["mean"].to_numpy()

    def half(lv: int) -> np.ndarray:
        lo, hi = fc[f"lo{lv}"].to_numpy(), fc[f"hi{lv}"].to_numpy()
        return np.where(lo > 0, (hi - lo) / 2, hi - m)

    s80, s95 = half(80) / 1.2815515655446004, half(95) / 1.959963984540054
    return np.maximum(np.maximum(s80, s95), 0.0)


def _wide(fc: pd.DataFrame, ids: np.ndarray, months: np.ndarray, col) -> np.ndarray:
    f = fc.set_index([ID, DS])
    idx = pd.MultiIndex.from_product([ids, months], names=[ID, DS])
    v = col(f.reindex(idx)) if callable(col) else f.reindex(idx)[col].to_numpy()
    return np.asarray(v, dtype=np.float64).reshape(len(ids), len(months))


def shortage_probability(
    demand_fc: pd.DataFrame,
    supply_fc: pd.DataFrame,
    threshold: float = 1.5,
    *,
    n_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """``unique_id, shortage_index, p_short`` over the common horizon of two forecast frames."""
    ids = np.asarray(sorted(set(demand_fc[ID]) & set(supply_fc[ID])), dtype=object)
    if len(ids) == 0:
        raise InvalidInput("demand and supply forecasts share no unique_id", field=ID)
    months = np.sort(demand_fc[DS].unique())
    dm, ds_ = _wide(demand_fc, ids, months, "mean"), _wide(demand_fc, ids, months, _sigma)
    sm, ss = _wide(supply_fc, ids, months, "mean"), _wide(supply_fc, ids, months, _sigma)
    if not (np.isfinite(dm).all() and np.isfinite(sm).all()):
        raise InvalidInput(
            "demand and supply forecasts must cover the same months for every series", field=DS
        )
    rng = np.random.default_rng(seed)
    p = np.empty(len(ids))
    for a in range(0, len(ids), 256):  # chunks keep memory at 256 × months × draws
        b = slice(a, a + 256)
        zd = rng.standard_normal((n_draws, dm[b].shape[0], 1))
        zs = rng.standard_normal((n_draws, sm[b].shape[0], 1))
        d = np.maximum(dm[b] + zd * ds_[b], 0.0)
        s = np.maximum(sm[b] + zs * ss[b], 0.0)
        p[b] = (shortage_index(d, s).mean(axis=2) > threshold).mean(axis=0)
    index = shortage_index(dm.mean(axis=1), sm.mean(axis=1))
    return pd.DataFrame({ID: ids, "shortage_index": index, "p_short": p})


def _yoy(history: pd.DataFrame, fc: pd.DataFrame, col: str = "y") -> pd.Series:
    """Relative change of the forecast mean over its first ≤12 months vs the same months a year before."""
    f = fc[[ID, DS, "mean"]].copy()
    f["m"] = month_index(f[DS])
    f = f[f["m"] < f["m"].min() + 12]
    h = history[[ID, DS, col]].copy()
    h["m"] = month_index(h[DS]) + 12
    j = f.merge(h[[ID, "m", col]], on=[ID, "m"], how="inner")
    g = j.groupby(ID)[["mean", col]].sum()
    return (g["mean"] / g[col].where(g[col] > 0) - 1.0).rename("yoy")


def _indicators(indicators: pd.DataFrame | None, ids: np.ndarray) -> pd.DataFrame:
    """Days-to-fill (mean of last 12 months vs the 12 before) and wage growth y/y from history."""
    out = pd.DataFrame(index=pd.Index(ids, name=ID))
    if indicators is None:
        return out.assign(fill_before=np.nan, fill_now=np.nan, wage_growth=np.nan)
    ind = indicators.copy()
    ind["m"] = month_index(pd.to_datetime(ind[DS]))
    last = ind["m"].max()
    now, before = ind[ind["m"] > last - 12], ind[(ind["m"] <= last - 12) & (ind["m"] > last - 24)]
    for name, frame in (("now", now), ("before", before)):
        g = frame.groupby(ID)
        if "days_to_fill" in ind:
            out[f"fill_{name}"] = g["days_to_fill"].mean()
        if "wage" in ind:
            out[f"wage_{name}"] = g["wage"].mean()
    out["wage_growth"] = out["wage_now"] / out["wage_before"] - 1.0 if "wage_now" in out else np.nan
    for c in ("fill_before", "fill_now"):
        if c not in out:
            out[c] = np.nan
    return out[["fill_before", "fill_now", "wage_growth"]]


def assess_shortage(
    demand_history: pd.DataFrame,
    demand_fc: pd.DataFrame,
    supply_history: pd.DataFrame,
    supply_fc: pd.DataFrame,
    *,
    indicators: pd.DataFrame | None = None,
    rule: ShortageRule | None = None,
    labels: dict[str, tuple[str, str]] | None = None,
    notes: dict[str, list[tuple[str, str]]] | None = None,
    n_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per series: index, P(short), score, flag, the indicator breakdown and reasons (en, zh).

    ``indicators``: optional history ``unique_id, ds, days_to_fill, wage``. ``labels``: optional
    ``{unique_id: (en name, zh name)}`` used in the sentences. ``notes``: optional known drivers per
    series, ``{unique_id: [(en, zh), …]}`` (a policy programme phasing in), added to its reasons. Sorted by
    P(short), then score.
    """
    rule = rule or ShortageRule()
    out = shortage_probability(demand_fc, supply_fc, rule.threshold, n_draws=n_draws, seed=seed)
    out = out.set_index(ID)
    out["postings_yoy"] = _yoy(demand_history, demand_fc)
    out["job_seekers_yoy"] = _yoy(supply_history, supply_fc)
    out = out.join(_indicators(indicators, out.index.to_numpy()))
    fill_growth = out["fill_now"] / out["fill_before"] - 1.0
    subs = np.column_stack(
        [
            np.clip((out["shortage_index"] - 1.0) / (rule.ratio_full - 1.0), 0, 1),
            np.clip(fill_growth / rule.fill_growth_full, 0, 1),
            np.clip(out["wage_growth"] / rule.wage_growth_full, 0, 1),
        ]
    )
    w = np.where(np.isfinite(subs), np.asarray(rule.weights)[None, :], 0.0)
    out["score"] = np.nansum(np.nan_to_num(subs) * w, axis=1) / w.sum(axis=1)
    out["s_index"], out["s_days_to_fill"], out["s_wage"] = subs.T
    out["flagged"] = out["p_short"] >= rule.flag_probability
    reasons = [_reasons(r, (labels or {}).get(uid), (notes or {}).get(uid, ())) for uid, r in out.iterrows()]
    out["reason_en"] = [r[0] for r in reasons]
    out["reason_zh"] = [r[1] for r in reasons]
    out = out.reset_index().sort_values(["p_short", "score"], ascending=False, kind="stable")
    return out.reset_index(drop=True)


def _pct(x: float) -> str:
    return f"{x * 100:+.0f}%"


def _reasons(r: pd.Series, label: tuple[str, str] | None, notes=()) -> tuple[str, str]:
    """Drivers as sentences: demand and supply (larger change first), the two strongest indicators, then
    the known drivers in ``notes``."""
    sides: list[tuple[float, str, str]] = []
    for col, en, zh in (
        ("postings_yoy", "postings", "岗位需求"),
        ("job_seekers_yoy", "job seekers", "求职人数"),
    ):
        v = r[col]
        if not np.isfinite(v):
            continue
        if abs(v) < FLAT:
            sides.append((abs(v), f"{en} flat", f"{zh}基本持平"))
        else:
            zh_dir = "增长" if v > 0 else "下降"
            sides.append((abs(v), f"{en} {_pct(v)} y/y", f"{zh}同比{zh_dir}{abs(v) * 100:.0f}%"))
    drivers: list[tuple[float, str, str]] = []
    fb, fn = r["fill_before"], r["fill_now"]
    if np.isfinite(fb) and np.isfinite(fn):
        zh = f"平均招聘周期由{fb:.0f}天{'增至' if fn >= fb else '降至'}{fn:.0f}天"
        drivers.append((abs(fn / fb - 1), f"days-to-fill {fb:.0f} → {fn:.0f}", zh))
    g = r["wage_growth"]
    if np.isfinite(g):
        drivers.append(
            (abs(g), f"wages {_pct(g)} y/y", f"薪酬同比{'上涨' if g >= 0 else '下降'}{abs(g) * 100:.0f}%")
        )
    # Both sides of the index always (a flat side is information), then the two strongest indicators.
    sides.sort(key=lambda d: d[0], reverse=True)
    drivers.sort(key=lambda d: d[0], reverse=True)
    chosen = sides + drivers[:2]
    idx, p = r["shortage_index"], r["p_short"]
    en = "; ".join(d[1] for d in chosen) + (f" in {label[0]}" if label else "")
    zh = "；".join(d[2] for d in chosen) + (f"（{label[1]}）" if label else "")
    en = "; ".join([en, *(n[0] for n in notes), f"shortage index {idx:.2f}, P(short) {p:.0%}"]).lstrip("; ")
    zh = "；".join([zh, *(n[1] for n in notes), f"求人倍率{idx:.2f}，短缺概率{p * 100:.0f}%"]).lstrip("；")
    return en, zh
