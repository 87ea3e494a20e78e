"""What every forecaster shares: scikit-learn style parameters and the fitted check."""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd

from models.errors import InvalidInput, Unavailable


class Forecaster:
    """Base of the forecasters: ``__init__`` stores keyword parameters only; learned state ends in ``_``.

    Subclasses implement ``fit(df) -> self`` on a long frame ``unique_id, ds, y`` and
    ``predict(h=None, X_future=None)`` returning ``unique_id, ds, mean, lo80, hi80, lo95, hi95``
    for the ``h`` months after the last month of the fitted data.
    """

    name: str = "forecaster"

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._param_names()}

    def set_params(self, **params: Any) -> Forecaster:
        valid = self._param_names()
        for k, v in params.items():
            if k not in valid:
                raise InvalidInput(
                    f"unknown parameter {k!r} for {type(self).__name__}; valid: {valid}", field=k
                )
            setattr(self, k, v)
        return self

    def clone(self) -> Forecaster:
        """An unfitted copy with the same parameters (backtests fit clones, never the template)."""
        return type(self)(**self.get_params())

    def check_is_fitted(self) -> None:
        if not any(k.endswith("_") and not k.startswith("_") for k in vars(self)):
            raise Unavailable(f"{type(self).__name__} is not fitted yet: call fit(df) first")

    def fit(self, df: pd.DataFrame) -> Forecaster:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, h: int | None = None, X_future: pd.DataFrame | None = None) -> pd.DataFrame:
        raise NotImplementedError  # pragma: no cover - interface

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
