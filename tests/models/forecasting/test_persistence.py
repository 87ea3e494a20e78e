"""Artifacts: save/load round trip gives identical predictions; a card that does not match is refused."""

from __future__ import annotations

import json

import pytest

from models.errors import ArtifactIncompatible
from models.forecasting.persistence import data_sha256, load_forecaster, save_forecaster


@pytest.fixture()
def saved(fitted, tmp_path):
    return save_forecaster(fitted["lgbm_global"], tmp_path / "v1", card={"data_sha256": "x"})


def test_round_trip_gives_identical_predictions(fitted, saved):
    assert sorted(p.name for p in saved.iterdir()) == [
        "card.json",
        "history.parquet",
        "model.txt",
        "state.json",
    ]
    loaded = load_forecaster(saved)
    assert loaded.predict().equals(fitted["lgbm_global"].predict())
    assert loaded.get_params() == fitted["lgbm_global"].get_params()


def test_model_is_lightgbm_text_and_the_card_says_what_it_holds(saved):
    assert (saved / "model.txt").read_text().startswith("tree")
    card = json.loads((saved / "card.json").read_text())
    for key in ("data_window", "features", "parameters", "library_versions", "data_sha256", "files"):
        assert key in card
    assert card["library_versions"]["lightgbm"]


def test_a_version_is_never_overwritten(fitted, saved):
    with pytest.raises(FileExistsError):
        save_forecaster(fitted["lgbm_global"], saved)


def test_a_modified_model_file_is_refused(saved):
    with open(saved / "model.txt", "a") as f:
        f.write("\n")
    with pytest.raises(ArtifactIncompatible, match="model.txt does not match its sha256"):
        load_forecaster(saved)


def test_a_card_from_another_format_is_refused_with_the_reason(saved):
    card = json.loads((saved / "card.json").read_text())
    card["format_version"] = 99
    card["features"] = card["features"][:-1]
    (saved / "card.json").write_text(json.dumps(card))
    with pytest.raises(ArtifactIncompatible, match="format_version is 99.*features differ"):
        load_forecaster(saved)


def test_a_directory_without_card_is_refused(tmp_path):
    with pytest.raises(ArtifactIncompatible, match="no card.json"):
        load_forecaster(tmp_path)


def test_data_hash_ignores_row_order_but_not_values(panel):
    shuffled = panel.sample(frac=1.0, random_state=0)
    assert data_sha256(panel) == data_sha256(shuffled)
    changed = panel.copy()
    changed.loc[changed.index[0], "y"] += 1
    assert data_sha256(panel) != data_sha256(changed)
