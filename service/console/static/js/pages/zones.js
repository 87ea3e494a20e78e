// Bureau: the function zones and districts as a tile map (grid_row/grid_col from /v1/zones), filtered
// by industry, coloured by shortage once /v1/shortages answers, else by the industry's intensity.

import { barChart } from "../charts.js";
import { fmtNumber, label, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { fetchShortages, shortageColour } from "../shortage.js";
import { card, clear, h, notice } from "../ui.js";

const ROLES = ["bureau_analyst", "admin"];
const KIND_COLOUR = { core_function_zone: "#1f4e8c", new_function_zone: "#3a7bc8", district: "#8aa9cf" };

function intensityColour(x) {
  const a = 0.12 + 0.88 * Math.max(0, Math.min(1, x));
  return `rgba(31, 78, 140, ${a.toFixed(2)})`;
}

async function render(view) {
  const [zones, industries] = await Promise.all([ref.zones(), ref.industries()]);
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const industry = params.get("industry") || "";
  const shortage = await fetchShortages(industry ? { industry } : {});
  const rows = Math.max(...zones.map((z) => z.grid_row));
  const cols = Math.max(...zones.map((z) => z.grid_col));
  const detail = card(null, h("p.hint", t("zones.pick")));
  detail.dataset.testid = "zone-detail";

  async function show(zone) {
    clear(detail).append(h("h2.card-title", nm(zone)),
      h("p.muted", `${label("zone.kind", zone.kind)} · ${zone.code}`));
    const chart = h("div.chart");
    detail.append(chart);
    const rowsOf = Object.entries(zone.industries).map(([code, value]) => ({
      label: nm(industries.find((i) => i.code === code)) || code, value,
      colour: code === industry ? "#c0392b" : undefined,
    }));
    await barChart(chart, rowsOf, { title: t("zones.chart.title"), xTitle: t("zones.chart.x"), yTitle: t("zones.chart.y"), height: 60 + 30 * rowsOf.length });
  }

  const grid = h("div.tilemap", { style: { gridTemplateColumns: `repeat(${cols}, 1fr)`, gridTemplateRows: `repeat(${rows}, minmax(76px, auto))` } },
    zones.map((z) => {
      const s = shortage && shortage.byZone.get(z.code);
      const intensity = industry ? (z.industries[industry] || 0) : null;
      const background = s ? shortageColour(s.index) : industry ? intensityColour(intensity) : KIND_COLOUR[z.kind] || "#8aa9cf";
      const dark = s || !industry || intensity > 0.45;
      return h(`button.tile${dark ? ".tile-dark" : ""}`, {
        type: "button", "data-zone": z.code, title: nm(z),
        style: { gridRow: String(z.grid_row), gridColumn: String(z.grid_col), background },
        on: { click: () => show(z) },
      }, h("span.tile-name", nm(z)),
      h("span.tile-value", s ? `${t("shortage.index")} ${fmtNumber(s.index, { maximumFractionDigits: 2 })}`
        : industry ? `${t("zones.intensity")} ${fmtNumber(intensity, { maximumFractionDigits: 2 })}` : label("zone.kind", z.kind)));
    }));

  const filter = h("select.input.input-inline", {
    "aria-label": t("zones.filter"),
    on: { change: (ev) => { location.hash = ev.target.value ? `/zones?industry=${ev.target.value}` : "/zones"; } },
  }, h("option", { value: "" }, t("zones.filter.all")),
  industries.map((i) => h("option", { value: i.code, selected: i.code === industry }, nm(i))));

  const legend = shortage
    ? h("div.legend", h("span.swatch", { style: { background: shortageColour(0.8) } }), t("shortage.legend.low"),
      h("span.swatch", { style: { background: shortageColour(2) } }), t("shortage.legend.high"))
    : industry
      ? h("div.legend", h("span.swatch", { style: { background: intensityColour(0.05) } }), "0",
        h("span.swatch", { style: { background: intensityColour(1) } }), "1", " ", t("zones.intensity"))
      : h("div.legend", Object.entries(KIND_COLOUR).map(([k, c]) => [h("span.swatch", { style: { background: c } }), label("zone.kind", k)]));

  view.append(
    h("div.page-head", h("h1", t("zones.title")), h("label.inline", h("span.field-label", t("zones.filter")), filter)),
    shortage ? null : notice(t("shortage.reference")),
    h("div.split", card(null, grid, legend), detail),
  );
}

export const pages = [
  { id: "zones", path: "/zones", roles: ROLES, nav: { key: "nav.zones", order: 20 }, render },
];
