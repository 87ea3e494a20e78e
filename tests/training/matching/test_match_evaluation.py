"""Evaluation on BEIR layout and the alias evaluation set, on a tiny taxonomy and the hashing encoder."""

import json

import pytest
from typer.testing import CliRunner

from models.errors import ImportRejected, InvalidInput, NotFound
from models.matching.text import language
from models.taxonomy import Occupation, Taxonomy
from training.matching.beir import load_beir
from training.matching.datasets import build_alias_set
from training.matching.evaluate import evaluate

OCCUPATIONS = [
    Occupation(
        "TC-2521-01",
        "数据分析师",
        "Data analyst",
        "2521",
        2,
        "bachelor",
        3,
        ("数据清洗", "统计分析"),
        ("data cleaning", "statistical analysis"),
        ("数据分析员", "BI分析师"),
        ("BI analyst", "data analytics specialist"),
    ),
    Occupation(
        "TC-2212-01",
        "临床监查员",
        "Clinical research associate",
        "2212",
        2,
        "bachelor",
        3,
        ("临床试验监查", "数据核查"),
        ("clinical trial monitoring", "source data verification"),
        ("临床监查", "临床监查专员"),
        ("CRA", "clinical monitor"),
    ),
    Occupation(
        "TC-2511-01",
        "数据工程师",
        "Data engineer",
        "2511",
        2,
        "bachelor",
        3,
        ("数据管道", "SQL"),
        ("data pipelines", "SQL"),
        ("大数据开发工程师",),
        ("big data developer",),
    ),
    Occupation(
        "TC-2413-01",
        "基金经理",
        "Fund manager",
        "2413",
        2,
        "master",
        5,
        ("投资组合管理", "风险控制"),
        ("portfolio management", "risk control"),
        ("投资经理",),
        ("portfolio manager", "investment manager"),
    ),
]


def tiny_taxonomy() -> Taxonomy:
    return Taxonomy({}, {}, {}, {}, {}, {o.code: o for o in OCCUPATIONS}, [], {}, [])


class HashEncoder:
    model_id_ = "hash@test"

    def __init__(self):
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).parents[2] / "models" / "matching"))
        from conftest import HashEncoder as Real  # the same deterministic encoder the model tests use

        self._real = Real()

    def load(self):
        return self

    def encode(self, texts):
        return self._real.encode(texts)


@pytest.fixture
def alias_set(tmp_path):
    summary = build_alias_set(tiny_taxonomy(), tmp_path / "aliases", seed=7)
    return tmp_path / "aliases", summary


def test_alias_set_splits_by_occupation_and_holds_out_its_queries(alias_set):
    path, summary = alias_set
    data = load_beir(path)
    assert set(data.qrels) == {"validation", "test"}
    val_docs = {d for q in data.qrels["validation"].values() for d in q}
    test_docs = {d for q in data.qrels["test"].values() for d in q}
    assert val_docs.isdisjoint(test_docs)  # tuning never sees a test occupation
    assert set(data.holdout_titles) == set(data.queries.values())
    names = {n for o in OCCUPATIONS for n in (o.name_zh, o.name_en)}
    assert names.isdisjoint(data.holdout_titles)  # documents hold names and skills, never the query aliases
    assert summary["by_language"]["zh"] > 0 and summary["by_language"]["en"] > 0


def test_evaluate_reports_every_channel_and_fused_in_unit_range(alias_set):
    path, _ = alias_set
    report = evaluate(path, HashEncoder(), tiny_taxonomy())
    assert set(report["channels"]) == {"dense", "lexical", "taxonomy", "fused"}
    for metrics in report["channels"].values():
        for key in ("ndcg@10", "map", "recall@10", "recall@100", "mrr"):
            assert 0.0 <= metrics[key] <= 1.0
    assert report["tuning"]["split"] == "validation"
    assert set(report["by_language"]) <= {"zh", "en"}


def test_beir_loader_names_the_bad_line(tmp_path):
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d1", "text": "x"}\n')
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "x"}\n')
    with pytest.raises(NotFound, match="test.tsv"):
        load_beir(tmp_path)
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d1", "text": "x"}\n{"title": "no id"}\n')
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    with pytest.raises(ImportRejected, match="corpus.jsonl:2: _id"):
        load_beir(tmp_path)


