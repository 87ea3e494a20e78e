"""One LightGBM model over all series: ``GlobalLGBMForecaster``.

Strategy — direct multi-horizon with the horizon as a feature (one booster, rows ``(series, origin, h)``):

* no recursion, so errors do not compound and no forecast is ever fed back as a lag;
* exogenous inputs not known at the cut-off only ever enter at their value at the origin, so neither
  fitting nor backtesting needs their future values (PITFALLS, mlforecast #465/#468/#705);
* ``pred_contrib`` explains a forecast in terms of observed data, not of earlier predictions;
* conformal residuals come naturally per horizon.

Rows are sampled (``max_train_rows``) when the full grid series × origins × horizons is larger, which
keeps fitting linear in the number of series. ``n_boosters > 1`` trains that many boosters of the same
design, each on its own row sample and seed, and averages them into one booster (``bagging``): still one
LightGBM model, with one ``model.txt``.

Target transform: y at ``o + h`` is divided by the series' mean |y| over the 12 months up to the origin
``o`` (see ``features.origin_scale``), so one model fits series of very different sizes; forecasts and
interval half-widths are multiplied back by the same scale.

Intervals: split conformal. ``fit`` first trains a calibration booster on targets up to ``T - K``
(``K = calibration_months``, default ``2·horizon``), forecasts the held-out ``K`` months from every origin
in that window, and pools the scaled absolute residuals per horizon; then trains the final booster on
everything. The calibration forecasts are kept in ``calibration_`` for the hierarchy's aggregate levels.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from models.errors import InvalidInput
from models.forecasting.bagging import average_boosters
from models.forecasting.base import Forecaster
from models.forecasting.conformal import horizon_quantiles
from models.forecasting.features import LOOKBACK, FeatureSpec, build_features, origin_scale
from models.forecasting.frames import (
    DS,
    ID,
    LEVELS,
    Panel,
    check_horizon,
    forecast_frame,
    month_index,
    month_start,
    numeric_panel,
    series_codes,
    to_panel,
    validate_long,
)
from models.forecasting.group_inputs import (
    group_cycle,
    group_feature_names,
    group_momentum,
    group_share,
    pool_inputs,
    share_feature_names,
)
from models.forecasting.programmes import COVER_COLUMNS, ProgrammeInputs, check_programme
from models.forecasting.rows import calibration_rows, mase_weights, training_rows

MIN_TRAIN_MONTHS = 24
WEIGHTINGS = ("none", "mase")


class GlobalLGBMForecaster(Forecaster):
    """Global LightGBM forecaster over long monthly frames (``unique_id, ds, y`` + exogenous columns).

    ``known_exog``: columns whose future values are known at the cut-off (planned industry growth) —
    ``predict`` needs them in ``X_future``. ``unknown_exog``: columns only observed up to
    the cut-off; they enter at their origin value. ``programmes``: the announced policy programmes
    (``models.forecasting.programmes``); their phase-in as announced at each origin, at the target month
    and its change since the origin, is computed from the calendar, so ``predict`` needs no ``X_future``
    for it; the frame needs ``industry`` and ``segment`` columns. ``static_features``: per-series
    categorical columns (e.g. hierarchy levels). ``nonnegative='auto'`` clips forecasts at 0 when the
    training data has no negative value (counts of postings and job seekers).
    """

    name = "lgbm_global"

    def __init__(
        self,
        horizon: int = 12,
        lags: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 9, 12),
        windows: tuple[int, ...] = (3, 6, 12),
        known_exog: tuple[str, ...] = (),
        unknown_exog: tuple[str, ...] = (),
        static_features: tuple[str, ...] = (),
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_data_in_leaf: int = 20,
        max_train_rows: int = 400_000,
        calibration_months: int | None = None,
        max_calibration_rows: int = 500_000,
        nonnegative: str | bool = "auto",
        num_threads: int = 0,
        seed: int = 0,
        base_margin: bool = False,
        objective: str = "l2",
        group_features: tuple[str, ...] = (),
        train_months: int | None = None,
        weighting: str = "none",
        disruption_months: tuple[str, ...] = (),
        disruption_handling: str = "calibration",
        calibration_windows: int = 1,
        bagging_fraction: float = 1.0,
        max_bin: int = 255,
        pool_by: tuple[str, ...] = (),
        group_cycle: tuple[str, ...] = (),
        n_boosters: int = 1,
        calibration_boosters: int = 1,
        cycle_windows: tuple[int, ...] = (36,),
        cycle_previous: tuple[int, ...] = (6,),
        share_group: str = "",
        share_context: tuple[str, ...] = ("zone", "segment"),
        share_windows: tuple[int, ...] = (36, 60, 120),
        share_changes: tuple[int, ...] = (3, 6, 12, 24),
        share_previous: tuple[int, ...] = (6, 12, 18),
        share_levels: bool = False,
        programmes: tuple[dict, ...] = (),
    ):
        self.horizon = horizon
        self.lags = lags
        self.windows = windows
        self.known_exog = known_exog
        self.unknown_exog = unknown_exog
        self.static_features = static_features
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.max_train_rows = max_train_rows
        self.calibration_months = calibration_months
        self.max_calibration_rows = max_calibration_rows
        self.nonnegative = nonnegative
        self.num_threads = num_threads
        self.seed = seed
        self.base_margin = base_margin
        self.objective = objective
        self.group_features = group_features
        self.train_months = train_months
        self.weighting = weighting
        self.disruption_months = disruption_months
        self.disruption_handling = disruption_handling
        self.calibration_windows = calibration_windows
        self.bagging_fraction = bagging_fraction
        self.max_bin = max_bin
        self.pool_by = pool_by
        self.group_cycle = group_cycle
        self.n_boosters = n_boosters
        self.calibration_boosters = calibration_boosters
        self.cycle_windows = cycle_windows
        self.cycle_previous = cycle_previous
        self.share_group = share_group
        self.share_context = share_context
        self.share_windows = share_windows
        self.share_changes = share_changes
        self.share_previous = share_previous
        self.share_levels = share_levels
        self.programmes = programmes

    # -- parameters ------------------------------------------------------------------------------
    def _spec(self) -> FeatureSpec:
        H = check_horizon(self.horizon)
        lags = tuple(int(k) for k in self.lags)
        windows = tuple(int(w) for w in self.windows)
        if any(k < 1 or k > LOOKBACK for k in lags) or any(w < 1 or w > LOOKBACK for w in windows):
            raise InvalidInput(f"lags and windows must lie in 1..{LOOKBACK}", field="lags")
        if H > LOOKBACK:
            raise InvalidInput(f"horizon {H} is above the supported maximum {LOOKBACK}", field="horizon")
        if self.nonnegative not in ("auto", True, False):
            raise InvalidInput("nonnegative must be 'auto', True or False", field="nonnegative")
        if self.disruption_handling not in ("calibration", "drop"):
            raise InvalidInput(
                "disruption_handling must be 'calibration' or 'drop'", field="disruption_handling"
            )
        if any(int(w) < 4 for w in self.cycle_windows) or any(int(k) < 1 for k in self.cycle_previous):
            raise InvalidInput(
                "cycle_windows must be at least 4 months and cycle_previous at least 1", field="cycle_windows"
            )
        if int(self.n_boosters) < 1 or int(self.calibration_boosters) < 1:
            raise InvalidInput("n_boosters and calibration_boosters must be at least 1", field="n_boosters")
        if self.weighting not in WEIGHTINGS:
            raise InvalidInput(f"weighting must be one of {list(WEIGHTINGS)}", field="weighting")
        return FeatureSpec(
            lags=lags,
            windows=windows,
            known_exog=tuple(self.known_exog),
            programmes=bool(self.programmes),
            unknown_exog=(
                *self.unknown_exog,
                *group_feature_names(
                    tuple(self.group_features),
                    tuple(self.group_cycle),
                    tuple(int(w) for w in self.cycle_windows),
                    tuple(int(k) for k in self.cycle_previous),
                ),
                *share_feature_names(str(self.share_group), *self._share_months()),
            ),
            static=tuple(self.static_features),
            disruptions=self._disruptions() if self.disruption_handling == "drop" else (),
            pooled=bool(self.pool_by),
            share_levels=(
                tuple(f"{self.share_group}_share_dev{w}" for w in self._share_months()[0])
                if self.share_levels and self.share_group and self.pool_by
                else ()
            ),
        )

    def _share_months(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        months = tuple(
            tuple(int(k) for k in ks) for ks in (self.share_windows, self.share_changes, self.share_previous)
        )
        if any(k < 1 for ks in months for k in ks) or any(w < 4 for w in months[0]):
            raise InvalidInput(
                "share_windows must be at least 4 months, share_changes and share_previous at least 1",
                field="share_windows",
            )
        return months

    def _disruptions(self) -> tuple[int, ...]:
        try:
            months = pd.to_datetime([f"{m}-01" if len(str(m)) == 7 else m for m in self.disruption_months])
        except (ValueError, TypeError) as exc:
            raise InvalidInput(
                f"disruption_months must be YYYY-MM strings: {exc}", field="disruption_months"
            ) from exc
        return tuple(sorted(int(m) for m in month_index(months))) if len(months) else ()

    def _margin(self, X: np.ndarray, spec: FeatureSpec) -> np.ndarray:
        """Starting point the trees correct (LightGBM ``init_score``), in scaled units.

        Last year's same month carried by the 12-month growth, else last year's same month, else the last
        value, else the series' recent level (1 on the scaled axis). Trees add and split but cannot
        multiply; starting from a seasonal-with-drift guess leaves them the residual structure to learn.
        """
        if not self.base_margin:
            return np.zeros(len(X))
        col = {n: k for k, n in enumerate(spec.names)}
        out = np.ones(len(X))
        for name in ("lag1", "same_month_y1", "same_month_y1_x_growth"):
            if name in col:
                v = X[:, col[name]].astype(np.float64)
                out = np.where(np.isfinite(v), v, out)
        return out

    def _threads(self, n_rows: int) -> int:
        """``num_threads=0`` means auto: one thread below 2M rows. Measured on the 2-core machine while other
        jobs ran: 400k rows took 25 s on one thread, 60 s on two (OpenMP spin-waits collapse under load)."""
        if self.num_threads:
            return int(self.num_threads)
        return 1 if n_rows < 2_000_000 else (os.cpu_count() or 1)

    def _lgb_params(self, n_rows: int, member: int = 0) -> dict:
        return {
            "objective": self.objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": 0.9,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1 if self.bagging_fraction < 1 else 0,
            "num_threads": self._threads(n_rows),
            "seed": self.seed + member,
            "deterministic": True,
            "force_col_wise": True,
            "verbose": -1,
        }

    # -- fit -------------------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame) -> GlobalLGBMForecaster:
        """Fit on a long frame; raises InvalidInput for malformed or too-short data."""
        spec = self._spec()
        H = self.horizon
        exog_cols = (*self.known_exog, *self.unknown_exog)
        groups = tuple(dict.fromkeys((*self.group_features, *self.group_cycle)))
        pool_by = tuple(self.pool_by)
        share = (self.share_group, *self.share_context) if self.share_group else ()
        cover = COVER_COLUMNS if self.programmes else ()
        df = validate_long(df, required=(*exog_cols, *spec.static, *groups, *pool_by, *share, *cover))
        panel = to_panel(df)
        T = panel.values.shape[1]
        K = self._calibration_size(T)
        exog = {c: numeric_panel(df, c, panel.ids) for c in exog_cols}
        if self.programmes:
            first = df.groupby(ID)[list(cover)].first().astype(str).reindex(panel.ids)
            self.programme_cover_ = {c: first[c].to_numpy() for c in cover}
            self._lay_programmes()
        for g in groups:
            first = df.groupby(ID)[g].first().astype(str).reindex(panel.ids)
            codes = pd.Index(sorted(first.unique())).get_indexer(first)
            if g in self.group_features:
                exog.update(group_momentum(panel.values, codes, g))
            if g in self.group_cycle:
                exog.update(
                    group_cycle(
                        panel.values,
                        codes,
                        g,
                        tuple(int(w) for w in self.cycle_windows),
                        tuple(int(k) for k in self.cycle_previous),
                    )
                )
        if pool_by:
            exog.update(pool_inputs(panel.values, series_codes(df, pool_by, panel.ids)))
        if share:
            codes = series_codes(df, (self.share_group,), panel.ids)
            cells = series_codes(df, tuple(self.share_context), panel.ids)
            exog.update(group_share(panel.values, codes, cells, str(self.share_group), *self._share_months()))
        self.static_categories_ = {c: sorted(map(str, df[c].astype(str).unique())) for c in spec.static}
        statics = self._static_codes(df, panel.ids)
        absy = np.abs(panel.values)
        fb = np.nanmean(absy, axis=1)
        self.fallback_scale_ = np.where((fb > 0) & np.isfinite(fb), fb, 1.0)
        scale = origin_scale(panel.values, self.fallback_scale_)
        rng = np.random.default_rng(self.seed)
        ctx = (spec, panel, scale, exog, statics)

        # W calibration boosters, each trained up to the start of its own slice of the last K months and
        # forecasting from the origins of that slice only: a booster is never staler than K/W months when
        # it forecasts, as the final one is never stale — aggregate errors (shared drift) depend on it.
        W = max(1, min(int(self.calibration_windows), K // max(1, H // 2)))
        bounds = np.linspace(T - 1 - K, T - 1, W + 1).round().astype(np.int64)
        parts = []
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            booster = self._train(ctx, max_t=int(a), rng=rng, n_boosters=self.calibration_boosters)
            parts.append(self._calibrate(booster, ctx, int(a), until=int(b), share=1.0 / W))
        self.calibration_ = pd.concat(parts, ignore_index=True)
        scores = (self.calibration_["y"] - self.calibration_["yhat"]).abs() / self.calibration_["scale"]
        self.quantiles_ = horizon_quantiles(scores.to_numpy(), self.calibration_["h"].to_numpy(), H)

        self.booster_ = self._train(ctx, max_t=T - 1, rng=rng, n_boosters=self.n_boosters)
        self.spec_ = spec
        self.feature_names_ = list(spec.names)
        self.clip_nonnegative_ = bool(
            self.nonnegative is True or (self.nonnegative == "auto" and np.nanmin(panel.values) >= 0)
        )
        keep = slice(max(T - LOOKBACK, 0), T)
        self.history_ = Panel(ids=panel.ids, start=panel.start + keep.start, values=panel.values[:, keep])
        self.history_exog_ = {c: m[:, keep] for c, m in exog.items()}
        self.static_codes_ = statics
        self.data_window_ = (month_start(panel.start)[0], month_start(panel.end)[0])
        return self

    def _calibration_size(self, T: int) -> int:
        H = self.horizon
        K = int(self.calibration_months or max(2 * H, 12))
        K = min(K, T - MIN_TRAIN_MONTHS)
        if K < H:
            need = H + MIN_TRAIN_MONTHS
            raise InvalidInput(
                f"series too short: horizon {H} needs at least {need} months of history on the shared "
                f"calendar ({MIN_TRAIN_MONTHS} to train, {H} to calibrate intervals), got {T}",
                field="y",
            )
        return K

    def _static_codes(self, df: pd.DataFrame, ids: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        for c in self.static_features:
            first = df.groupby(df[ID])[c].first().astype(str).reindex(ids)
            cats = pd.Index(self.static_categories_[c])
            out[c] = cats.get_indexer(first).astype(np.int64)
        return out

    def _train(self, ctx, *, max_t: int, rng, n_boosters: int = 1):
        """``n_boosters`` boosters, each on its own row sample and seed, averaged into one (a bag)."""
        return average_boosters(
            [self._train_one(ctx, max_t=max_t, rng=rng, member=k) for k in range(int(n_boosters))]
        )

    def _train_one(self, ctx, *, max_t: int, rng, member: int = 0):
        import lightgbm as lgb

        spec, panel, scale, exog, statics = ctx
        i, o, h = training_rows(
            panel,
            scale,
            horizon=self.horizon,
            max_t=max_t,
            max_rows=self.max_train_rows,
            rng=rng,
            train_months=self.train_months,
            drop=self._disruptions() if self.disruption_handling == "drop" else (),
        )
        if len(i) < 2 * self.min_data_in_leaf:
            raise InvalidInput(
                f"too little data to train: {len(i)} (series, origin, horizon) rows with an observed target",
                field="y",
            )
        X = self._features(ctx, i, o, h)
        y = panel.values[i, o + h] / scale[i, o]
        data = lgb.Dataset(
            X,
            label=y,
            weight=mase_weights(panel, scale, i, o) if self.weighting == "mase" else None,
            # No init_score unless asked for: a given one (even zeros) switches off LightGBM's
            # boost_from_average, and L1 from 0 on all-positive targets has one constant gradient, so no
            # tree can split and training stops after one tree that predicts 0 (tiny stores did).
            init_score=self._margin(X, spec) if self.base_margin else None,
            feature_name=list(spec.names),
            categorical_feature=spec.categorical,
            params={"verbose": -1, "max_bin": self.max_bin},
            free_raw_data=True,
        )
        return lgb.train(self._lgb_params(len(y), member), data, num_boost_round=self.n_estimators)

    def _features(self, ctx, i, o, h) -> np.ndarray:
        spec, panel, scale, exog, statics = ctx
        return build_features(
            spec,
            panel.values,
            scale,
            panel.start,
            i,
            o,
            h,
            exog=exog,
            static_codes=statics,
            programmes=self._programme_inputs(),
        )

    def _calibrate(
        self, booster, ctx, cut: int, *, until: int | None = None, share: float = 1.0
    ) -> pd.DataFrame:
        """Held-out forecasts of ``booster`` (targets up to ``cut``) from the origins ``cut .. until − 1``."""
        spec, panel, scale, exog, statics = ctx
        T = panel.values.shape[1]
        i, o, h = calibration_rows(
            panel,
            horizon=self.horizon,
            cut=cut,
            until=T - 1 if until is None else min(until, T - 1),
            max_rows=int(self.max_calibration_rows * share),
            disruptions=self._disruptions(),
        )
        X = self._features(ctx, i, o, h)
        s = scale[i, o]
        yhat = (booster.predict(X, num_threads=self._threads(len(X))) + self._margin(X, spec)) * s
        return (
            pd.DataFrame(
                {
                    ID: panel.ids[i],
                    "origin": month_start(panel.start + o),
                    DS: month_start(panel.start + o + h),
                    "h": h,
                    "y": panel.values[i, o + h],
                    "yhat": yhat,
                    "scale": s,
                }
            )
            .dropna(subset=["y"])
            .reset_index(drop=True)
        )

    # -- predict ---------------------------------------------------------------------------------
    def predict(self, h: int | None = None, X_future: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast the ``h`` months after the fitted data (default: ``horizon``), with 80/95% intervals."""
        self.check_is_fitted()
        h = check_horizon(self.horizon if h is None else h, self.horizon)
        mean, scale, _ = self._predict_scaled(h, X_future)
        half = {lv: self.quantiles_[lv][:h][None, :] * scale for lv in LEVELS}
        hist = self.history_
        return forecast_frame(hist.ids, hist.end, mean, half[80], half[95], clip0=self.clip_nonnegative_)

    def origin_scale(self) -> pd.Series:
        """Each series' scale at the forecast origin (mean |y| of its last 12 months), by unique_id."""
        self.check_is_fitted()
        scale = origin_scale(self.history_.values, self.fallback_scale_)[:, -1]
        return pd.Series(scale, index=pd.Index(self.history_.ids, name=ID), name="scale")

    def _design(self, h: int, X_future: pd.DataFrame | None):
        hist = self.history_
        n, L = hist.values.shape
        exog = dict(self.history_exog_)
        if self.known_exog:
            exog.update(self._future_exog(h, X_future))
        scale = origin_scale(hist.values, self.fallback_scale_)
        i = np.repeat(np.arange(n), h)
        o = np.full(n * h, L - 1)
        hh = np.tile(np.arange(1, h + 1), n)
        X = build_features(
            self.spec_,
            hist.values,
            scale,
            hist.start,
            i,
            o,
            hh,
            exog=exog,
            static_codes=self.static_codes_,
            programmes=self._programme_inputs(),
        )
        return X, scale[:, L - 1][:, None]

    def _predict_scaled(self, h: int, X_future):
        X, scale = self._design(h, X_future)
        n = len(self.history_.ids)
        yhat = self.booster_.predict(X, num_threads=self._threads(len(X))) + self._margin(X, self.spec_)
        yhat = yhat.reshape(n, h)
        return yhat * scale, scale, X

    def contributions(self, h: int | None = None, X_future: pd.DataFrame | None = None) -> pd.DataFrame:
        """LightGBM ``pred_contrib`` per forecast, in units of y: ``unique_id, ds, <feature>…, bias``."""
        self.check_is_fitted()
        h = check_horizon(self.horizon if h is None else h, self.horizon)
        X, scale = self._design(h, X_future)
        contrib = self.booster_.predict(X, pred_contrib=True, num_threads=self._threads(len(X)))
        contrib = contrib * np.repeat(scale[:, 0], h)[:, None]
        hist = self.history_
        out = pd.DataFrame(contrib, columns=[*self.feature_names_, "bias"])
        out.insert(0, DS, np.tile(month_start(hist.end + 1 + np.arange(h)), len(hist.ids)))
        out.insert(0, ID, np.repeat(hist.ids, h))
        return out

    def _lay_programmes(self) -> None:
        """The calendar over the series (from ``programme_cover_``), for :func:`build_features`."""
        checked = [check_programme(p, f"programmes[{k}]") for k, p in enumerate(self.programmes)]
        cover = self.programme_cover_
        self.programme_inputs_ = ProgrammeInputs.build(checked, cover["industry"], cover["segment"])

    def _programme_inputs(self) -> ProgrammeInputs | None:
        return self.programme_inputs_ if self.programmes else None

    def _future_exog(self, h: int, X_future: pd.DataFrame | None) -> dict[str, np.ndarray]:
        hist = self.history_
        cols = list(self.known_exog)
        if X_future is None:
            raise InvalidInput(
                f"X_future with columns {['unique_id', 'ds', *cols]} is required: "
                f"{cols} are known-at-cut-off inputs",
                field="X_future",
            )
        X_future = validate_long(X_future, target=cols[0], required=tuple(cols))
        months = month_index(X_future[DS]) - hist.start
        n, L = hist.values.shape
        row = pd.Index(hist.ids).get_indexer(X_future[ID])
        out = {}
        for c in cols:
            m = np.full((n, L + h), np.nan)
            m[:, :L] = self.history_exog_[c]
            ok = (row >= 0) & (months >= L) & (months < L + h)
            m[row[ok], months[ok]] = pd.to_numeric(X_future[c]).to_numpy(np.float64)[ok]
            if np.isnan(m[:, L:]).any():
                bad = hist.ids[np.isnan(m[:, L:]).any(axis=1)][0]
                raise InvalidInput(
                    f"X_future lacks {c!r} for series {bad!r} in the {h} forecast months", field=c
                )
            out[c] = m
        return out
