"""Every published format opens and parses; CSV is Excel-safe; rendering is byte-reproducible."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from models.catalogue.build import content_sha256, iter_entries
from models.catalogue.diff import diff_documents
from models.catalogue.html import to_html
from models.catalogue.method import method_paragraphs
from models.catalogue.tabular import escape_cell, to_csv, to_xlsx
from models.catalogue.validate import schema


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-12", "-12"),
        ("-12.5", "-12.5"),
        ("+3e4", "+3e4"),
        (-1200.0, -1200.0),
        ("数据分析师", "数据分析师"),
        (None, ""),
    ],
)
def test_cells_starting_with_formula_characters_are_escaped_but_negative_numbers_are_not(value, expected):
    assert escape_cell(value) == expected


def test_csv_is_utf8_with_bom_and_keeps_negative_gaps_numeric(sample):
    data = to_csv(sample)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == sample["summary"]["entries"]
    assert all(r["occupation_zh"] and r["occupation_en"] and r["reasons_zh"] for r in rows)
    lows = [r["demand_gap_lo80"] for r in rows]
    assert any(v.startswith("-") for v in lows) and all(not v.startswith("'") for v in lows)


def test_csv_escapes_an_injected_name(sample):
    doc = json.loads(json.dumps(sample))
    doc["chains"][0]["entries"][0]["occupation"]["name_en"] = "=1+1"
    assert ",'=1+1," in to_csv(doc).decode("utf-8-sig")


def test_xlsx_opens_with_one_sheet_per_chain_and_a_method_sheet(sample):
    wb = load_workbook(io.BytesIO(to_xlsx(sample, method_paragraphs(sample))))
    assert wb.sheetnames[0] == "说明 Method"
    assert len(wb.sheetnames) == 1 + len(sample["chains"])
    nit = wb[next(n for n in wb.sheetnames if n.startswith("NIT"))]
    body = list(nit.iter_rows(min_row=3, values_only=True))
    n_nit = len(next(c for c in sample["chains"] if c["code"] == "NIT")["entries"])
    assert len(body) == n_nit and all(r[7] and r[8] for r in body)


def test_html_parses_is_self_contained_and_bilingual(sample):
    diff = diff_documents(None, sample)
    page = to_html(sample, diff, edition_code="2027-abcd", content_sha256="0" * 64).decode("utf-8")
    parser = _Collector()
    parser.feed(page)
    parser.close()
    text = "".join(parser.text)
    assert parser.external == []  # no CDN, no external file: works offline
    assert (
        "script" not in parser.tags
        and parser.tags.count("svg") == 2 + sample["summary"]["chains_with_entries"]
    )
    assert (
        "北京市急需紧缺人才目录（2027年）" in text and "Beijing Catalogue of Urgently Needed Talent" in text
    )
    assert "编制说明" in text and "Method" in text and "演示" in text
    for e in iter_entries(sample):
        assert e["occupation"]["name_zh"] in text and e["occupation"]["name_en"] in text


def test_json_schema_file_is_itself_valid():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema())


def test_rendering_twice_gives_identical_bytes(sample):
    again = json.loads(json.dumps(sample))
    diff = diff_documents(None, sample)
    assert to_csv(sample) == to_csv(again)
    assert to_xlsx(sample, method_paragraphs(sample)) == to_xlsx(again, method_paragraphs(again))
    assert to_html(sample, diff, edition_code="x", content_sha256=content_sha256(sample)) == to_html(
        again, diff, edition_code="x", content_sha256=content_sha256(again)
    )
