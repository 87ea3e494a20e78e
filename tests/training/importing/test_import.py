"""`data import`: every row validated, bad rows named by line, all-or-nothing, idempotent."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from models.errors import ImportRejected
from models.storage import orm
from training.importing import import_file

KEY = "test-key"


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def observation_rows(taxonomy, months: int = 6) -> list[dict]:
    link = taxonomy.segment_occupations[0]
    zone = next(iter(taxonomy.zones))
    return [
        dict(
            zone_code=zone,
            segment_code=link.segment_code,
            occupation_code=link.occupation_code,
            month=f"2024-{m:02d}",
            postings=10 + m,
            job_seekers=8,
            hires=5,
            median_wage_cny="15000",
            mean_days_to_fill="" if m == 3 else "31.5",
        )
        for m in range(1, months + 1)
    ]


def count(factory, model) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_valid_file_is_written_and_reimporting_it_duplicates_nothing(migrated, taxonomy, tmp_path):
    path = write_csv(tmp_path / "obs.csv", observation_rows(taxonomy))
    first = import_file(migrated, path, pseudonym_key=KEY)
    assert (first.kind, first.rows_written, first.problems, first.previously_imported) == (
        "observations",
        6,
        [],
        False,
    )
    again = import_file(migrated, path, pseudonym_key=KEY)
    assert again.previously_imported
    assert count(migrated, orm.Observation) == 6
    with migrated() as session:
        missing = session.scalar(
            select(orm.Observation).where(orm.Observation.month == pd.Timestamp("2024-03-01").date())
        )
    assert missing.mean_days_to_fill is None  # an empty cell is "not observed", never zero


def test_one_bad_row_is_reported_by_line_and_field_and_nothing_is_written(migrated, taxonomy, tmp_path):
    import_file(
        migrated, write_csv(tmp_path / "before.csv", observation_rows(taxonomy, 2)), pseudonym_key=KEY
    )
    rows = observation_rows(taxonomy, 6)
    rows[3]["postings"] = "-4"  # data row 4 is line 5 of the file (the header is line 1)
    with pytest.raises(ImportRejected) as rejected:
        import_file(migrated, write_csv(tmp_path / "bad.csv", rows), pseudonym_key=KEY)
    assert rejected.value.problems == [(5, "postings", "must be ≥ 0")]
    assert "bad.csv:5: postings" in rejected.value.message
    assert count(migrated, orm.Observation) == 2  # what was stored before is intact, nothing new


def test_skip_invalid_writes_the_valid_rows_and_reports_the_others(migrated, taxonomy, tmp_path):
    rows = observation_rows(taxonomy, 4)
    rows[0]["zone_code"] = "atlantis"
    rows[2]["month"] = "2024-13"
    rows[3] = dict(rows[1])  # duplicate key of line 3
    report = import_file(
        migrated, write_csv(tmp_path / "mixed.csv", rows), pseudonym_key=KEY, skip_invalid=True
    )
    assert [(line, field) for line, field, _ in report.problems] == [
        (2, "zone_code"),
        (4, "month"),
        (5, "zone_code,segment_code,occupation_code,month"),
    ]
    assert report.rows_written == 1
    assert count(migrated, orm.Observation) == 1


def test_an_occupation_outside_the_segments_talent_chain_is_rejected(migrated, taxonomy, tmp_path):
    rows = observation_rows(taxonomy, 1)
    chain = {link.occupation_code for link in taxonomy.talent_chain(rows[0]["segment_code"])}
    rows[0]["occupation_code"] = next(code for code in taxonomy.occupations if code not in chain)
    with pytest.raises(ImportRejected) as rejected:
        import_file(migrated, write_csv(tmp_path / "chain.csv", rows), pseudonym_key=KEY)
    assert rejected.value.problems[0][1:] == ("occupation_code", "not in the talent chain of segment_code")


def profile_row(taxonomy, ref: str, **changes) -> dict:
    row = dict(
        external_ref=ref,
        name="王小明",
        phone="13800000000",
        id_number="110101199001011234",
        email="wang@example.cn",
        summary="负责新药临床试验监查",
        titles="临床监查员;CRA",
        skills="GCP;临床试验",
        education_level="master",
        field_of_study="药学",
        years_experience="5",
        talent_level=next(iter(taxonomy.talent_levels)),
        zone_code=next(iter(taxonomy.zones)),
        occupation_code="",
        age_band="25-34",
        publications="1",
        patents="0",
        languages="zh;en",
        consent_scopes="pool:matching;tenant:ent-001",
    )
    row.update(changes)
    return row


def test_profiles_keep_pii_apart_and_reimport_updates_in_place(migrated, taxonomy, tmp_path):
    path = write_csv(tmp_path / "p.csv", [profile_row(taxonomy, "p1"), profile_row(taxonomy, "p2", name="")])
    import_file(migrated, path, pseudonym_key=KEY)
    path = write_csv(
        tmp_path / "p2.csv",
        [profile_row(taxonomy, "p1", consent_scopes="pool:matching", years_experience="6")],
    )
    import_file(migrated, path, pseudonym_key=KEY)
    with migrated() as session:
        profiles = session.scalars(select(orm.TalentProfile).order_by(orm.TalentProfile.external_ref)).all()
        assert [p.external_ref for p in profiles] == ["p1", "p2"]
        p1 = profiles[0]
        assert p1.years_experience == 6 and p1.pseudonym.startswith("T-")
        assert not hasattr(p1, "name") and not hasattr(p1, "phone")
        assert [c.scope for c in p1.consents] == ["pool:matching"]
        assert session.get(orm.TalentPII, p1.id).name == "王小明"
        assert p1.titles == ["临床监查员", "CRA"]


def test_bad_profile_fields_name_the_field(migrated, taxonomy, tmp_path):
    rows = [
        profile_row(taxonomy, "p1", email="not-an-address"),
        profile_row(taxonomy, "p2", consent_scopes="pool:matching;everyone"),
        profile_row(taxonomy, "p3", years_experience="3.5"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        import_file(migrated, write_csv(tmp_path / "p.csv", rows), pseudonym_key=KEY)
    assert [(line, field) for line, field, _ in rejected.value.problems] == [
        (2, "email"),
        (3, "consent_scopes"),
        (4, "years_experience"),
    ]
    assert count(migrated, orm.TalentProfile) == 0


def test_projects_from_parquet_create_their_enterprise(migrated, taxonomy, tmp_path):
    segment = next(iter(taxonomy.segments))
    row = dict(
        enterprise_code="ent-001",
        enterprise_name="北京示例生物科技有限公司",
        external_ref="prj-1",
        title="创新药临床研究",
        description="需要临床监查员",
        kind="research",
        segment_code=segment,
        zone_code=next(iter(taxonomy.zones)),
        required_occupations=taxonomy.talent_chain(segment)[0].occupation_code,
        required_skills="GCP;临床试验",
        talent_level=next(iter(taxonomy.talent_levels)),
        min_education="master",
        min_experience_years=3,
        funding_cny=2_000_000.0,
    )
    path = tmp_path / "projects.parquet"
    pd.DataFrame([row, {**row, "external_ref": "prj-2", "funding_cny": None}]).to_parquet(path)
    report = import_file(migrated, path, pseudonym_key=KEY)
    assert report.kind == "projects" and report.rows_written == 2
    with migrated() as session:
        enterprise = session.scalar(select(orm.Enterprise))
        projects = session.scalars(select(orm.Project).order_by(orm.Project.external_ref)).all()
    assert enterprise.code == "ent-001"
    assert [p.enterprise_id for p in projects] == [enterprise.id] * 2
    assert projects[1].funding_cny is None
    assert projects[0].required_skills == ["GCP", "临床试验"]
