// Bureau: one occupation (within a segment, when the link came from a chain): history and forecast of
// demand (postings) and supply (job seekers) with 80/95% bands, the shortage index over time, the
// reasons in plain sentences, and the serving model's card with its backtest figures.

import { api, reference } from "../api.js";
import { COLOURS, bandChart, loadPlotly, plot } from "../charts.js";
import { fmtDate, fmtNumber, fmtPercent, lang, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { fetchShortages, horizons, servingModel, shortageColour } from "../shortage.js";
import { card, facts, h, notice, pill } from "../ui.js";

const ROLES = ["bureau_analyst", "admin"];
const METRICS = ["mase", "smape", "wql", "coverage_80", "coverage_95"];

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

/** The reason string of /v1/shortages is clauses joined by "；" / "; ": one sentence each. */
export function sentences(reasons) {
  const text = lang() === "zh" ? reasons.zh : reasons.en;
  const parts = text.split(lang() === "zh" ? /；/ : /;\s*/).map((s) => s.trim()).filter(Boolean);
  return parts.map((s) => {
    const first = s.charAt(0).toUpperCase() + s.slice(1);
    return /[。.!?]$/.test(first) ? first : first + (lang() === "zh" ? "。" : ".");
  });
}

function signed(x) {
  if (x === null || x === undefined) return "—";
  return (x > 0 ? "+" : "") + fmtPercent(x);
}

function indexSeries(postings, seekers) {
  const ratio = (a, b) => (a !== null && b !== null && b > 0 ? a / b : null);
  const hist = postings.history.map((p, i) => ({ ds: p.ds, y: ratio(p.y, seekers.history[i]?.y ?? null) }));
  const fc = postings.points.map((p, i) => ({ ds: p.ds, y: ratio(p.mean, seekers.points[i]?.mean ?? null) }));
  return { hist, fc };
}

function backtestTable(backtest) {
  const blocks = Object.entries(backtest || {}).filter(([, v]) => v && typeof v === "object" && v.models);
  if (!blocks.length) return h("p.hint", t("models.nobacktest"));
  return blocks.map(([target, block]) => h("div.backtest",
    h("h3.subhead", `${t(`target.${target}`)} · ${t("models.cutoffs")} ${(block.cutoffs || []).join(", ")}`),
    h("table.table.table-compact", { "data-testid": `backtest-${target}` },
      h("thead", h("tr", h("th", t("models.model")), METRICS.map((m) => h("th.num", t(`metric.${m}`))))),
      h("tbody", Object.entries(block.models).map(([name, m]) => h("tr",
        h("td", t(`model.${name}`) === `model.${name}` ? name : t(`model.${name}`)),
        METRICS.map((k) => h("td.num", m[k] === undefined || m[k] === null ? "—"
          : k.startsWith("coverage") ? fmtPercent(m[k]) : fmtNumber(m[k], { maximumFractionDigits: k === "smape" ? 1 : 3 })))))))));
}

export function modelFacts(model) {
  const c = model.card || {};
  const w = c.data_window || {};
  return facts([
    [t("models.version"), model.version],
    [t("models.serving"), model.serving ? t("common.yes") : t("common.no")],
    [t("models.created"), fmtDate(model.created_at)],
    [t("models.class"), c.class || "—"],
    [t("models.horizon"), c.horizon ? t("shortage.months", { n: c.horizon }) : "—"],
    [t("models.window"), w.start ? `${w.start} – ${w.end}` : "—"],
    [t("models.series"), fmtNumber(w.n_series)],
    [t("models.features"), c.features ? fmtNumber(c.features.length) : "—"],
  ]);
}

async function render(view, params) {
  loadPlotly().catch(() => {}); // fetched while the data is, not after it
  const code = params.code;
  const q = hashQuery();
  const segmentCode = q.get("segment") || "";
  const [options, model] = await Promise.all([horizons(), servingModel()]);
  const wanted = Number(q.get("horizon"));
  const horizon = options.includes(wanted) ? wanted : options.includes(12) ? 12 : options[options.length - 1];
  const chartHorizon = Math.min(24, (model && model.card && model.card.horizon) || 12);
  const forecastQuery = (target) => ({ level: "occupation", target, occupation: code, segment: segmentCode, horizon: chartHorizon, history: 24, limit: 1 });
  const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== undefined));
  const [occupation, seg, postings, seekers, shortage] = await Promise.all([
    reference(`/v1/occupations/${encodeURIComponent(code)}`),
    segmentCode ? ref.segment(segmentCode) : null,
    api("/v1/forecasts", { query: clean(forecastQuery("postings")) }),
    api("/v1/forecasts", { query: clean(forecastQuery("job_seekers")) }),
    segmentCode ? fetchShortages({ segment: segmentCode, horizon, limit: 100 }) : null,
  ]);
  const row = shortage && shortage.byOccupation.get(code);
  const version = postings.model_version;
  const detail = await api(`/v1/models/${encodeURIComponent(version)}`).catch(() => null);
  const p = postings.items[0];
  const s = seekers.items[0];

  const where = seg ? `${nm(seg.industry)} · ${nm(seg.segment)}` : t("occupation.allsegments");
  const back = seg ? h("a.crumb", { href: `#/chains/${seg.industry.code}?horizon=${horizon}` }, `← ${nm(seg.industry)}`) : null;
  view.append(h("div.page-head",
    h("div", back, h("h1", { "data-testid": "occupation-title" }, nm(occupation)), h("div.muted", `${code} · ${where}`)),
    segmentCode ? h("div.chips.chips-small", h("span.field-label", t("shortage.horizon")), options.map((x) =>
      h(`a.chip${x === horizon ? ".active" : ""}`, { href: `#/occupation/${encodeURIComponent(code)}?segment=${segmentCode}&horizon=${x}` }, t("shortage.months", { n: x })))) : null));

  if (row) {
    const colour = shortageColour(row.shortage_index);
    view.append(h("div.kpis", { "data-testid": "kpis" },
      h("div.kpi", h("div.kpi-label", t("shortage.index")), h("div.kpi-value", { style: { color: colour } }, fmtNumber(row.shortage_index, { maximumFractionDigits: 2 })), h("div.hint", t("shortage.index.note", { n: horizon }))),
      h("div.kpi", h("div.kpi-label", t("shortage.probability")), h("div.kpi-value", fmtPercent(row.p_short)), h("div.hint", row.flagged ? pill(t("shortage.flagged"), "warn") : pill(t("shortage.notflagged"), "muted"))),
      h("div.kpi", h("div.kpi-label", t("shortage.rank")), h("div.kpi-value", `#${row.rank}`), h("div.hint", t("shortage.rank.note"))),
      h("div.kpi", h("div.kpi-label", t("shortage.score")), h("div.kpi-value", fmtNumber(row.score, { maximumFractionDigits: 2 })), h("div.hint", t("shortage.score.note")))));
    const ind = row.indicators || {};
    view.append(card(t("occupation.reasons"),
      h("ul.reason-list", { "data-testid": "reasons" }, sentences(row.reasons).map((x) => h("li", x))),
      facts([
        [t("indicator.postings_yoy"), signed(ind.postings_yoy)],
        [t("indicator.job_seekers_yoy"), signed(ind.job_seekers_yoy)],
        [t("indicator.days_to_fill"), `${fmtNumber(ind.days_to_fill_before, { maximumFractionDigits: 0 })} → ${fmtNumber(ind.days_to_fill_now, { maximumFractionDigits: 0 })} ${t("unit.days")}`],
        [t("indicator.wage_growth"), signed(ind.wage_growth)],
      ])));
  } else if (segmentCode) {
    view.append(notice(t("occupation.noassessment")));
  }

  const demand = h("div.chart.chart-tall", { "data-testid": "forecast-chart" });
  const index = h("div.chart", { "data-testid": "index-chart" });
  if (!p || !s) {
    view.append(notice(t("occupation.noforecast")));
  } else {
    view.append(card(t("occupation.chart.title"), h("p.hint", t("occupation.chart.note")), demand),
      card(t("occupation.index.title"), index));
  }
  const modelCard = card(t("occupation.model"), detail ? modelFacts(detail) : h("p.hint", version),
    detail ? h("div", { "data-testid": "backtest" }, h("h3.subhead", t("models.backtest")), backtestTable(detail.backtest)) : null);
  view.append(modelCard);

  if (p && s) {
    const labels = { history: t("chart.history"), forecast: t("chart.forecast"), band80: t("chart.band80"), band95: t("chart.band95") };
    await bandChart(demand, [
      { name: t("target.postings"), colour: COLOURS.demand, history: p.history, points: p.points },
      { name: t("target.job_seekers"), colour: COLOURS.supply, history: s.history, points: s.points },
    ], labels, { xTitle: t("chart.month"), yTitle: t("chart.people"), height: 400, margin: { t: 76 } });
    const { hist, fc } = indexSeries(p, s);
    const lastHist = hist.filter((x) => x.y !== null).slice(-1)[0];
    const xs = [...hist, ...fc].map((x) => x.ds);
    await plot(index, [
      { x: hist.map((x) => x.ds), y: hist.map((x) => x.y), type: "scatter", mode: "lines", line: { color: COLOURS.index, width: 2 }, name: t("chart.history"), hovertemplate: "%{y:.2f}" },
      { x: lastHist ? [lastHist.ds, ...fc.map((x) => x.ds)] : fc.map((x) => x.ds), y: lastHist ? [lastHist.y, ...fc.map((x) => x.y)] : fc.map((x) => x.y), type: "scatter", mode: "lines", line: { color: COLOURS.index, width: 2, dash: "dash" }, name: t("chart.forecast"), hovertemplate: "%{y:.2f}" },
      { x: [xs[0], xs[xs.length - 1]], y: [1, 1], type: "scatter", mode: "lines", line: { color: COLOURS.grey, width: 1, dash: "dot" }, name: t("chart.balanced"), hoverinfo: "skip" },
    ], { xTitle: t("chart.month"), yTitle: t("chart.index.axis"), height: 300 }, { xaxis: { type: "date", tickformat: "%Y-%m" } });
  }
}

export const pages = [
  { id: "occupation", path: "/occupation/:code", roles: ROLES, render },
];
