// Bureau: the shortage overview — function zones and districts as a tile map (grid_row/grid_col from
// /v1/zones) coloured by the forecast shortage index over the chosen horizon, filtered by industry or
// cluster. Where no forecast run serves, tiles show the industry's intensity (reference data) instead.

import { barChart, loadPlotly } from "../charts.js";
import { fmtNumber, label, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { horizons, shortageColour, zoneIndices } from "../shortage.js";
import { card, clear, h, notice } from "../ui.js";

const ROLES = ["bureau_analyst", "admin"];
const KIND_COLOUR = { core_function_zone: "#1f4e8c", new_function_zone: "#3a7bc8", district: "#8aa9cf" };
export const CLUSTERS = ["finance", "high_tech", "cultural_creative", "strategic_emerging"];

function intensityColour(x) {
  const a = 0.12 + 0.88 * Math.max(0, Math.min(1, x));
  return `rgba(31, 78, 140, ${a.toFixed(2)})`;
}

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

function go(changes) {
  const q = hashQuery();
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  location.hash = `/zones${q.toString() ? "?" + q : ""}`;
}

async function render(view) {
  loadPlotly().catch(() => {}); // fetched while the data is, not after it
  const [zones, industries, options] = await Promise.all([ref.zones(), ref.industries(), horizons()]);
  const q = hashQuery();
  const industry = q.get("industry") || "";
  const cluster = industry ? "" : q.get("cluster") || "";
  const wanted = Number(q.get("horizon"));
  const horizon = options.includes(wanted) ? wanted : options.includes(12) ? 12 : options[options.length - 1];
  const indices = await zoneIndices({ industry, cluster, horizon });
  const shortage = indices && indices.size ? indices : null;
  const rows = Math.max(...zones.map((z) => z.grid_row));
  const cols = Math.max(...zones.map((z) => z.grid_col));
  const detail = card(null, h("p.hint", t("zones.pick")));
  detail.dataset.testid = "zone-detail";

  async function show(zone) {
    const s = shortage && shortage.get(zone.code);
    clear(detail).append(h("h2.card-title", nm(zone)),
      h("p.muted", `${label("zone.kind", zone.kind)} · ${zone.code}`),
      s ? h("p.zone-figure", `${t("shortage.index")} ${fmtNumber(s.index, { maximumFractionDigits: 2 })} · ${t("zones.postings.sum", { n: horizon })} ${fmtNumber(s.postings, { maximumFractionDigits: 0 })} · ${t("zones.seekers.sum", { n: horizon })} ${fmtNumber(s.job_seekers, { maximumFractionDigits: 0 })}`) : null,
      h("p", h("a.btn.btn-small", { href: `#/indicators?zone=${zone.code}`, "data-testid": "zone-indicators" }, t("zones.indicators"))));
    const chart = h("div.chart");
    detail.append(chart);
    const rowsOf = Object.entries(zone.industries).map(([code, value]) => ({
      label: nm(industries.find((i) => i.code === code)) || code, value,
      colour: code === industry ? "#c0392b" : undefined,
    }));
    await barChart(chart, rowsOf, { title: t("zones.chart.title"), xTitle: t("zones.chart.x"), yTitle: t("zones.chart.y"), height: 60 + 30 * rowsOf.length });
  }

  const grid = h("div.tilemap", { "data-testid": "tilemap", style: { gridTemplateColumns: `repeat(${cols}, 1fr)`, gridTemplateRows: `repeat(${rows}, minmax(76px, auto))` } },
    zones.map((z) => {
      const s = shortage && shortage.get(z.code);
      const intensity = industry ? (z.industries[industry] || 0) : null;
      let background;
      let value;
      if (shortage) {
        background = s && s.index !== null ? shortageColour(s.index) : "#d5dbe3";
        value = s ? `${t("shortage.index")} ${fmtNumber(s.index, { maximumFractionDigits: 2 })}` : t("zones.nodata");
      } else if (industry) {
        background = intensityColour(intensity);
        value = `${t("zones.intensity")} ${fmtNumber(intensity, { maximumFractionDigits: 2 })}`;
      } else {
        background = KIND_COLOUR[z.kind] || "#8aa9cf";
        value = label("zone.kind", z.kind);
      }
      const dark = shortage ? Boolean(s && s.index !== null) : !industry || intensity > 0.45;
      return h(`button.tile${dark ? ".tile-dark" : ""}`, {
        type: "button", "data-zone": z.code, title: nm(z), "data-index": s && s.index !== null ? s.index.toFixed(3) : null, "data-forecast": s ? "true" : null,
        style: { gridRow: String(z.grid_row), gridColumn: String(z.grid_col), background },
        on: { click: () => show(z) },
      }, h("span.tile-name", nm(z)), h("span.tile-value", value));
    }));

  const industryFilter = h("select.input.input-inline", {
    "aria-label": t("zones.filter"), name: "industry",
    on: { change: (ev) => go({ industry: ev.target.value, cluster: "" }) },
  }, h("option", { value: "" }, t("zones.filter.all")),
  industries.map((i) => h("option", { value: i.code, selected: i.code === industry }, nm(i))));
  const clusterFilter = h("select.input.input-inline", {
    "aria-label": t("zones.cluster"), name: "cluster",
    on: { change: (ev) => go({ cluster: ev.target.value, industry: "" }) },
  }, h("option", { value: "" }, t("zones.cluster.all")),
  CLUSTERS.map((c) => h("option", { value: c, selected: c === cluster }, label("cluster", c))));
  const horizonFilter = indices ? h("select.input.input-small", {
    "aria-label": t("shortage.horizon"), name: "horizon",
    on: { change: (ev) => go({ horizon: ev.target.value }) },
  }, options.map((x) => h("option", { value: String(x), selected: x === horizon }, t("shortage.months", { n: x })))) : null;

  const legend = shortage
    ? h("div.legend", h("span", t("shortage.index")),
      [0.8, 1.0, 1.5, 2.0].map((x) => [h("span.swatch", { style: { background: shortageColour(x) } }), fmtNumber(x, { minimumFractionDigits: 1 })]),
      h("span.swatch", { style: { background: "#d5dbe3" } }), t("zones.nodata"),
      h("span.hint", ` · ${t("shortage.legend.note")}`))
    : industry
      ? h("div.legend", h("span.swatch", { style: { background: intensityColour(0.05) } }), "0",
        h("span.swatch", { style: { background: intensityColour(1) } }), "1", " ", t("zones.intensity"))
      : h("div.legend", Object.entries(KIND_COLOUR).map(([k, c]) => [h("span.swatch", { style: { background: c } }), label("zone.kind", k)]));

  view.append(
    h("div.page-head", h("h1", t("zones.title")),
      h("div.filters",
        h("label.inline", h("span.field-label", t("zones.filter")), industryFilter),
        h("label.inline", h("span.field-label", t("zones.cluster")), clusterFilter),
        horizonFilter ? h("label.inline", h("span.field-label", t("shortage.horizon")), horizonFilter) : null)),
    indices ? (shortage ? h("p.muted", t("zones.lead", { n: horizon })) : notice(t("zones.empty"))) : notice(t("shortage.reference")),
    h("div.split", card(null, grid, legend), detail),
  );
}

export const pages = [
  { id: "zones", path: "/zones", roles: ROLES, nav: { key: "nav.zones", order: 20 }, render },
];
