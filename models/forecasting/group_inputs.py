"""Inputs pooled over groups of series, computed once per panel when a model is fitted.

The global model's per-row features (``features.build_features``) read them as exogenous matrices
``(n series, T months)`` whose column ``o`` uses months ``<= o`` only: an occupation's or an industry's
momentum and cycle, an occupation's share of the zone × segment cells it appears in, and a series' pool
(the same segment × occupation in every zone). ``tests/models/forecasting/test_no_leakage.py`` pins that
none of them reads a month after the origin.
"""

from __future__ import annotations

import numpy as np

from models.forecasting.features import LOOKBACK, SCALE_WINDOW, rolling_mean

GROUP_WINDOWS = (3, 6, 12)


CYCLE_WINDOWS = (36,)  # months of the long mean a group's last quarter is compared with (``dev{w}``)
CYCLE_PREVIOUS = (6,)  # months back at which the group's 12-month growth is read (``yoy12_prev{k}``)


def group_feature_names(
    groups: tuple[str, ...],
    cycle: tuple[str, ...] = (),
    windows: tuple[int, ...] = CYCLE_WINDOWS,
    previous: tuple[int, ...] = CYCLE_PREVIOUS,
) -> tuple[str, ...]:
    """Names of the pooled momentum inputs of :func:`group_momentum` for each group column (``cycle``:
    the groups that also get :func:`group_cycle`'s inputs, with its ``windows`` and ``previous``)."""
    names = [f"{g}_yoy{w}" for g in groups for w in GROUP_WINDOWS]
    keys = [f"dev{w}" for w in windows] + [f"yoy12_prev{k}" for k in previous]
    return tuple(names + [f"{g}_{k}" for g in cycle for k in keys])