def test_cli_evaluate_writes_the_report_shape(tmp_path, alias_set, monkeypatch):
    from talentcluster.commands import match

    monkeypatch.setattr(match, "_encoder", lambda model, threads: HashEncoder())
    monkeypatch.setattr(match, "_taxonomy", lambda required: tiny_taxonomy())
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        match.app, ["evaluate", "--dataset", str(alias_set[0]), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "fused" in json.loads(report.read_text())["channels"]


def write_simulation(directory):
    """The simulator's files, in its layout and column names, for 8 projects and 12 profiles."""
    import pandas as pd

    (directory / "profiles").mkdir(parents=True)
    (directory / "truth" / "profiles").mkdir(parents=True)
    zh = OCCUPATIONS
    projects = pd.DataFrame(
        {
            "enterprise_code": ["ent-001"] * 8,
            "external_ref": [f"PRJ-{i:06d}" for i in range(8)],
            "title": [
                f"招聘{zh[i % 4].name_zh}" if i % 2 else f"Hiring a {zh[i % 4].name_en}" for i in range(8)
            ],
            "description": ["急需人才" if i % 2 else "We need talent" for i in range(8)],
            "required_occupations": [zh[i % 4].code for i in range(8)],
            "required_skills": [
                ";".join(zh[i % 4].skills_zh if i % 2 else zh[i % 4].skills_en) for i in range(8)
            ],
        }
    )
    profiles = pd.DataFrame(
        {
            "external_ref": [f"P{i:08d}" for i in range(12)],
            "summary": [f"{zh[i % 4].name_en} with experience" for i in range(12)],
            "titles": [f"{zh[i % 4].name_zh};{zh[i % 4].name_en}" for i in range(12)],
            "skills": [";".join(zh[i % 4].skills_en) for i in range(12)],
            "occupation_code": [zh[i % 4].code for i in range(12)],
            "consent_scopes": ["pool:matching" if i != 11 else "pool:catalogue" for i in range(12)],
        }
    )
    fit = pd.DataFrame(
        [
            (p, "ent-001", f"P{j:08d}", 3 if j < 4 else 2, j != 11)
            for i, p in enumerate(projects["external_ref"])
            for j in range(12)
            if j % 4 == i % 4
        ],
        columns=[
            "project_external_ref",
            "enterprise_code",
            "profile_external_ref",
            "grade",
            "profile_matchable",
        ],
    )
    projects.to_parquet(directory / "projects.parquet")
    profiles.to_parquet(directory / "profiles" / "part-00000.parquet")
    profiles.assign(summary="HIDDEN").to_parquet(directory / "truth" / "profiles" / "part-00000.parquet")
    fit.to_parquet(directory / "truth" / "fit.parquet")


def test_simulator_set_splits_projects_keeps_consented_profiles_and_grades(tmp_path):
    from training.matching.datasets import build_simulator_set

    write_simulation(tmp_path / "sim")
    summary = build_simulator_set(tmp_path / "sim", tmp_path / "set", seed=7)
    data = load_beir(tmp_path / "set")
    assert summary["documents"] == 11 and "P00000011" not in data.corpus  # no matching consent
    assert all("HIDDEN" not in text for _, text in data.corpus.values())  # public profiles only
    val, test = set(data.qrels["validation"]), set(data.qrels["test"])
    assert val and test and val.isdisjoint(test) and val | test == set(data.queries)
    assert {"zh", "en"} == {language(data.queries[q]) for q in test}  # both languages on each side
    assert {g for q in data.qrels["test"].values() for g in q.values()} <= {1, 2, 3}
    assert build_simulator_set(tmp_path / "sim", tmp_path / "again", seed=7)["qrels"] == summary["qrels"]


def test_simulator_set_names_the_missing_file(tmp_path):
    from training.matching.datasets import build_simulator_set

    with pytest.raises(NotFound, match="simulate"):
        build_simulator_set(tmp_path, tmp_path / "set", seed=7)


def test_cli_builds_and_evaluates_the_simulator_set_with_rules_per_language(tmp_path, monkeypatch):
    from talentcluster.commands import match

    write_simulation(tmp_path / "sim")
    monkeypatch.setattr(match, "_encoder", lambda model, threads: HashEncoder())
    monkeypatch.setattr(match, "_taxonomy", lambda required: tiny_taxonomy())
    runner = CliRunner()
    out = tmp_path / "set"
    built = runner.invoke(
        match.app,
        [
            "build-eval",
            "--kind",
            "simulator",
            "--sim",
            str(tmp_path / "sim"),
            "--out",
            str(out),
            "--seed",
            "7",
        ],
    )
    assert built.exit_code == 0, built.output
    report, rules = tmp_path / "r.json", tmp_path / "fusion.json"
    result = runner.invoke(
        match.app, ["evaluate", "--dataset", str(out), "--report", str(report), "--fusion-out", str(rules)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    assert set(data["channels"]) == {"dense", "lexical", "taxonomy", "fused"}
    saved = json.loads(rules.read_text())
    assert {k: saved[k] for k in ("format", "default", "by_language")} == data["fusion"]
    assert saved["tuning"]["split"] == "validation"


def test_strict_and_leave_one_out_holdouts_are_both_reported(alias_set):
    path, _ = alias_set
    strict = evaluate(path, HashEncoder(), tiny_taxonomy(), holdout="all")
    loo = evaluate(path, HashEncoder(), tiny_taxonomy(), holdout="query")
    assert strict["taxonomy"]["holdout"] == "all" and loo["taxonomy"]["holdout"] == "query"
    with pytest.raises(InvalidInput, match="query"):
        evaluate(path, HashEncoder(), tiny_taxonomy(), holdout="none")
