"""Inline SVG charts for the HTML publication: no script, no CDN, readable offline and in print."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

URGENCY_COLOURS = {"severe": "#b3261e", "marked": "#e07b39", "moderate": "#e0b43c"}
INK, GRID, MUTED = "#222", "#d9d4cc", "#6b6b6b"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1-2-5 steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 10))
    return ticks


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:g}"


def gap_chart(entries: Sequence[Mapping], *, width: int = 940) -> str:
    """Horizontal bars: each entry's forecast gap (postings − job seekers) with its 80 % interval."""
    if not entries:
        return ""
    label_w, right, top, row = 400, 30, 46, 24
    height = top + row * len(entries) + 34
    lo = min(0.0, *(e["forecast"]["demand_gap_lo80"] or 0.0 for e in entries))
    hi = max(1.0, *(e["forecast"]["demand_gap_hi80"] or 0.0 for e in entries))
    ticks = nice_ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]
    plot_w = width - label_w - right

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * plot_w

    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit">'
    ]
    out.append(
        f'<text x="{label_w}" y="14" font-size="12" fill="{MUTED}" class="zh">预测全年缺口'
        "（岗位需求−求职人数，人），线段为80%预测区间</text>"
        f'<text x="{label_w}" y="30" font-size="12" fill="{MUTED}" class="en">Forecast gap for the year '
        "(postings − job seekers); whiskers: 80% interval</text>"
    )
    for t in ticks:
        xt = x(t)
        out.append(f'<line x1="{xt:.1f}" y1="{top - 6}" x2="{xt:.1f}" y2="{height - 28}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{xt:.1f}" y="{height - 12}" font-size="11" fill="{MUTED}" text-anchor="middle">'
            f"{escape(_num(t))}</text>"
        )
    out.append(f'<line x1="{x(0):.1f}" y1="{top - 6}" x2="{x(0):.1f}" y2="{height - 28}" stroke="{INK}"/>')
    for k, e in enumerate(entries):
        y = top + k * row
        f = e["forecast"]
        gap, l80, h80 = f["demand_gap"] or 0.0, f["demand_gap_lo80"] or 0.0, f["demand_gap_hi80"] or 0.0
        colour = URGENCY_COLOURS[e["urgency"]["code"]]
        x0, x1 = sorted((x(0), x(gap)))
        name_zh, name_en = escape(e["occupation"]["name_zh"]), escape(e["occupation"]["name_en"])
        out.append(
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12.5" fill="{INK}" text-anchor="end">'
            f'<tspan class="zh">{e["rank"]}. {name_zh}</tspan>'
            f'<tspan class="en" font-size="11.5" fill="{MUTED}" dx="5">{name_en}</tspan></text>'
        )
        out.append(
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" height="{row - 8}" '
            f'fill="{colour}"><title>{name_zh} {name_en}: {_num(gap)} ({_num(l80)} – {_num(h80)})<'
            "/title></rect>"
        )
        ym = y + row / 2
        out.append(
            f'<line x1="{x(l80):.1f}" y1="{ym:.1f}" x2="{x(h80):.1f}" y2="{ym:.1f}" stroke="{INK}" '
            f'stroke-width="1.2"/>'
        )
        for v in (l80, h80):
            out.append(
                f'<line x1="{x(v):.1f}" y1="{ym - 5:.1f}" x2="{x(v):.1f}" y2="{ym + 5:.1f}" stroke="{INK}" '
                f'stroke-width="1.2"/>'
            )
    out.append("</svg>")
    return "".join(out)


def overview_chart(chains: Sequence[Mapping], levels: Sequence, *, width: int = 940) -> str:
    """Stacked bars: entries per chain by urgency level."""
    label_w, right, top, row = 230, 40, 40, 26
    height = top + row * len(chains) + 30
    top_n = max([len(c["entries"]) for c in chains] + [1])
    ticks = nice_ticks(0, top_n, 5)
    hi = ticks[-1]
    plot_w = width - label_w - right

    def x(v: float) -> float:
        return label_w + v / hi * plot_w

    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit">'
    ]
    lx = label_w
    for lv in levels:
        out.append(f'<rect x="{lx}" y="8" width="14" height="14" fill="{URGENCY_COLOURS[lv.code]}"/>')
        out.append(
            f'<text x="{lx + 20}" y="20" font-size="12.5" fill="{INK}"><tspan class="zh">{lv.name_zh}</tspan>'
            f'<tspan class="en" dx="4" fill="{MUTED}">{escape(lv.name_en)}</tspan></text>'
        )
        lx += 200
    for t in ticks:
        out.append(
            f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 24}" stroke="{GRID}"/>'
            f'<text x="{x(t):.1f}" y="{height - 8}" font-size="11" fill="{MUTED}" text-anchor="middle">'
            f"{t:g}</text>"
        )
    for k, c in enumerate(chains):
        y = top + k * row
        out.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="12.5" fill="{INK}" text-anchor="end">'
            f'<tspan class="zh">{escape(c["name_zh"])}</tspan>'
            f'<tspan class="en" dx="5" font-size="11.5" fill="{MUTED}">{escape(c["name_en"])}</tspan></text>'
        )
        acc = 0
        for lv in levels:
            n = sum(e["urgency"]["code"] == lv.code for e in c["entries"])
            if n:
                out.append(
                    f'<rect x="{x(acc):.1f}" y="{y + 4}" width="{x(acc + n) - x(acc):.1f}" height='
                    f'"{row - 8}" '
                    f'fill="{URGENCY_COLOURS[lv.code]}"><title>{escape(c["name_zh"])} {lv.name_zh}'
                    f": {n}</title></rect>"
                )
                acc += n
        out.append(f'<text x="{x(acc) + 5:.1f}" y="{y + 16}" font-size="11.5" fill="{MUTED}">{acc}</text>')
    out.append("</svg>")
    return "".join(out)


def seal(text_zh: str = "示例", text_en: str = "DEMO", size: int = 150) -> str:
    """A red round seal (公章) reading 示例 / DEMO, so nobody mistakes the page for a real issue."""
    c = size / 2
    star = []
    for k in range(10):
        rad = (size * 0.16) if k % 2 == 0 else (size * 0.065)
        a = -math.pi / 2 + k * math.pi / 5
        star.append(f"{c + rad * math.cos(a):.1f},{c - size * 0.06 + rad * math.sin(a):.1f}")
    return (
        f'<svg class="seal" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{text_zh} {text_en}">'
        f'<circle cx="{c}" cy="{c}" r="{c - 4}" fill="none" stroke="#c8161d" stroke-width="4"/>'
        f'<circle cx="{c}" cy="{c}" r="{c - 10}" fill="none" stroke="#c8161d" stroke-width="1"/>'
        f'<polygon points="{" ".join(star)}" fill="#c8161d"/>'
        f'<text x="{c}" y="{c + size * 0.25}" font-size="{size * 0.17:.0f}" fill="#c8161d" '
        f'text-anchor="middle" font-weight="bold">{text_zh}</text>'
        f'<text x="{c}" y="{c + size * 0.37}" font-size="{size * 0.09:.0f}" fill="#c8161d" '
        f'text-anchor="middle" letter-spacing="2">{text_en}</text></svg>'
    )
