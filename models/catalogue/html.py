"""The bilingual HTML publication: cover, contents, overview, a chart and table per chain, changes, method.

One self-contained file (inline CSS and SVG, no script, no external resource), laid out as a printed
government document; a CSS-only switch shows Chinese, English or both.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from models.catalogue.charts import URGENCY_COLOURS, gap_chart, overview_chart, seal
from models.catalogue.method import method_paragraphs
from models.catalogue.rules import LEVELS

CN_NUM = "一二三四五六七八九十"

CSS = """
:root{--red:#c8161d;--ink:#1d1d1d;--muted:#666;--rule:#d9d4cc;--paper:#fffdf8}
*{box-sizing:border-box}
body{margin:0;background:#e9e6e0;color:var(--ink);font:15px/1.65 "Noto Serif CJK SC","Source Han Serif SC",
"Songti SC",SimSun,"Noto Sans CJK SC","Microsoft YaHei",serif}
.toolbar{position:sticky;top:0;z-index:5;background:#2b2b2b;color:#eee;padding:6px 18px;font:13px sans-serif;
display:flex;gap:14px;align-items:center}
.toolbar label{cursor:pointer;padding:2px 10px;border:1px solid #777;border-radius:3px}
.toolbar .demo{margin-left:auto;color:#ffcf70}
input.lang{position:absolute;opacity:0;pointer-events:none}
#lang-zh:checked~.toolbar label[for=lang-zh],#lang-en:checked~.toolbar label[for=lang-en],
#lang-both:checked~.toolbar label[for=lang-both]{background:#eee;color:#222}
#lang-zh:checked~main .en{display:none}
#lang-en:checked~main .zh{display:none}
#lang-both:checked~main td .en,#lang-both:checked~main .sub.en{display:block}
.en{color:#444;font-family:"Helvetica Neue",Arial,sans-serif}
#lang-both:checked~main span.zh+span.en{margin-left:.6em}
td .en,.sub.en{font-size:12px;color:var(--muted)}
main{max-width:1240px;margin:0 auto;padding:24px 0 60px}
.page{background:var(--paper);margin:0 0 26px;padding:48px 56px;box-shadow:0 1px 4px rgba(0,0,0,.18);
position:relative}
.cover{min-height:1180px;text-align:center;padding-top:90px}
.issuer{color:var(--red);font-size:44px;font-weight:bold;letter-spacing:6px;line-height:1.3}
.issuer.en{font-size:17px;letter-spacing:0;color:var(--red);font-weight:normal;margin-top:6px}
.docno{margin-top:26px;font-size:16px}
.redrule{border:0;border-top:3px solid var(--red);margin:12px 0 0;position:relative}
.redrule2{border:0;border-top:1px solid var(--red);margin:3px 0 70px}
h1{font-size:38px;margin:30px 0 8px;letter-spacing:3px}
h1.en{font-size:22px;letter-spacing:0;font-weight:normal;margin:0 0 40px}
.stats{display:flex;justify-content:center;gap:18px;margin:46px 0 36px}
.stat{border:1px solid var(--rule);padding:14px 22px;min-width:150px;background:#fff}
.stat b{display:block;font-size:32px;line-height:1.2}
.stat.severe b{color:#b3261e}.stat.marked b{color:#e07b39}.stat.moderate b{color:#b8891a}
.cover .meta{color:var(--muted);font-size:14px;margin-top:30px}
.cover .seal{position:absolute;right:120px;bottom:170px;opacity:.85;transform:rotate(-12deg)}
.notice{border:2px dashed #d08a00;background:#fff7e0;color:#7a4b00;padding:10px 16px;margin:34px auto 0;
max-width:760px;font-size:14px}
.dateline{position:absolute;right:110px;bottom:110px;font-size:18px;text-align:right}
h2{font-size:26px;border-bottom:2px solid var(--red);padding-bottom:6px;margin:0 0 4px}
h2 .en{font-size:17px;font-weight:normal;margin-left:10px}
h3{font-size:18px;margin:26px 0 8px}
.lead{color:var(--muted);margin:6px 0 18px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:10px}
th{background:#f3e3e3;border:1px solid #c9b5b5;padding:6px 5px;font-weight:bold;vertical-align:bottom}
th .en{font-weight:normal}
td{border:1px solid var(--rule);padding:5px 6px;vertical-align:top}
tbody tr:nth-child(4n+3) td,tbody tr:nth-child(4n+4) td{background:#faf7f1}
tr.why td{border-top:0;font-size:12px;color:#444;padding-top:0;padding-bottom:8px}
tr.why .en{display:block;color:var(--muted)}
tr.why .zh b,tr.why .en b{color:#8a1c1c}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.rank{text-align:center}
.badge{display:inline-block;color:#fff;padding:0 6px;border-radius:2px;font-size:12px;white-space:nowrap}
.ci{display:block;font-size:12px;color:var(--muted)}
.reasons{margin:0;padding-left:16px;font-size:12px}
.reasons li{margin:0 0 2px}
.toc{list-style:none;padding:0;font-size:16px}
.toc li{display:flex;border-bottom:1px dotted #bbb;padding:6px 0}
.toc a{color:var(--ink);text-decoration:none}
.toc .n{margin-left:auto;color:var(--muted)}
.method p{margin:0 0 14px;text-indent:2em}
.method p.en{text-indent:0}
.prov{font-family:monospace;font-size:12px;word-break:break-all;color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
footer{text-align:center;color:var(--muted);font-size:12px;margin-top:10px}
@media print{body{background:#fff}.toolbar{display:none}
.page{box-shadow:none;page-break-after:always;margin:0}}
"""


def _bi(zh: str, en: str, tag: str = "span") -> str:
    return f'<{tag} class="zh">{escape(zh)}</{tag}><{tag} class="en">{escape(en)}</{tag}>'


def _num(v, nd: int = 0) -> str:
    return "—" if v is None else f"{v:,.{nd}f}"


def _badge(u: Mapping) -> str:
    colour = URGENCY_COLOURS[u["code"]]
    return (
        f'<span class="badge" style="background:{colour}">{escape(u["name_zh"])}</span>'
        f'<span class="en">{escape(u["name_en"])}</span>'
    )


def _entry_row(e: Mapping) -> str:
    f, pay = e["forecast"], e["pay_guidance"]
    levels_zh = "、".join(t["name_zh"] for t in e["talent_levels"]) or "—"
    levels_en = "; ".join(t["name_en"] for t in e["talent_levels"]) or "—"
    zones_zh = "、".join(z["name_zh"] for z in e["zones"]) or "—"
    zones_en = "; ".join(z["name_en"] for z in e["zones"]) or "—"
    pay_txt = f"{pay['low']:,}–{pay['high']:,}" if pay["low"] is not None else "—"
    reasons_zh = "；".join(x["zh"] for x in e["reasons"])
    reasons_en = "; ".join(x["en"] for x in e["reasons"])
    seg = e["segment"]
    seg_zh, seg_stream, seg_en, seg_stream_en = (
        seg["name_zh"],
        seg["stream_zh"],
        seg["name_en"],
        seg["stream"],
    )
    return (
        "<tr>"
        f'<td class="rank">{e["rank"]}</td>'
        f'<td><b class="zh">{escape(e["occupation"]["name_zh"])}</b>'
        f'<span class="en">{escape(e["occupation"]["name_en"])}</span>'
        f'<span class="sub en">{escape(e["occupation"]["code"])}</span></td>'
        f"<td>{_bi(f'{seg_zh}（{seg_stream}）', f'{seg_en} ({seg_stream_en})')}</td>"
        f"<td>{_badge(e['urgency'])}</td>"
        f"<td>{_bi(levels_zh, levels_en)}</td>"
        f"<td>{_bi(e['education']['name_zh'], e['education']['name_en'])}"
        f'<span class="zh">{e["experience_years"]}年以上经验</span>'
        f'<span class="en">{e["experience_years"]}+ years</span></td>'
        f'<td class="num">{pay_txt}</td>'
        f'<td class="num">{_num(f["demand_gap"])}<span class="ci">'
        f"{_num(f['demand_gap_lo80'])} – {_num(f['demand_gap_hi80'])}</span></td>"
        f'<td class="num">{e["indicators"]["shortage_index"]:.2f}</td>'
        f"<td>{_bi(zones_zh, zones_en)}</td>"
        f'<td class="num">{e["candidates_in_pool"]:,}</td>'
        "</tr>"
        f'<tr class="why"><td></td><td colspan="{len(TABLE_HEAD) - 1}">'
        f'<span class="zh"><b>列入理由：</b>{escape(reasons_zh)}。</span>'
        f'<span class="en"><b>Reasons:</b> {escape(reasons_en)}.</span></td></tr>'
    )


TABLE_HEAD = (
    ("序号", "No."),
    ("职业", "Occupation"),
    ("产业链环节", "Chain segment"),
    ("紧缺程度", "Urgency"),
    ("人才层次", "Talent level"),
    ("学历与经验", "Education, experience"),
    ("薪酬指导（元/月）", "Pay guidance (CNY/month)"),
    ("预测缺口（80%区间）", "Forecast gap (80% interval)"),
    ("求人倍率", "Shortage index"),
    ("重点区域", "Zones"),
    ("库内人才", "Candidates in pool"),
)


def _chain_section(k: int, chain: Mapping) -> str:
    n = len(chain["entries"])
    head = "".join(f"<th>{_bi(zh, en)}</th>" for zh, en in TABLE_HEAD)
    body = "".join(_entry_row(e) for e in chain["entries"])
    counts = {lv.code: sum(e["urgency"]["code"] == lv.code for e in chain["entries"]) for lv in LEVELS}
    lead_zh = (
        f"共{n}项，其中特别紧缺{counts['severe']}项、比较紧缺{counts['marked']}项、一般紧缺{counts['moderate']}项。"
        f"产业链战略权重{chain['strategic_weight']:.2f}。"
    )
    lead_en = (
        f"{n} entries: {counts['severe']} severe, {counts['marked']} marked, {counts['moderate']} moderate. "
        f"Strategic weight of the chain {chain['strategic_weight']:.2f}."
    )
    content = (
        f"{gap_chart(chain['entries'])}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if n
        else _bi(
            "本年度该产业链无职业达到列入标准。",
            "No occupation of this chain meets the entry rule this year.",
            "p",
        )
    )
    return (
        f'<section class="page chain" id="chain-{escape(chain["code"])}">'
        f'<h2><span class="zh">{_cn(k)}、{escape(chain["name_zh"])}产业链</span>'
        f'<span class="en">{k}. {escape(chain["name_en"])}</span></h2>'
        f'<p class="lead">{_bi(lead_zh, lead_en)}</p>{content}</section>'
    )


def _cn(k: int) -> str:
    if k <= 10:
        return CN_NUM[k - 1]
    if k < 20:
        return "十" + CN_NUM[k - 11]
    return CN_NUM[k // 10 - 1] + "十" + (CN_NUM[k % 10 - 1] if k % 10 else "")


def _diff_section(diff: Mapping | None, k: int) -> str:
    title = (
        f'<h2><span class="zh">{_cn(k)}、与上一版目录相比的变化</span>'
        f'<span class="en">{k}. Changes since the previous edition</span></h2>'
    )
    if not diff or not diff.get("previous"):
        body = _bi(
            "本版为首次发布，无可比较的上一版目录。",
            "First edition: there is no previous edition to compare with.",
            "p",
        )
        return f'<section class="page" id="changes">{title}{body}</section>'
    parts = [
        f'<p class="lead">{_bi("比较对象：" + diff["previous"], "Compared with: " + diff["previous"])}</p>'
    ]
    for key, zh, en in (
        ("added", "新增职业", "Added"),
        ("removed", "移出职业", "Removed"),
        ("urgency_changed", "紧缺程度调整", "Urgency changed"),
    ):
        items = diff.get(key, [])
        parts.append(f"<h3>{_bi(f'{zh}（{len(items)}项）', f'{en} ({len(items)})')}</h3>")
        if not items:
            parts.append(_bi("无。", "None.", "p"))
            continue
        rows = "".join(
            f"<tr><td>{_bi(x['chain_name_zh'], x['chain_name_en'])}</td>"
            f'<td><b class="zh">{escape(x["name_zh"])}</b><span class="en">{escape(x["name_en"])}</span></td>'
            f"<td>{_bi(x['reason_zh'], x['reason_en'])}</td></tr>"
            for x in items
        )
        parts.append(
            f"<table><thead><tr><th>{_bi('产业链', 'Chain')}</th><th>{_bi('职业', 'Occupation')}</th>"
            f"<th>{_bi('原因', 'Reason')}</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return f'<section class="page" id="changes">{title}{"".join(parts)}</section>'


def _month_zh(ym: str) -> str:
    y, m = ym[:4], int(ym[5:7])
    return f"{y}年{m}月"


def to_html(doc: Mapping, diff: Mapping | None, *, edition_code: str, content_sha256: str) -> bytes:
    """The publication as UTF-8 bytes; deterministic in its inputs."""
    chains = doc["chains"]
    s = doc["summary"]
    end = doc["provenance"]["data_window"]["end"]
    y_end, m_end = int(end[:4]), int(end[5:7])
    issued = f"{y_end + (m_end == 12)}年{m_end % 12 + 1}月"
    issued_en = f"{y_end + (m_end == 12)}-{m_end % 12 + 1:02d}"
    toc = "".join(
        f'<li><a href="#chain-{escape(c["code"])}">'
        + _bi(_cn(k) + "、" + c["name_zh"] + "产业链", f"{k}. " + c["name_en"])
        + f'</a><span class="n">{len(c["entries"])}</span></li>'
        for k, c in enumerate(chains, start=1)
    )
    n = len(chains)
    toc += (
        '<li><a href="#changes"'
        f">{_bi(f'{_cn(n + 1)}、与上一版目录相比的变化', f'{n + 1}. Changes since the previous edition')}"
        "</a></li>"
        f'<li><a href="#method">{_bi(f"{_cn(n + 2)}、编制说明", f"{n + 2}. Method")}</a></li>'
    )
    stats = "".join(
        f'<div class="stat {lv.code}"><b>{s["by_urgency"][lv.code]}</b'
        f">{_bi(lv.name_zh, lv.name_en, 'div')}</div>"
        for lv in LEVELS
    )
    method = "".join(
        f'<p class="zh">{escape(zh)}</p><p class="en">{escape(en)}</p>' for zh, en in method_paragraphs(doc)
    )
    models = doc["provenance"].get("models", {})
    prov = "<br>".join(
        [
            f"edition {escape(edition_code)} · rules {escape(doc['rules_version'])} · seed"
            f" {doc['provenance']['seed']}"
        ]
        + [
            f"{escape(k)}: {escape(str(v.get('version', '')))} (data sha256"
            f" {escape(str(v.get('data_sha256', ''))[:16])}…)"
            for k, v in models.items()
        ]
        + [f"content sha256 {content_sha256}"]
    )
    docno = _bi(f"京人才办发〔{y_end}〕00号（示例）", f"Ref. Jing Rencai Ban Fa [{y_end}] No. 00 (sample)")
    rv = doc["rules_version"]
    meta = _bi(
        f"版本编号 {edition_code} · 规则版本 {rv} · 数据截至{_month_zh(end)}",
        f"Edition {edition_code} · rules {rv} · data to {end[:7]}",
        "div",
    )
    overview_title = _bi("总览：各产业链目录职业数", "Overview: entries per chain")
    method_title = f'<span class="zh">{_cn(n + 2)}、编制说明</span><span class="en">{n + 2}. Method</span>'
    html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="TalentCluster catalogue, rules {escape(doc["rules_version"])}">
<title>{escape(doc["title"]["zh"])} | {escape(doc["title"]["en"])}</title>
<style>{CSS}</style></head>
<body>
<input class="lang" type="radio" name="lang" id="lang-both" checked>
<input class="lang" type="radio" name="lang" id="lang-zh">
<input class="lang" type="radio" name="lang" id="lang-en">
<div class="toolbar"><span>语言 Language</span><label for="lang-both">中英对照 Bilingual</label>
<label for="lang-zh">中文</label><label for="lang-en">English</label>
<span class="demo">演示数据 · Demo from simulated data</span></div>
<main>
<section class="page cover">
<div class="issuer zh">{escape(doc["issuer"]["zh"])}</div>
<div class="issuer en">{escape(doc["issuer"]["en"])}</div>
<div class="docno">{docno}</div>
<hr class="redrule"><hr class="redrule2">
<h1 class="zh">{escape(doc["title"]["zh"])}</h1>
<h1 class="en">{escape(doc["title"]["en"])}</h1>
<div class="stats"><div class="stat"><b>{s["entries"]}</b>{_bi("目录职业", "entries", "div")}</div>{stats}
<div class="stat"><b>{s["chains_with_entries"]}</b>{_bi("产业链", "chains", "div")}</div></div>
<div class="notice">{_bi(doc["notice"]["zh"], doc["notice"]["en"], "div")}</div>
<div class="meta">{meta}</div>
{seal()}
<div class="dateline">{_bi(issued, issued_en, "div")}</div>
</section>
<section class="page"><h2>{_bi("目　录", "Contents")}</h2><ol class="toc">{toc}</ol>
<h3>{overview_title}</h3>{overview_chart(chains, LEVELS)}</section>
{"".join(_chain_section(k, c) for k, c in enumerate(chains, start=1))}
{_diff_section(diff, n + 1)}
<section class="page method" id="method"><h2>{method_title}</h2>
{method}<h3>{_bi("版本与来源", "Edition and provenance")}</h3><p class="prov">{prov}</p></section>
<footer>{_bi(doc["notice"]["zh"], doc["notice"]["en"], "div")}</footer>
</main></body></html>
"""
    return html.encode("utf-8")
