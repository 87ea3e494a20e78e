"""The simulator's calendar: a month grid, the Spring Festival window and the yearly hiring pattern.

Months are integers ``year * 12 + (month - 1)`` so that arithmetic on them is plain integer arithmetic.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from functools import lru_cache

import numpy as np
from lunardate import LunarDate

from models.errors import InvalidInput

# Days around the lunar new year when hiring all but stops (the week before, two weeks after).
SPRING_FESTIVAL_BEFORE_DAYS = 7
SPRING_FESTIVAL_AFTER_DAYS = 15

# Relative demand by calendar month outside the festival window: 金三银四 and 金九银十 peaks, a
# December lull (budgets closed). Normalised to mean 1 below.
_DEMAND_MONTH = np.array([0.97, 1.00, 1.24, 1.18, 1.01, 0.96, 0.92, 0.95, 1.16, 1.10, 0.97, 0.86])
DEMAND_MONTH_FACTOR = _DEMAND_MONTH / _DEMAND_MONTH.mean()

# Share of a year's graduates entering the market by calendar month (July cohort, tapering off).
GRADUATE_MONTH_PATTERN = np.array([0, 0, 0, 0, 0, 0.15, 1.0, 0.85, 0.55, 0.2, 0.05, 0])

# College graduates in China by year, millions (rounded public figures; later years +2 % a year).
GRADUATES_MILLIONS = {
    2013: 6.99,
    2014: 7.27,
    2015: 7.49,
    2016: 7.65,
    2017: 7.95,
    2018: 8.20,
    2019: 8.34,
    2020: 8.74,
    2021: 9.09,
    2022: 10.76,
    2023: 11.58,
    2024: 11.79,
    2025: 12.22,
}


def parse_month(text: str) -> int:
    """``'2015-01'`` → month integer."""
    try:
        year, month = (int(part) for part in str(text)[:7].split("-"))
    except ValueError:
        raise InvalidInput(f"month {text!r} is not YYYY-MM", field="month") from None
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise InvalidInput(f"month {text!r} is not YYYY-MM between 2000-01 and 2100-12", field="month")
    return year * 12 + month - 1


def format_month(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def last_complete_month(today: dt.date | None = None) -> str:
    """The month before ``today``'s: the latest one whose data could be complete."""
    today = today or dt.date.today()
    return format_month(today.year * 12 + today.month - 2)


def month_labels(months: np.ndarray) -> np.ndarray:
    return np.array([format_month(int(m)) for m in months], dtype=object)


@lru_cache(maxsize=256)
def spring_festival(year: int) -> dt.date:
    """Gregorian date of the lunar new year (春节) of ``year``."""
    return LunarDate(year, 1, 1).to_solar_date()


def spring_festival_share(months: np.ndarray) -> np.ndarray:
    """Share of each month's days that fall in the Spring Festival window (0 for most months)."""
    share = np.zeros(len(months))
    for index, month in enumerate(months):
        year, mon = divmod(int(month), 12)
        mon += 1
        festival = spring_festival(year)
        window_start = festival - dt.timedelta(days=SPRING_FESTIVAL_BEFORE_DAYS)
        window_end = festival + dt.timedelta(days=SPRING_FESTIVAL_AFTER_DAYS)
        days = _calendar.monthrange(year, mon)[1]
        first, last = dt.date(year, mon, 1), dt.date(year, mon, days)
        overlap = (min(last, window_end - dt.timedelta(days=1)) - max(first, window_start)).days + 1
        share[index] = max(0, overlap) / days
    return share


def graduate_index(months: np.ndarray) -> np.ndarray:
    """Graduate cohort size of each month's year relative to 2019 (grows into the 2020s)."""
    years = np.asarray(months) // 12
    last_year = max(GRADUATES_MILLIONS)

    def size(year: int) -> float:
        if year in GRADUATES_MILLIONS:
            return GRADUATES_MILLIONS[year]
        if year > last_year:
            return GRADUATES_MILLIONS[last_year] * 1.02 ** (year - last_year)
        return GRADUATES_MILLIONS[min(GRADUATES_MILLIONS)]

    return np.array([size(int(y)) for y in years]) / GRADUATES_MILLIONS[2019]
