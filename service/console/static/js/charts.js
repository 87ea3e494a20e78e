// Plotly, loaded on demand from the service itself (/console/vendor/plotly.min.js, from the installed
// `plotly` package), with one house style: CJK-capable fonts, axis titles in the reader's language.

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

/** A horizontal bar chart: `rows` [{label, value, colour?}], largest at the top. */
export async function barChart(container, rows, { title, xTitle, yTitle, valueFormat = ".2f", height } = {}) {
  const Plotly = await loadPlotly().catch(() => null);
  if (!Plotly) {
    container.append(h("p.hint", "—"));
    return;
  }
  const sorted = [...rows].sort((a, b) => a.value - b.value);
  const trace = {
    type: "bar",
    orientation: "h",
    x: sorted.map((r) => r.value),
    y: sorted.map((r) => r.label),
    marker: { color: sorted.map((r) => r.colour || "#2f6db5") },
    hovertemplate: `%{y}: %{x:${valueFormat}}<extra></extra>`,
  };
  const layout = {
    title: title ? { text: title, font: { size: 15 }, x: 0, xanchor: "left" } : undefined,
    font: { family: FONT, size: 12, color: "#243447" },
    margin: { l: 190, r: 20, t: title ? 40 : 10, b: 48 },
    height: height || Math.max(220, 26 * sorted.length + 80),
    xaxis: { title: { text: xTitle }, gridcolor: "#e3e8ef", zeroline: false, tickformat: valueFormat },
    yaxis: { title: { text: yTitle, standoff: 8 }, automargin: true },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    separators: new Intl.NumberFormat(locale()).format(1.5).includes(",") ? ",." : ".,",
  };
  await Plotly.newPlot(container, [trace], layout, { displaylogo: false, responsive: true, locale: "en" });
}
