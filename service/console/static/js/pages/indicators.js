// Bureau: indicators of a zone, a cluster or the whole city — scale over the last 12 months, the talent
// pool's structure by education, age and level, demand by occupation, and monthly change over time.

import { api } from "../api.js";
import { COLOURS, columnChart, loadPlotly, plot } from "../charts.js";
import { fmtNumber, fmtPercent, label, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { card, h, notice } from "../ui.js";
import { CLUSTERS } from "./zones.js";

const ROLES = ["bureau_analyst", "admin"];
const STRUCTURE = [["education", "edu"], ["age_band", null], ["talent_level", "level"]];

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

function signed(x) {
  if (x === null || x === undefined) return "—";
  return (x > 0 ? "+" : "") + fmtPercent(x);
}

function kpi(labelText, value, change, testid) {
  const cls = change === null || change === undefined ? "" : change > 0 ? ".up" : change < 0 ? ".down" : "";
  return h("div.kpi", { "data-testid": testid },
    h("div.kpi-label", labelText), h("div.kpi-value", value),
    change !== undefined ? h(`div.kpi-change${cls}`, `${t("indicators.yoy")} ${signed(change)}`) : h("div.kpi-change", "\u00a0"));
}

function rowName(prefix, row) {
  if (row.name_zh || row.name_en) return nm(row);
  return prefix ? label(prefix, row.code) : row.code;
}

async function render(view) {
  loadPlotly().catch(() => {}); // fetched while the data is, not after it
  const q = hashQuery();
  const zone = q.get("zone") || "";
  const cluster = zone ? "" : q.get("cluster") || "";
  const [zones, data] = await Promise.all([
    ref.zones(),
    api("/v1/indicators", { query: Object.fromEntries(Object.entries({ zone, cluster }).filter(([, v]) => v)) }),
  ]);
  const scopeName = zone ? nm(zones.find((z) => z.code === zone)) || zone : cluster ? label("cluster", cluster) : t("indicators.city");
  const pick = (name, value) => {
    const params = new URLSearchParams(value ? { [name]: value } : {});
    location.hash = `/indicators${value ? "?" + params : ""}`;
  };
  const zoneSelect = h("select.input.input-inline", { name: "zone", "aria-label": t("indicators.zone"), on: { change: (e) => pick("zone", e.target.value) } },
    h("option", { value: "" }, "—"), zones.map((z) => h("option", { value: z.code, selected: z.code === zone }, nm(z))));
  const clusterSelect = h("select.input.input-inline", { name: "cluster", "aria-label": t("zones.cluster"), on: { change: (e) => pick("cluster", e.target.value) } },
    h("option", { value: "" }, "—"), CLUSTERS.map((c) => h("option", { value: c, selected: c === cluster }, label("cluster", c))));

  const sc = data.scale || {};
  const ch = data.change || {};
  view.append(
    h("div.page-head", h("div", h("h1", t("indicators.title"), " · ", scopeName),
      h("div.muted", `${t("indicators.dataend")} ${data.data_end || "—"}`)),
    h("div.filters", h("label.inline", h("span.field-label", t("indicators.zone")), zoneSelect),
      h("label.inline", h("span.field-label", t("zones.cluster")), clusterSelect),
      h("a.btn.btn-small", { href: "#/indicators" }, t("indicators.city")))),
    h("div.kpis", { "data-testid": "scale" },
      kpi(t("indicators.postings_12m"), fmtNumber(sc.postings_12m), ch.postings_yoy, "kpi-postings"),
      kpi(t("indicators.job_seekers_12m"), fmtNumber(sc.job_seekers_12m), ch.job_seekers_yoy, "kpi-seekers"),
      kpi(t("indicators.hires_12m"), fmtNumber(sc.hires_12m), ch.hires_yoy, "kpi-hires"),
      kpi(t("shortage.index"), fmtNumber(sc.shortage_index_12m, { maximumFractionDigits: 2 }), undefined, "kpi-index"),
      kpi(t("indicators.talent_pool"), fmtNumber(sc.talent_pool), undefined, "kpi-pool")),
  );

  const monthly = h("div.chart", { "data-testid": "indicators-monthly" });
  const wage = h("div.chart");
  view.append(h("div.grid2",
    card(t("indicators.monthly"), monthly),
    card(t("indicators.wage"), wage)));

  const structure = data.structure || {};
  const charts = [];
  const grid = h("div.grid3");
  for (const [key, prefix] of STRUCTURE) {
    const rows = structure[key] || [];
    const el = h("div.chart", { "data-testid": `structure-${key}` });
    grid.append(card(t(`indicators.structure.${key}`), rows.length ? el : h("p.hint", t("indicators.nopool"))));
    if (rows.length) charts.push([el, rows.map((r) => ({ label: rowName(prefix, r), value: r.count, text: fmtPercent(r.share) }))]);
  }
  view.append(h("h2.section", t("indicators.structure")), grid);
  const demand = structure.demand_by_occupation || [];
  const demandEl = h("div.chart", { "data-testid": "structure-demand" });
  if (demand.length) view.append(card(t("indicators.demand"), demandEl));

  const months = data.monthly || [];
  const xs = months.map((m) => m.month);
  await plot(monthly, [
    { x: xs, y: months.map((m) => m.postings), type: "scatter", mode: "lines", name: t("target.postings"), line: { color: COLOURS.demand, width: 2 } },
    { x: xs, y: months.map((m) => m.job_seekers), type: "scatter", mode: "lines", name: t("target.job_seekers"), line: { color: COLOURS.supply, width: 2 } },
    { x: xs, y: months.map((m) => m.hires), type: "scatter", mode: "lines", name: t("indicators.hires"), line: { color: COLOURS.grey, width: 2, dash: "dot" } },
  ], { xTitle: t("chart.month"), yTitle: t("chart.people.month"), height: 300 }, { xaxis: { type: "date", tickformat: "%Y-%m" } });
  await plot(wage, [
    { x: xs, y: months.map((m) => m.wage), type: "scatter", mode: "lines", name: t("indicators.wage.series"), line: { color: COLOURS.demand, width: 2 }, yaxis: "y" },
    { x: xs, y: months.map((m) => m.days_to_fill), type: "scatter", mode: "lines", name: t("indicators.days.series"), line: { color: COLOURS.supply, width: 2 }, yaxis: "y2" },
  ], { xTitle: t("chart.month"), yTitle: t("indicators.wage.axis"), height: 300 }, {
    xaxis: { type: "date", tickformat: "%Y-%m" }, yaxis: { rangemode: "normal" },
    yaxis2: { title: { text: t("indicators.days.axis") }, overlaying: "y", side: "right", showgrid: false, automargin: true },
  });
  for (const [el, rows] of charts) await columnChart(el, rows, { yTitle: t("chart.people"), height: 260 });
  if (demand.length) {
    const top = demand.slice(0, 12);
    await columnChart(demandEl, top.map((r) => ({ label: nm(r), value: r.count, text: fmtPercent(r.share) })),
      { yTitle: t("indicators.demand.axis"), height: 320, margin: { b: 110 } });
  }
  if (!months.length) view.append(notice(t("indicators.nodata")));
}

export const pages = [
  { id: "indicators", path: "/indicators", roles: ROLES, nav: { key: "nav.indicators", order: 30 }, render },
];
