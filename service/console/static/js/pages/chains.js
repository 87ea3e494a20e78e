// Bureau: an industry chain upstream → downstream, each segment with its occupations, and the chain's
// occupation structure as a chart. Coloured by shortage once /v1/shortages answers; reference otherwise.

import { barChart } from "../charts.js";
import { fmtNumber, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { fetchShortages, shortageColour } from "../shortage.js";
import { card, h, notice } from "../ui.js";

const ROLES = ["bureau_analyst", "admin"];
const STREAMS = ["upstream", "midstream", "downstream"];

function occupationRow(link, shortage, heaviest) {
  const s = shortage && shortage.byOccupation.get(link.occupation_code);
  const colour = s ? shortageColour(s.index) : null;
  return h("li.occ", { "data-code": link.occupation_code },
    h("span.occ-name", nm(link)),
    s ? h("span.occ-index", { style: { background: colour } }, fmtNumber(s.index, { maximumFractionDigits: 2 })) : null,
    h("span.occ-bar", { title: `${t("chains.weight")} ${fmtNumber(link.weight, { maximumFractionDigits: 2 })}` },
      h("span.occ-bar-fill", { style: { width: `${Math.round(100 * link.weight / heaviest)}%`, background: colour || "" } })));
}

function segmentCard(segment, shortage) {
  let links = [...segment.occupations];
  if (shortage) {
    const idx = (l) => shortage.byOccupation.get(l.occupation_code)?.index ?? -Infinity;
    links.sort((a, b) => idx(b) - idx(a));
  } else links.sort((a, b) => b.weight - a.weight);
  const s = shortage && shortage.bySegment.get(segment.code);
  return h("article.segment", { "data-segment": segment.code, style: s ? { borderTopColor: shortageColour(s.index) } : {} },
    h("header.segment-head", h("span.segment-pos", String(segment.position)), h("h3", nm(segment))),
    h("div.segment-meta", `${segment.code} · ${fmtNumber(segment.occupations.length)} ${t("chains.occupations")}`),
    h("ol.occ-list", links.slice(0, 6).map((l) => occupationRow(l, shortage, Math.max(...links.map((x) => x.weight)) || 1))));
}

async function render(view, params, ctx) {
  const industries = await ref.industries();
  const code = params.code || industries[0].code;
  const [chain, shortage] = await Promise.all([ref.chain(code), fetchShortages({ industry: code })]);
  const picker = h("div.chips", { role: "tablist", "aria-label": t("chains.pick") }, industries.map((i) =>
    h(`a.chip${i.code === code ? ".active" : ""}`, { href: `#/chains/${i.code}`, role: "tab", "aria-selected": i.code === code ? "true" : "false" }, nm(i))));
  const flow = h("div.flow", STREAMS.map((stream, i) => {
    const segments = chain.segments.filter((s) => s.stream === stream);
    if (!segments.length) return null;
    return [i ? h("div.flow-arrow", { "aria-hidden": "true" }, "→") : null,
      h("div.flow-col", h("h3.flow-title", t(`stream.${stream}`)), segments.map((s) => segmentCard(s, shortage)))];
  }));
  const totals = new Map();
  for (const s of chain.segments) for (const l of s.occupations) {
    const row = totals.get(l.occupation_code) || { label: nm(l), value: 0 };
    row.value += l.weight;
    if (shortage) row.colour = shortageColour(shortage.byOccupation.get(l.occupation_code)?.index) || undefined;
    totals.set(l.occupation_code, row);
  }
  const top = [...totals.values()].sort((a, b) => b.value - a.value).slice(0, 15);
  const chart = h("div.chart", { "data-testid": "chain-chart" });
  view.append(
    h("div.page-head", h("h1", t("chains.title"), " · ", nm(chain.industry))),
    card(null, picker),
    shortage ? null : notice(t("shortage.reference")),
    card(t("chains.flow"), flow),
    card(t("chains.chart.title"), chart),
  );
  await barChart(chart, top, { xTitle: t("chains.chart.x"), yTitle: t("chains.chart.y") });
}

export const pages = [
  { id: "chains", path: "/chains", roles: ROLES, nav: { key: "nav.chains", order: 10 }, render },
  { id: "chain", path: "/chains/:code", roles: ROLES, render },
];