def group_cycle(
    values: np.ndarray,
    codes: np.ndarray,
    group: str,
    windows: tuple[int, ...] = CYCLE_WINDOWS,
    previous: tuple[int, ...] = CYCLE_PREVIOUS,
) -> dict[str, np.ndarray]:
    """Where the group stands in its swings, ``(n, T)`` each, column ``o`` reading columns ``<= o`` only.

    ``{group}_dev{w}``: log of the group's last-quarter mean over its w-month mean (a group far above its
    level tends to come back: persistent but mean-reverting occupation demand); ``{group}_yoy12_prev{k}``:
    the group's 12-month y/y growth as it stood k months before (with ``_yoy12`` it gives the turn of
    an industry cycle, or how long ago an occupation's hot or cold spell began). Computed at fit time on
    the whole history, so ``w`` may exceed the 36 months a fitted model keeps.
    """
    n, T = values.shape
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    out = {}
    now = rolling_mean(values, 3)
    for w in windows:
        long = rolling_mean(values, w)
        ok = np.isfinite(now) & np.isfinite(long)
        num, den = np.zeros((n_groups, T)), np.zeros((n_groups, T))
        np.add.at(num, codes, np.where(ok, now, 0.0))
        np.add.at(den, codes, np.where(ok, long, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.where((num > 0) & (den > 0), np.log(num / np.where(den > 0, den, 1.0)), np.nan)
        out[f"{group}_dev{w}"] = dev[codes]
    yoy = group_momentum(values, codes, group)[f"{group}_yoy12"]
    for k in previous:
        prev = np.full_like(yoy, np.nan)
        prev[:, k:] = yoy[:, :-k]
        out[f"{group}_yoy12_prev{k}"] = prev
    return out


SHARE_WINDOWS = (36, 60, 120)
SHARE_CHANGES = (3, 6, 12, 24)
SHARE_PREVIOUS = (6, 12, 18)


def share_feature_names(
    group: str,
    windows: tuple[int, ...] = SHARE_WINDOWS,
    changes: tuple[int, ...] = SHARE_CHANGES,
    previous: tuple[int, ...] = SHARE_PREVIOUS,
) -> tuple[str, ...]:
    """Names of :func:`group_share`'s inputs for ``group`` (empty: none)."""
    if not group:
        return ()
    return (
        *(f"{group}_share_dev{w}" for w in windows),
        *(f"{group}_share_chg{k}" for k in changes),
        *(f"{group}_share_chg12_prev{k}" for k in previous),
    )


def group_share(
    values: np.ndarray,
    codes: np.ndarray,
    context: np.ndarray,
    group: str,
    windows: tuple[int, ...] = SHARE_WINDOWS,
    changes: tuple[int, ...] = SHARE_CHANGES,
    previous: tuple[int, ...] = SHARE_PREVIOUS,
) -> dict[str, np.ndarray]:
    """The group's share of its contexts' postings and where it stands against its own long-run share.

    ``codes``: the group of each series (an occupation); ``context``: the cell each series is compared
    within (zone × segment: every occupation there). The share is Σ over the group's series of their
    w-month mean ÷ Σ of their cells' w-month totals. Everything the cell's occupations share — the
    industry's trend and cycle, the zone's growth, programmes, the calendar, festival and 2020 shock —
    cancels in the ratio and leaves the occupation's own drift and hot or cold spells, which is what
    decides a series twelve months ahead. ``{group}_share_dev{w}``: log of the last-quarter share over the
    w-month share (w may exceed the 36 months a fitted model keeps: computed at fit time);
    ``_chg{k}``: the log change of the last-quarter share over k months; ``_chg12_prev{k}``: the 12-month
    change as it stood k months before (how long ago a spell began). ``(n, T)`` each, column ``o``
    reading columns ``<= o`` only.
    """
    n, T = values.shape
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    n_cells = int(context.max()) + 1 if len(context) else 0

    def share(w: int) -> np.ndarray:
        m = rolling_mean(values, w)
        ok = np.isfinite(m)
        cell = np.zeros((n_cells, T))
        np.add.at(cell, context, np.where(ok, m, 0.0))
        num, den = np.zeros((n_groups, T)), np.zeros((n_groups, T))
        np.add.at(num, codes, np.where(ok, m, 0.0))
        np.add.at(den, codes, np.where(ok, cell[context], 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((num > 0) & (den > 0), np.log(num / np.where(den > 0, den, 1.0)), np.nan)

    def back(m: np.ndarray, k: int) -> np.ndarray:
        out = np.full_like(m, np.nan)
        out[:, k:] = m[:, :-k]
        return out

    now = share(3)
    out = {f"{group}_share_dev{w}": (now - share(w))[codes] for w in windows}
    for k in changes:
        out[f"{group}_share_chg{k}"] = (now - back(now, k))[codes]
    year = now - back(now, 12)
    for k in previous:
        out[f"{group}_share_chg12_prev{k}"] = back(year, k)[codes]
    return out


def group_momentum(values: np.ndarray, codes: np.ndarray, group: str) -> dict[str, np.ndarray]:
    """Year-on-year log growth of a group's summed w-month mean, broadcast to its series: ``(n, T)`` each.

    Column ``o`` reads columns ``<= o`` only (it is an input *not known at cut-off*, entering at the origin).
    Pooling over every series of the occupation (or industry) estimates the shared drift, episodes and
    trend far less noisily than one small series can; a series missing either month drops out of the
    ratio rather than counting as zero.
    """
    out = {}
    n, T = values.shape
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    for w in GROUP_WINDOWS:
        now = rolling_mean(values, w)
        before = np.full_like(now, np.nan)
        before[:, 12:] = now[:, :-12]
        ok = np.isfinite(now) & np.isfinite(before)
        num = np.zeros((n_groups, T))
        den = np.zeros((n_groups, T))
        np.add.at(num, codes, np.where(ok, now, 0.0))
        np.add.at(den, codes, np.where(ok, before, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where((num > 0) & (den > 0), np.log(num / np.where(den > 0, den, 1.0)), np.nan)
        out[f"{group}_yoy{w}"] = r[codes]
    return out


def pool_inputs(values: np.ndarray, codes: np.ndarray) -> dict[str, np.ndarray]:
    """The series' pool (e.g. the same segment × occupation in every zone): its share and the pool's total.

    ``pool_total[:, t]``: the pool's summed value in month t, a missing month of a member counted at that
    member's mean of the 12 (else 36) months before it; ``pool_share[:, o]``: the series' sum over its
    observed months among the 36 up to ``o`` ÷ the pool's total over the same months. Both ``(n, T)``,
    column ``o`` reading columns ``<= o`` only. Why: a series of 20 postings a month carries
    negative-binomial noise of ±25% in every month, while its pool (a dozen zones moved by the same
    industry, occupation and programme drivers) is several times less noisy; share × pool level is a
    better level, and the pool's same month last year a better seasonal shape, than the series' own.
    """
    ok = np.isfinite(values)
    before = np.full(values.shape, np.nan)
    a = np.abs(values)
    before[:, 1:] = np.where(
        np.isfinite(rolling_mean(a, SCALE_WINDOW)),
        rolling_mean(a, SCALE_WINDOW),
        rolling_mean(a, LOOKBACK),
    )[:, :-1]
    filled = np.where(ok, values, np.nan_to_num(before, nan=0.0))
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    total = np.zeros((n_groups, values.shape[1]))
    np.add.at(total, codes, filled)
    total = total[codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        own = rolling_mean(values, LOOKBACK)
        pool = rolling_mean(np.where(ok, total, np.nan), LOOKBACK)  # same months, same count
        share = np.where(pool > 0, own / np.where(pool > 0, pool, 1.0), np.nan)
    return {"pool_share": share, "pool_total": total}
