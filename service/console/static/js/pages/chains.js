// Bureau: an industry chain upstream → downstream, each segment coloured by its shortage index and
// listing its most likely short occupations (each a link to its forecast page); the chain's occupation
// structure as a chart. Reference-only (weights) where no forecast run serves.

import { barChart, loadPlotly } from "../charts.js";
import { fmtNumber, fmtPercent, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { fetchShortages, horizons, shortageColour } from "../shortage.js";
import { card, h, notice } from "../ui.js";

const ROLES = ["bureau_analyst", "admin"];
const STREAMS = ["upstream", "midstream", "downstream"];
const TOP = 5;

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

export function occupationHref(code, segment, horizon) {
  const q = new URLSearchParams({ segment, horizon: String(horizon) });
  return `#/occupation/${encodeURIComponent(code)}?${q}`;
}

function referenceRow(link, heaviest) {
  return h("li.occ", { "data-code": link.occupation_code },
    h("span.occ-name", nm(link)),
    h("span"),
    h("span.occ-bar", { title: `${t("chains.weight")} ${fmtNumber(link.weight, { maximumFractionDigits: 2 })}` },
      h("span.occ-bar-fill", { style: { width: `${Math.round(100 * link.weight / heaviest)}%` } })));
}

function shortRow(o, segment, horizon) {
  const colour = shortageColour(o.shortage_index);
  return h("li.occ.occ-short", { "data-code": o.occupation_code, "data-rank": String(o.rank) },
    h("a.occ-name", { href: occupationHref(o.occupation_code, segment, horizon), title: nm(o) },
      h("span.occ-rank", String(o.rank)), nm(o)),
    h("span.occ-index", { style: { background: colour }, title: t("shortage.index") }, fmtNumber(o.shortage_index, { maximumFractionDigits: 2 })),
    h("span.occ-prob", { title: t("shortage.probability") }, fmtPercent(o.p_short)));
}

function segmentCard(segment, block, horizon) {
  const summary = block && block.summary;
  const head = h("header.segment-head", h("span.segment-pos", String(segment.position)), h("h3", nm(segment)));
  const meta = summary
    ? h("div.segment-meta", `${t("shortage.index")} ${fmtNumber(summary.shortage_index, { maximumFractionDigits: 2 })} · ${t("shortage.probability")} ${fmtPercent(summary.p_short)}`)
    : h("div.segment-meta", `${segment.code} · ${fmtNumber(segment.occupations.length)} ${t("chains.occupations")}`);
  let list;
  if (block && block.occupations.length) {
    list = h("ol.occ-list", { "data-testid": "short-occupations" }, block.occupations.slice(0, TOP).map((o) => shortRow(o, segment.code, horizon)));
  } else {
    const links = [...segment.occupations].sort((a, b) => b.weight - a.weight);
    const heaviest = Math.max(...links.map((x) => x.weight)) || 1;
    list = [block ? h("p.hint", t("chains.noforecast")) : null, h("ol.occ-list", links.slice(0, TOP).map((l) => referenceRow(l, heaviest)))];
  }
  return h("article.segment", {
    "data-segment": segment.code,
    style: summary ? { borderTopColor: shortageColour(summary.shortage_index) } : {},
  }, head, meta, list);
}

async function render(view, params) {
  loadPlotly().catch(() => {}); // fetched while the data is, not after it
  const industries = await ref.industries();
  const code = params.code || industries[0].code;
  const options = await horizons();
  const wanted = Number(hashQuery().get("horizon"));
  const horizon = options.includes(wanted) ? wanted : options.includes(12) ? 12 : options[options.length - 1];
  const [chain, shortage] = await Promise.all([ref.chain(code), fetchShortages({ industry: code, horizon, limit: TOP })]);
  const blocks = new Map((shortage ? shortage.segments : []).map((s) => [s.segment_code, s]));
  const picker = h("div.chips", { role: "tablist", "aria-label": t("chains.pick") }, industries.map((i) =>
    h(`a.chip${i.code === code ? ".active" : ""}`, { href: `#/chains/${i.code}?horizon=${horizon}`, role: "tab", "aria-selected": i.code === code ? "true" : "false" }, nm(i))));
  const horizonPicker = shortage ? h("div.chips.chips-small", { "aria-label": t("shortage.horizon") },
    h("span.field-label", t("shortage.horizon")),
    options.map((x) => h(`a.chip${x === horizon ? ".active" : ""}`, { href: `#/chains/${code}?horizon=${x}`, "data-horizon": String(x) }, t("shortage.months", { n: x })))) : null;
  const flow = h("div.flow", STREAMS.map((stream, i) => {
    const segments = chain.segments.filter((s) => s.stream === stream);
    if (!segments.length) return null;
    return [i ? h("div.flow-arrow", { "aria-hidden": "true" }, "→") : null,
      h("div.flow-col", h("h3.flow-title", t(`stream.${stream}`)), segments.map((s) => segmentCard(s, shortage ? blocks.get(s.code) : null, horizon)))];
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
  const legend = shortage ? h("div.legend",
    h("span", t("shortage.index")),
    [0.8, 1.0, 1.5, 2.0].map((x) => [h("span.swatch", { style: { background: shortageColour(x) } }), fmtNumber(x, { minimumFractionDigits: 1 })]),
    h("span.hint", ` · ${t("shortage.legend.note")}`)) : null;
  view.append(
    h("div.page-head", h("h1", t("chains.title"), " · ", nm(chain.industry)),
      shortage ? h("span.muted", `${t("models.version")} ${shortage.raw.model_version}`) : null),
    card(null, picker, horizonPicker),
    shortage ? null : notice(t("shortage.reference")),
    card(shortage ? t("chains.flow.short", { n: horizon }) : t("chains.flow"), flow, legend),
    card(t("chains.chart.title"), chart),
  );
  await barChart(chart, top, { xTitle: t("chains.chart.x"), yTitle: t("chains.chart.y") });
}

export const pages = [
  { id: "chains", path: "/chains", roles: ROLES, nav: { key: "nav.chains", order: 10 }, render },
  { id: "chain", path: "/chains/:code", roles: ROLES, render },
];
