// Plotly, loaded on demand from the service itself (/console/vendor/plotly.min.js, from the installed
// `plotly` package), with one house style: CJK-capable fonts, axis titles in the reader's language,
// months as YYYY-MM (Plotly's own month names would be English only), interval bands as filled areas.

import { locale } from "./i18n.js";
import { h } from "./ui.js";

let loading;
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loading = loading || new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/console/vendor/plotly.min.js";
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => { loading = null; reject(new Error("plotly unavailable")); };
    document.head.append(script);
  });
  return loading;
}

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif';
export const COLOURS = { demand: "#1f4e8c", supply: "#d9822b", index: "#b03a2e", grey: "#8a97a8" };

function separators() {
  return new Intl.NumberFormat(locale()).format(1.5).includes(",") ? ",." : ".,";
}

function baseLayout({ title, xTitle, yTitle, height, margin } = {}) {
  return {
    title: title ? { text: title, font: { size: 15 }, x: 0, xanchor: "left" } : undefined,
    font: { family: FONT, size: 12, color: "#243447" },
    margin: { l: 64, r: 20, t: title ? 64 : 40, b: 52, ...(margin || {}) },
    height: height || 320,
    xaxis: { title: { text: xTitle }, gridcolor: "#e3e8ef", zeroline: false, automargin: true },
    yaxis: { title: { text: yTitle }, gridcolor: "#e3e8ef", zeroline: false, automargin: true, rangemode: "tozero" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    separators: separators(),
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    hovermode: "x unified",
  };
}

/** Draw `traces` with the house layout (`layout` merged over it). Falls back to a dash without Plotly. */
export async function plot(container, traces, options = {}, layout = {}) {
  const Plotly = await loadPlotly().catch(() => null);
  if (!Plotly) {
    container.append(h("p.hint", "—"));
    return;
  }
  const base = baseLayout(options);
  const merged = { ...base, ...layout, xaxis: { ...base.xaxis, ...(layout.xaxis || {}) }, yaxis: { ...base.yaxis, ...(layout.yaxis || {}) } };
  await Plotly.newPlot(container, traces, merged, { displaylogo: false, displayModeBar: false, responsive: true, locale: "en" });
}

function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * History and forecast of one or more series, each with its 80% and 95% intervals as filled bands.
 * `series`: [{name, colour, history: [{ds, y}], points: [{ds, mean, lo80, hi80, lo95, hi95}]}];
 * `labels`: {history, forecast, band80, band95} in the reader's language.
 */
export async function bandChart(container, series, labels, options = {}) {
  const traces = [];
  for (const s of series) {
    const xs = s.points.map((p) => p.ds);
    const last = s.history.filter((p) => p.y !== null).slice(-1)[0];
    const band = (lo, hi, alpha, name) => {
      traces.push({ x: xs, y: s.points.map((p) => p[lo]), type: "scatter", mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip", legendgroup: s.name + name });
      traces.push({ x: xs, y: s.points.map((p) => p[hi]), type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: rgba(s.colour, alpha), name: `${s.name} · ${name}`, legendgroup: s.name + name, hoverinfo: "skip" });
    };
    band("lo95", "hi95", 0.13, labels.band95);
    band("lo80", "hi80", 0.25, labels.band80);
    traces.push({ x: s.history.map((p) => p.ds), y: s.history.map((p) => p.y), type: "scatter", mode: "lines", line: { color: s.colour, width: 2 }, name: `${s.name} · ${labels.history}`, hovertemplate: "%{y:,.0f}" });
    const fx = last ? [last.ds, ...xs] : xs;
    const fy = last ? [last.y, ...s.points.map((p) => p.mean)] : s.points.map((p) => p.mean);
    traces.push({ x: fx, y: fy, type: "scatter", mode: "lines", line: { color: s.colour, width: 2, dash: "dash" }, name: `${s.name} · ${labels.forecast}`, hovertemplate: "%{y:,.0f}" });
  }
  await plot(container, traces, options, { xaxis: { type: "date", tickformat: "%Y-%m" } });
}

/** Vertical bars: `rows` [{label, value}], in the given order. */
export async function columnChart(container, rows, options = {}) {
  const trace = {
    type: "bar", x: rows.map((r) => r.label), y: rows.map((r) => r.value),
    marker: { color: rows.map((r) => r.colour || COLOURS.demand) },
    text: rows.map((r) => r.text ?? ""), textposition: "outside", cliponaxis: false,
    hovertemplate: `%{x}: %{y:${options.valueFormat || ",.0f"}}<extra></extra>`,
  };
  await plot(container, [trace], { height: 280, ...options }, { hovermode: "closest", yaxis: { tickformat: options.valueFormat || "" } });
}

/** A horizontal bar chart: `rows` [{label, value, colour?}], largest at the top. */
export async function barChart(container, rows, { title, xTitle, yTitle, valueFormat = ".2f", height } = {}) {
  const sorted = [...rows].sort((a, b) => a.value - b.value);
  const trace = {
    type: "bar",
    orientation: "h",
    x: sorted.map((r) => r.value),
    y: sorted.map((r) => r.label),
    marker: { color: sorted.map((r) => r.colour || "#2f6db5") },
    hovertemplate: `%{y}: %{x:${valueFormat}}<extra></extra>`,
  };
  await plot(container, [trace], { title, xTitle, yTitle, height: height || Math.max(220, 26 * sorted.length + 80), margin: { l: 190, t: title ? 40 : 10, b: 48 } },
    { hovermode: "closest", showlegend: false, xaxis: { tickformat: valueFormat }, yaxis: { title: { text: yTitle, standoff: 8 }, rangemode: "normal" } });
}
