"""Reading long-format files (CSV or Parquet) for the forecasting jobs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.errors import InvalidInput
from models.forecasting.frames import DS, ID, Y


def read_long(path: Path | str) -> pd.DataFrame:
    """Read ``unique_id, ds, y`` (+ any further columns) from ``.csv``/``.csv.gz`` or ``.parquet``."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="input")
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            df = pd.read_parquet(path)
        elif name.endswith((".csv", ".csv.gz", ".txt")):
            df = pd.read_csv(path, dtype={ID: str})
        else:
            raise InvalidInput(f"{path.name}: expected a .csv or .parquet file", field="input")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc}", field="input") from exc
    return df


def hierarchy_columns(df: pd.DataFrame, exclude: tuple[str, ...] = ()) -> list[str]:
    """Text columns other than ``unique_id, ds, y``: taken as hierarchy levels unless excluded."""
    return [
        c
        for c in df.columns
        if c not in (ID, DS, Y, *exclude)
        and (df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype))
    ]
