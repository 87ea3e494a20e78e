"""Same seed → byte-identical files; another seed → other data; chunking does not change the people."""

from __future__ import annotations

import pandas as pd

from training.simulate import simulate


def _bytes(directory):
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_same_seed_writes_byte_identical_files(tiny_taxonomy, tmp_path):
    for name in ("a", "b"):
        simulate(
            tiny_taxonomy, seed=3, out_dir=tmp_path / name, cutoff="2023-12", n_profiles=1_200, chunk_size=500
        )
    first, second = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    assert first.keys() == second.keys()
    assert "manifest.json" in first and "truth/fit.parquet" in first
    assert [k for k in first if first[k] != second[k]] == []


def test_another_seed_gives_other_data(tiny_taxonomy, tmp_path, simulated):
    out, _ = simulated
    simulate(tiny_taxonomy, seed=12, out_dir=tmp_path, cutoff="2024-06", n_profiles=1_000, chunk_size=1_000)
    for name in ("observations.parquet", "projects.parquet", "profiles/part-00000.parquet"):
        assert (tmp_path / name).read_bytes() != (out / name).read_bytes(), name


def test_profiles_do_not_depend_on_chunk_size(tiny_taxonomy, tmp_path, simulated):
    out, manifest = simulated  # chunk_size 1000
    simulate(
        tiny_taxonomy,
        seed=manifest.seed,
        out_dir=tmp_path,
        cutoff=manifest.cutoff,
        n_profiles=2_500,
        chunk_size=700,
    )

    def read(directory):
        parts = sorted((directory / "profiles").glob("part-*.parquet"))
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)

    pd.testing.assert_frame_equal(read(out), read(tmp_path))
    assert (tmp_path / "truth/fit.parquet").read_bytes() == (out / "truth/fit.parquet").read_bytes()


def test_manifest_hashes_every_file(simulated):
    from training.simulate.output import sha256

    out, manifest = simulated
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest.files) == written
    assert all(sha256(out / name) == entry["sha256"] for name, entry in manifest.files.items())
