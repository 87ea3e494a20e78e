"""The files follow docs/import-format.md, keep the truth apart, and stream profiles in chunks."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from training.simulate.calendar import format_month, parse_month
from training.simulate.names import id_check_digit

DOC = Path(__file__).resolve().parents[3] / "docs" / "import-format.md"


def documented_columns(kind: str) -> list[str]:
    """Column names of one kind's table in docs/import-format.md, in order."""
    section = DOC.read_text(encoding="utf-8").split(f"## `{kind}`")[1].split("\n## ")[0]
    columns = []
    for line in section.splitlines():
        if line.startswith("| `"):
            columns += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return columns


def test_files_have_exactly_the_import_format_columns(simulated):
    out, _ = simulated
    assert list(pd.read_parquet(out / "observations.parquet").columns) == documented_columns("observations")
    assert list(pd.read_parquet(out / "projects.parquet").columns) == documented_columns("projects")
    for part in (out / "profiles").glob("part-*.parquet"):
        assert list(pd.read_parquet(part).columns) == documented_columns("profiles")


def test_observations_miss_some_months_that_truth_keeps(simulated):
    out, manifest = simulated
    seen = pd.read_parquet(out / "observations.parquet")
    truth = pd.read_parquet(out / "truth/observations.parquet")
    key = ["zone_code", "segment_code", "occupation_code", "month"]
    history = truth[truth["month"] <= manifest.cutoff]
    missing = 1 - len(seen) / len(history)
    assert 0.01 < missing < 0.12
    assert not seen.duplicated(key).any() and not truth.duplicated(key).any()
    assert seen["month"].max() == manifest.cutoff
    assert seen[["postings", "median_wage_cny"]].isna().any().all()  # occasional blank fields
    assert (seen["postings"].dropna() >= 0).all() and (seen["median_wage_cny"].dropna() > 0).all()


def test_truth_runs_24_months_past_the_cutoff_without_gaps(simulated):
    out, manifest = simulated
    truth = pd.read_parquet(out / "truth/observations.parquet")
    assert truth["month"].max() == format_month(parse_month(manifest.cutoff) + 24) == manifest.truth_end
    per_series = truth.groupby(["zone_code", "segment_code", "occupation_code"])["month"].nunique()
    assert (per_series == parse_month(manifest.truth_end) - parse_month(manifest.start) + 1).all()
    assert {"expected_postings", "shortage_index", "is_short", "is_future"} <= set(truth.columns)


def test_hires_never_exceed_postings_or_job_seekers(simulated):
    truth = pd.read_parquet(simulated[0] / "truth/observations.parquet")
    assert (truth["hires"] <= np.minimum(truth["postings"], truth["job_seekers"])).all()


def test_profiles_are_written_in_chunks_of_at_most_chunk_size(simulated):
    out, manifest = simulated  # 2,500 profiles, chunk_size 1,000
    sizes = [len(pd.read_parquet(p)) for p in sorted((out / "profiles").glob("part-*.parquet"))]
    assert sizes == [1_000, 1_000, 500] and manifest.counts["profile_parts"] == 3


def test_profiles_carry_plausible_pii_and_consent(simulated):
    out, _ = simulated
    profiles = pd.concat([pd.read_parquet(p) for p in (out / "profiles").glob("part-*.parquet")])
    assert profiles["external_ref"].is_unique
    ids = profiles["id_number"]
    assert ids.str.fullmatch(r"\d{17}[\dX]").all()
    digits = np.array([[int(c) for c in s[:17]] for s in ids])
    assert (id_check_digit(digits) == ids.str[-1].to_numpy()).all()
    assert profiles["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert profiles["email"].str.contains("@").all()
    no_consent = (profiles["consent_scopes"] == "").mean()
    assert 0.02 < no_consent < 0.09
    assert profiles["consent_scopes"].str.contains("tenant:ent-").mean() > 0.1
    chinese = profiles["summary"].str.contains(r"[\u4e00-\u9fff]")
    english = profiles["summary"].str.contains(r"[A-Za-z]{4,} [a-z]{3,}")
    assert 0.3 < (chinese & ~english).mean() < 0.5 and 0.6 < chinese.mean() < 0.8


def test_every_project_has_a_relevant_profile(simulated):
    out, _ = simulated
    projects = pd.read_parquet(out / "projects.parquet")
    fit = pd.read_parquet(out / "truth/fit.parquet")
    assert len(projects) == 125 and projects["enterprise_code"].str.fullmatch(r"ent-\d{3}").all()
    counts = fit.groupby("project_external_ref").size().reindex(projects["external_ref"], fill_value=0)
    assert (counts >= 1).all()
    assert fit["grade"].between(1, 3).all()
    refs = pd.concat(
        [pd.read_parquet(p, columns=["external_ref"]) for p in (out / "profiles").glob("*.parquet")]
    )
    assert set(fit["profile_external_ref"]) <= set(refs["external_ref"])
