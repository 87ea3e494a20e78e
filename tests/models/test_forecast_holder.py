"""The serving forecast run is swapped for a newly promoted one without a pause in answering."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from models.errors import ArtifactIncompatible, Unavailable
from models.forecast_store import MISSING_MESSAGE, ForecastHolder


def test_requests_keep_the_old_run_while_the_new_one_loads_then_see_the_new_one():
    pointer = {"value": ("v1", "/runs/v1")}
    release = threading.Event()

    def load(path, version):
        if version == "v2":
            release.wait(5)
        return SimpleNamespace(version=version)

    holder = ForecastHolder(lambda: pointer["value"], refresh_seconds=0, load=load).start()
    assert holder.current().version == "v1"
    pointer["value"] = ("v2", "/runs/v2")
    for _ in range(20):  # the new version is loading: every request still answers, with v1
        assert holder.current().version == "v1"
        time.sleep(0.01)
    release.set()
    deadline = time.monotonic() + 5
    while holder.current().version != "v2":
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_no_serving_version_is_a_503_saying_what_to_run():
    holder = ForecastHolder(lambda: None, refresh_seconds=0).start()
    with pytest.raises(Unavailable, match="forecast train --store") as err:
        holder.current()
    assert err.value.message == MISSING_MESSAGE and holder.status() == "missing"


def test_a_version_that_cannot_be_loaded_keeps_the_previous_one_and_is_reported():
    pointer = {"value": ("v1", "/runs/v1")}

    def load(path, version):
        if version == "v2":
            raise ArtifactIncompatible("cannot serve v2: missing file(s) ['forecasts.parquet']")
        return SimpleNamespace(version=version)

    holder = ForecastHolder(lambda: pointer["value"], refresh_seconds=0, load=load).start()
    pointer["value"] = ("v2", "/runs/v2")
    holder.swap_now()
    assert holder.current().version == "v1" and holder.status() == "ok"
