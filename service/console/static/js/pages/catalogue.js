// Bureau: the needs catalogue (急需紧缺人才目录) — editions, an edition's entries filtered by chain, zone
// and urgency, the diff between two editions, and the published files. Shown only where the service
// offers /v1/catalogue (hasRoute), so the console degrades to a notice where it does not.

import { api, hasRoute } from "../api.js";
import { fmtDate, fmtList, fmtNumber, label, lang, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { card, h, notice, pill } from "../ui.js";

const ROLES = ["bureau_analyst", "admin"];
const URGENCY = ["severe", "marked", "moderate"];
const URGENCY_KIND = { severe: "warn", marked: "info", moderate: "muted" };
const FORMATS = ["json", "csv", "xlsx", "html"];

function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

function go(changes) {
  const q = hashQuery();
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  location.hash = `/catalogue${q.toString() ? "?" + q : ""}`;
}

function reasonOf(item) {
  return lang() === "zh" ? item.reason_zh : item.reason_en;
}

function chainName(item) {
  return lang() === "zh" ? item.chain_name_zh : item.chain_name_en;
}

function diffCard(d) {
  const row = (item, what) => h("tr",
    h("td", what), h("td", chainName(item)), h("td", nm(item)),
    h("td", item.from ? `${label("urgency", item.from)} → ${label("urgency", item.to)}` : label("urgency", item.urgency)),
    h("td", reasonOf(item)));
  return card(t("catalogue.diff.title", { from: d.previous || d.from_edition }),
    h("p.hint", t("catalogue.diff.summary", { added: d.added.length, removed: d.removed.length, changed: d.urgency_changed.length, unchanged: d.unchanged })),
    h("table.table.table-compact", { "data-testid": "diff" },
      h("thead", h("tr", ["catalogue.diff.what", "catalogue.chain", "catalogue.occupation", "catalogue.urgency", "catalogue.reason"].map((k) => h("th", t(k))))),
      h("tbody", d.added.map((i) => row(i, t("catalogue.diff.added"))), d.removed.map((i) => row(i, t("catalogue.diff.removed"))),
        d.urgency_changed.map((i) => row(i, t("catalogue.diff.changed"))))));
}

async function render(view) {
  view.append(h("div.page-head", h("h1", t("catalogue.title"))));
  if (!(await hasRoute("/v1/catalogue/editions"))) {
    view.append(notice(t("catalogue.missing")));
    return;
  }
  const q = hashQuery();
  const [editions, industries, zones] = await Promise.all([api("/v1/catalogue/editions", { query: { limit: 20 } }), ref.industries(), ref.zones()]);
  if (!editions.items.length) {
    view.append(notice(t("catalogue.empty")));
    return;
  }
  const chosen = editions.items.find((e) => String(e.id) === q.get("edition")) || editions.items[0];
  const filters = { industry: q.get("industry") || "", zone: q.get("zone") || "", urgency: q.get("urgency") || "" };
  const query = { limit: 100, ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) };
  const previous = editions.items.find((e) => e.id !== chosen.id && e.year <= chosen.year && e.id < chosen.id);
  const [entries, diff] = await Promise.all([
    api(`/v1/catalogue/editions/${chosen.id}/entries`, { query }),
    previous ? api("/v1/catalogue/diff", { query: { from: previous.id, to: chosen.id } }).catch(() => null) : null,
  ]);

  const editionList = h("table.table.table-compact", { "data-testid": "editions" },
    h("thead", h("tr", ["catalogue.edition", "catalogue.status", "catalogue.entries", "catalogue.published", "catalogue.files"].map((k) => h("th", t(k))))),
    h("tbody", editions.items.map((e) => h(`tr${e.id === chosen.id ? ".selected" : ""}`,
      h("td", h("a", { href: `#/catalogue?edition=${e.id}` }, `${e.year} · ${e.code}`)),
      h("td", pill(label("edition.status", e.status), e.status === "published" ? "ok" : "muted")),
      h("td.num", e.summary ? fmtNumber(e.summary.entries) : "—"),
      h("td", fmtDate(e.published_at)),
      h("td", (e.files || []).filter((f) => f.href && FORMATS.includes(f.format)).map((f) =>
        h("a.btn.btn-small", { href: f.href, download: f.name, "data-format": f.format }, f.format.toUpperCase())))))));

  const select = (name, options, value, allKey) => h("select.input.input-inline", {
    name, "aria-label": t(`catalogue.${name}`), on: { change: (e) => go({ [name]: e.target.value, edition: String(chosen.id) }) },
  }, h("option", { value: "" }, t(allKey)), options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));

  const table = h("table.table", { "data-testid": "entries" },
    h("thead", h("tr", ["catalogue.rank", "catalogue.occupation", "catalogue.chain", "catalogue.urgency", "shortage.index", "catalogue.zones", "catalogue.reason"].map((k) => h("th", t(k))))),
    h("tbody", entries.items.map((e) => h("tr", { "data-occupation": e.occupation.code },
      h("td.num", String(e.rank)),
      h("td", h("a", { href: `#/occupation/${encodeURIComponent(e.occupation.code)}?segment=${e.segment.code}` }, nm(e.occupation))),
      h("td", `${nm(e.chain)} · ${nm(e.segment)}`),
      h("td", pill(nm(e.urgency), URGENCY_KIND[e.urgency.code])),
      h("td.num", fmtNumber(e.indicators.shortage_index, { maximumFractionDigits: 2 })),
      h("td", fmtList(e.zones.slice(0, 3).map((z) => nm(z)))),
      h("td", e.reasons.slice(0, 2).map((r) => h("div", lang() === "zh" ? r.zh : r.en)))))));

  view.append(
    card(t("catalogue.editions"), editionList),
    card(`${t("catalogue.entries.title")} · ${chosen.year} · ${chosen.code}`,
      h("div.filters",
        select("industry", industries.map((i) => [i.code, nm(i)]), filters.industry, "zones.filter.all"),
        select("zone", zones.map((z) => [z.code, nm(z)]), filters.zone, "catalogue.zone.all"),
        select("urgency", URGENCY.map((u) => [u, label("urgency", u)]), filters.urgency, "catalogue.urgency.all")),
      h("p.hint", t("catalogue.count", { n: entries.total })),
      entries.items.length ? table : h("p.hint", t("catalogue.noentries"))),
    diff ? diffCard(diff) : null,
  );
}

export const pages = [
  { id: "catalogue", path: "/catalogue", roles: ROLES, nav: { key: "nav.catalogue", order: 50 }, render },
];
