"""``simulate``: the whole synthetic labour market of one seed, written to a directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from models.errors import InvalidInput
from models.taxonomy import Taxonomy
from training.simulate import calendar as sim_calendar
from training.simulate import market, people
from training.simulate import world as sim_world
from training.simulate.calendar import format_month, last_complete_month, parse_month
from training.simulate.fit import FitGrader
from training.simulate.output import SimulationManifest, write_json, write_parquet
from training.simulate.people import BLOCK, EDUCATION_ORDER, block_rng, latents, people_context, slice_latents
from training.simulate.profile_text import ProfileRenderer
from training.simulate.projects import draw_enterprises, draw_projects
from training.simulate.world import SHORTAGE_THRESHOLD, draw_world, world_params

Progress = Callable[[str, int, int], None]


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stream]))


def simulate(
    taxonomy: Taxonomy,
    *,
    seed: int,
    out_dir: Path,
    start: str = "2015-01",
    cutoff: str | None = None,
    truth_months: int = 24,
    n_profiles: int = 20_000,
    n_projects: int | None = None,
    chunk_size: int = 50_000,
    progress: Progress | None = None,
) -> SimulationManifest:
    """Generate observations, profiles, projects and their hidden truth; return the manifest.

    ``cutoff`` defaults to the last complete month before today. Same arguments → byte-identical files.
    Profiles are generated and written ``chunk_size`` rows at a time (plus at most one 1,000-row block in
    flight), so memory does not grow with ``n_profiles``; profile ``i`` does not depend on ``chunk_size``.
    """
    out_dir = Path(out_dir)
    first, last = parse_month(start), parse_month(cutoff or last_complete_month())
    if last < first + 24:
        raise InvalidInput(
            f"cutoff {format_month(last)} must be at least 24 months after start {start}", field="cutoff"
        )
    if n_profiles < 1 or chunk_size < 1 or truth_months < 0:
        raise InvalidInput("n_profiles and chunk_size must be ≥ 1 and truth_months ≥ 0", field="n_profiles")
    n_projects = max(1, n_profiles // 20) if n_projects is None else n_projects
    report = progress or (lambda stage, done, total: None)
    end = last + truth_months
    n_history = last - first + 1

    report("observations", 0, 1)
    world_rng = _rng(seed, 1)
    world = draw_world(taxonomy, world_rng, start=first, end=end, cutoff=last)
    paths = market.expected_paths(world, world_rng)
    realised = market.realise(paths, world_rng)
    missing = market.missing_mask(len(world.series_zone), end - first + 1, n_history, world_rng)
    truth = market.frame(world, paths, realised, missing, n_history)
    observations = market.observations(truth, _rng(seed, 6))

    files: list[Path] = []

    def write(frame: pd.DataFrame, relative: str) -> None:
        write_parquet(frame, out_dir / relative)
        files.append(out_dir / relative)

    def dump(data, relative: str) -> None:
        write_json(data, out_dir / relative)
        files.append(out_dir / relative)

    write(observations, "observations.parquet")
    write(truth, "truth/observations.parquet")
    dump([p.as_json() for p in world.programmes], "truth/programmes.json")
    # The announced calendar is public (a known input of the demand forecast); the lifts stay hidden.
    announced = pd.DataFrame([p.as_json() for p in world.programmes]).drop(columns="lift")
    (out_dir / "programmes.csv").write_text(announced.to_csv(index=False), encoding="utf-8")
    files.append(out_dir / "programmes.csv")
    dump(
        {
            "seed": seed,
            "start": format_month(first),
            "cutoff": format_month(last),
            "truth_end": format_month(end),
            "shortage_threshold": SHORTAGE_THRESHOLD,
            "model": _constants(),
            **world_params(world),
        },
        "truth/params.json",
    )
    report("observations", 1, 1)
    demand_now = paths["demand"][:, n_history - 1].copy()
    counts = {
        "series": int(len(world.series_zone)),
        "truth_rows": int(len(truth)),
        "observation_rows": int(len(observations)),
    }
    del truth, observations, paths, realised, missing  # profiles must not stand on a million-row frame

    enterprises = draw_enterprises(taxonomy, world.industry_codes, block_rng(seed, 5, 0))
    ctx = people_context(
        taxonomy,
        world,
        demand_now,
        seed=seed,
        n_profiles=n_profiles,
        enterprise_industry=enterprises.industry,
        cutoff=last,
    )
    report("projects", 0, n_projects)
    projects, requirements, _ = draw_projects(taxonomy, ctx, enterprises, n_projects)
    write(projects, "projects.parquet")
    report("projects", n_projects, n_projects)

    grader = FitGrader(
        taxonomy, ctx, requirements, list(projects["external_ref"]), list(projects["enterprise_code"])
    )
    renderer = ProfileRenderer(taxonomy, ctx, enterprises.codes)
    for stale in [*out_dir.glob("profiles/part-*.parquet"), *out_dir.glob("truth/profiles/part-*.parquet")]:
        stale.unlink()
    fits: list[pd.DataFrame] = []
    n_parts = 0
    for part, (frame, hidden) in enumerate(_chunks(ctx, renderer, grader, fits, n_profiles, chunk_size)):
        write(frame, f"profiles/part-{part:05d}.parquet")
        write(hidden, f"truth/profiles/part-{part:05d}.parquet")
        n_parts = part + 1
        report("profiles", min(n_profiles, (part + 1) * chunk_size), n_profiles)

    fit = grader.table(fits)
    write(fit, "truth/fit.parquet")

    manifest = SimulationManifest(
        seed=seed,
        start=format_month(first),
        cutoff=format_month(last),
        truth_end=format_month(end),
        counts={
            **counts,
            "profiles": n_profiles,
            "profile_parts": n_parts,
            "projects": n_projects,
            "enterprises": len(enterprises.codes),
            "fit_pairs": int(len(fit)),
            "programmes": len(world.programmes),
        },
    )
    for path in files:
        manifest.record(out_dir, path)
    write_json(manifest.as_json(), out_dir / "manifest.json")
    return manifest


def _hidden(ctx, lat: dict[str, np.ndarray]) -> pd.DataFrame:
    """Latent truth of people (truth/profiles): what the text was generated from."""
    w = ctx.world
    return pd.DataFrame(
        {
            "external_ref": np.char.add("P", np.char.zfill(lat["index"].astype(str), 8)).astype(object),
            "occupation_code": np.array(w.occupation_codes, dtype=object)[lat["occupation"]],
            "segment_code": np.array(w.segment_codes, dtype=object)[lat["segment"]],
            "industry_code": np.array(w.industry_codes, dtype=object)[lat["industry"]],
            "zone_code": np.array(w.zone_codes, dtype=object)[lat["zone"]],
            "talent_level": np.array(ctx.level_codes, dtype=object)[lat["level"]],
            "education_level": np.array(EDUCATION_ORDER, dtype=object)[lat["education"]],
            "years_experience": lat["years"].astype(np.int64),
            "focus_area": lat["focus"].astype(np.int64),
            "skill_mask": lat["skill_mask"].astype(np.int64),
            "pool_matching": lat["matching"],
        }
    )


def _chunks(
    ctx, renderer: ProfileRenderer, grader: FitGrader, fits: list, n_profiles: int, chunk_size: int
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield (profiles, latent truth) frames of ``chunk_size`` rows, generating 1,000-row blocks lazily."""
    pending: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    held = 0
    for block in range(-(-n_profiles // BLOCK)):
        lat = latents(ctx, block)
        frame = renderer.render(lat, block)
        valid = min(BLOCK, n_profiles - block * BLOCK)
        lat = slice_latents(lat, slice(0, valid))
        fits.append(grader.grade(lat))
        pending.append((frame.iloc[:valid], _hidden(ctx, lat)))
        held += valid
        while held >= chunk_size or (held and block == -(-n_profiles // BLOCK) - 1):
            take = min(chunk_size, held)
            yield _take(pending, take)
            held -= take


def _take(pending: list, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pop the first n rows off the pending (frame, hidden) pieces."""
    out_a, out_b = [], []
    while n:
        a, b = pending[0]
        k = min(n, len(a))
        out_a.append(a.iloc[:k])
        out_b.append(b.iloc[:k])
        if k == len(a):
            pending.pop(0)
        else:
            pending[0] = (a.iloc[k:], b.iloc[k:])
        n -= k
    return (pd.concat(out_a, ignore_index=True), pd.concat(out_b, ignore_index=True))


def _constants() -> dict:
    """The fixed model constants, for truth/params.json."""
    names = [
        "SUPPLY_LAG_MONTHS",
        "SUPPLY_HALF_LIFE_MONTHS",
        "OCCUPATION_AR",
        "OCCUPATION_AR_SD",
        "FESTIVAL_DEMAND_DROP",
        "FESTIVAL_SUPPLY_DROP",
        "POSTINGS_DISPERSION",
        "SEEKERS_DISPERSION",
        "HIRE_RATE",
        "SHORTAGE_WAGE_ELASTICITY",
        "DAYS_TO_FILL_ELASTICITY",
        "DEMAND_SHOCK",
        "SUPPLY_SHOCK",
        "FIELD_MISSING_RATE",
    ]
    out = {name.lower(): getattr(market, name) for name in names}
    out["wage_growth"] = {str(k): v for k, v in market.WAGE_GROWTH.items()}
    out["demand_month_factor"] = [round(float(x), 6) for x in sim_calendar.DEMAND_MONTH_FACTOR]
    out["graduate_month_pattern"] = [float(x) for x in sim_calendar.GRADUATE_MONTH_PATTERN]
    for name in (
        "COVERED_EMPLOYMENT",
        "MONTHLY_POSTING_RATE",
        "INDUSTRY_GROWTH",
        "INDUSTRY_SIZE",
        "BASE_WAGE_2015",
        "BASE_DAYS_TO_FILL",
        "GRADUATE_SUPPLY_LIFT",
    ):
        out[name.lower()] = getattr(sim_world, name)
    out["people_per_focus"] = people.PEOPLE_PER_FOCUS
    return out
