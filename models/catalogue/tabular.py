"""The catalogue as rows: CSV for Excel (UTF-8 with BOM, formula injection escaped) and XLSX.

Both are byte-reproducible: the XLSX's document properties carry a fixed date and its zip entries a
fixed timestamp, in a fixed order.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime

from models.catalogue.build import iter_entries

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIME = datetime(2000, 1, 1)

COLUMNS = (
    ("chain_code", "产业链代码", "Chain code"),
    ("chain_zh", "产业链", "Chain (zh)"),
    ("chain_en", "产业链（英文）", "Chain"),
    ("rank", "序号", "Rank"),
    ("urgency_zh", "紧缺程度", "Urgency (zh)"),
    ("urgency_en", "紧缺程度（英文）", "Urgency"),
    ("occupation_code", "职业代码", "Occupation code"),
    ("occupation_zh", "职业名称", "Occupation (zh)"),
    ("occupation_en", "职业名称（英文）", "Occupation"),
    ("segment_code", "环节代码", "Segment code"),
    ("segment_zh", "产业链环节", "Segment (zh)"),
    ("segment_en", "产业链环节（英文）", "Segment"),
    ("zones_zh", "重点区域", "Zones (zh)"),
    ("zones_en", "重点区域（英文）", "Zones"),
    ("talent_levels_zh", "人才层次", "Talent levels (zh)"),
    ("talent_levels_en", "人才层次（英文）", "Talent levels"),
    ("education_zh", "学历要求", "Education (zh)"),
    ("education_en", "学历要求（英文）", "Education"),
    ("experience_years", "工作经验（年）", "Experience (years)"),
    ("pay_low", "薪酬指导下限（元/月）", "Pay guidance low (CNY/month)"),
    ("pay_high", "薪酬指导上限（元/月）", "Pay guidance high (CNY/month)"),
    ("forecast_postings", "预测岗位需求", "Forecast postings"),
    ("forecast_job_seekers", "预测求职人数", "Forecast job seekers"),
    ("demand_gap", "预测缺口", "Forecast gap"),
    ("demand_gap_lo80", "缺口80%区间下限", "Gap 80% low"),
    ("demand_gap_hi80", "缺口80%区间上限", "Gap 80% high"),
    ("shortage_index", "预测求人倍率", "Forecast shortage index"),
    ("p_short", "短缺概率", "P(short)"),
    ("points", "评分点数", "Points"),
    ("candidates_in_pool", "库内可推荐人才", "Consenting candidates in pool"),
    ("reasons_zh", "列入理由", "Reasons (zh)"),
    ("reasons_en", "列入理由（英文）", "Reasons"),
)


def rows(doc: Mapping) -> list[dict]:
    """One flat row per entry, in publication order (chain, then rank)."""
    out = []
    for e in iter_entries(doc):
        f, i, pay = e["forecast"], e["indicators"], e["pay_guidance"]
        out.append(
            {
                "chain_code": e["chain"]["code"],
                "chain_zh": e["chain"]["name_zh"],
                "chain_en": e["chain"]["name_en"],
                "rank": e["rank"],
                "urgency_zh": e["urgency"]["name_zh"],
                "urgency_en": e["urgency"]["name_en"],
                "occupation_code": e["occupation"]["code"],
                "occupation_zh": e["occupation"]["name_zh"],
                "occupation_en": e["occupation"]["name_en"],
                "segment_code": e["segment"]["code"],
                "segment_zh": e["segment"]["name_zh"],
                "segment_en": e["segment"]["name_en"],
                "zones_zh": "、".join(z["name_zh"] for z in e["zones"]),
                "zones_en": "; ".join(z["name_en"] for z in e["zones"]),
                "talent_levels_zh": "、".join(t["name_zh"] for t in e["talent_levels"]),
                "talent_levels_en": "; ".join(t["name_en"] for t in e["talent_levels"]),
                "education_zh": e["education"]["name_zh"],
                "education_en": e["education"]["name_en"],
                "experience_years": e["experience_years"],
                "pay_low": pay["low"],
                "pay_high": pay["high"],
                "forecast_postings": f["postings"],
                "forecast_job_seekers": f["job_seekers"],
                "demand_gap": f["demand_gap"],
                "demand_gap_lo80": f["demand_gap_lo80"],
                "demand_gap_hi80": f["demand_gap_hi80"],
                "shortage_index": i["shortage_index"],
                "p_short": i["p_short"],
                "points": i["points"],
                "candidates_in_pool": e["candidates_in_pool"],
                "reasons_zh": "；".join(x["zh"] for x in e["reasons"]),
                "reasons_en": "; ".join(x["en"] for x in e["reasons"]),
            }
        )
    return out


def escape_cell(value) -> str | int | float:
    """A value safe for a spreadsheet: text starting with = + - @ (or tab/CR) gets a leading apostrophe.

    Numbers, and text that *is* a number ("-12.5"), pass unchanged: a negative gap stays a number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not NUMBER.match(text):
        return "'" + text
    return text


def _fmt(value) -> str:
    v = escape_cell(value)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def to_csv(doc: Mapping) -> bytes:
    """UTF-8 with BOM (Excel reads the Chinese correctly), CRLF, a header row of column codes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c for c, _, _ in COLUMNS])
    for row in rows(doc):
        writer.writerow([_fmt(row[c]) for c, _, _ in COLUMNS])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _sheet_title(code: str, name_zh: str) -> str:
    bad = re.compile(r"[\[\]:*?/\\]")
    return bad.sub(" ", f"{code} {name_zh}")[:31]


def to_xlsx(doc: Mapping, method_lines: list[tuple[str, str]]) -> bytes:
    """One sheet per chain (bilingual header rows) and a method sheet; reproducible bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    cover = wb.active
    cover.title = "说明 Method"
    cover.append([doc["title"]["zh"]])
    cover.append([doc["title"]["en"]])
    cover.append([doc["issuer"]["zh"], doc["issuer"]["en"]])
    cover.append([doc["notice"]["zh"], doc["notice"]["en"]])
    cover.append([])
    for zh, en in method_lines:
        cover.append([escape_cell(zh), escape_cell(en)])
    cover["A1"].font = Font(bold=True, size=14, color="B22222")
    cover.column_dimensions["A"].width = 70
    cover.column_dimensions["B"].width = 90
    head = PatternFill("solid", fgColor="F3E3E3")
    all_rows = rows(doc)
    for chain in doc["chains"]:
        ws = wb.create_sheet(_sheet_title(chain["code"], chain["name_zh"]))
        ws.append([zh for _, zh, _ in COLUMNS])
        ws.append([en for _, _, en in COLUMNS])
        for cell in (*ws[1], *ws[2]):
            cell.font = Font(bold=True)
            cell.fill = head
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in (x for x in all_rows if x["chain_code"] == chain["code"]):
            ws.append([escape_cell(row[c]) for c, _, _ in COLUMNS])
        ws.freeze_panes = "A3"
        for col, width in (("H", 18), ("I", 28), ("AE", 60), ("AF", 80)):
            ws.column_dimensions[col].width = width
    wb.properties.creator = "TalentCluster"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "TalentCluster"
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and core properties so that equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = stamp.sub(rb"\g<1>2000-01-01T00:00:00Z\g<3>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)
    return out.getvalue()
