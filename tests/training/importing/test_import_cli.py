"""The CLI prints each bad row as FILE:LINE: field: reason and exits non-zero."""

import csv

from typer.testing import CliRunner

from talentcluster.cli import app


def test_import_command_reports_the_bad_line_and_exits_2(tmp_path, monkeypatch, taxonomy):
    monkeypatch.setenv("TALENTCLUSTER_HOME", str(tmp_path))
    link = taxonomy.segment_occupations[0]
    path = tmp_path / "obs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "zone_code",
                "segment_code",
                "occupation_code",
                "month",
                "postings",
                "job_seekers",
                "hires",
                "median_wage_cny",
                "mean_days_to_fill",
            ]
        )
        writer.writerow(
            [
                next(iter(taxonomy.zones)),
                link.segment_code,
                link.occupation_code,
                "2024-01",
                "3",
                "2",
                "1",
                "9000",
                "20",
            ]
        )
        writer.writerow(
            [
                next(iter(taxonomy.zones)),
                link.segment_code,
                link.occupation_code,
                "2024-02",
                "many",
                "2",
                "1",
                "9000",
                "20",
            ]
        )
    result = CliRunner().invoke(app, ["data", "import", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3: postings: not a number" in result.output.replace("\n", "")
