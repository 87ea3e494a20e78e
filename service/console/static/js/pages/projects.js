// Enterprise: the list of projects and the project form (create / edit).

import { all, api } from "../api.js";
import { EDUCATION, PROJECT_KINDS, TALENT_LEVELS, fmtDate, label, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { card, field, h, notice, pill, showError, toast } from "../ui.js";
import { ownProject, renderProject } from "./project.js";

const ROLES = ["enterprise_user"];

async function renderList(view, _params, ctx) {
  const status = new URLSearchParams(location.hash.split("?")[1] || "").get("status") || "open";
  const rows = await all("/v1/projects", status === "all" ? {} : { status });
  const tabs = h("div.tabs", { role: "tablist" }, ["open", "archived", "all"].map((s) =>
    h(`a.tab${s === status ? ".active" : ""}`, { href: `#/projects?status=${s}`, role: "tab" }, t(`projects.filter.${s}`))));
  const header = h("div.page-head", h("h1", t("projects.title")),
    h("button.btn.btn-primary", { type: "button", "data-testid": "new-project", on: { click: () => ctx.navigate("/projects/new") } },
      "+ " + t("projects.new")));
  if (!rows.length) {
    view.append(header, tabs, card(null, notice(t("projects.empty"))));
    return;
  }
  const names = await Promise.all(rows.map(async (p) => [await ref.segmentName(p.segment_code), await ref.zoneName(p.zone_code)]));
  const table = h("table.table",
    h("thead", h("tr", [
      "project.field.title", "project.field.kind", "project.field.segment", "project.field.zone",
      "project.field.status", "project.field.updated",
    ].map((k) => h("th", t(k))))),
    h("tbody", rows.map((p, i) => h("tr",
      h("td", h("a", { href: `#/projects/${p.id}` }, p.title)),
      h("td", label("kind", p.kind)),
      h("td", names[i][0]),
      h("td", names[i][1]),
      h("td", pill(t(`project.status.${p.status}`), p.status === "open" ? "ok" : "muted")),
      h("td.num", fmtDate(p.updated_at)),
    ))));
  view.append(header, tabs, card(null, table));
}

function options(values, selected, text) {
  return values.map((v) => h("option", { value: v, selected: v === selected }, text(v)));
}

async function renderForm(view, params, ctx) {
  const editing = params.id ? await ownProject(view, params.id) : null;
  if (params.id && !editing) return;
  const p = editing || {};
  const [industries, zones] = await Promise.all([ref.industries(), ref.zones()]);
  const current = editing ? await ref.segment(editing.segment_code) : null;

  const title = h("input.input", { name: "title", required: true, maxLength: 200, value: p.title || "" });
  const description = h("textarea.input", { name: "description", rows: 3, maxLength: 4000 }, p.description || "");
  const kind = h("select.input", { name: "kind" }, options(PROJECT_KINDS, p.kind, (v) => label("kind", v)));
  const industry = h("select.input", { name: "industry" },
    options(industries.map((i) => i.code), current ? current.industry.code : industries[0]?.code, (c) => nm(industries.find((i) => i.code === c))));
  const segmentSelect = h("select.input", { name: "segment_code" });
  const occupations = h("div.checks", { "data-testid": "occupations" });
  const zone = h("select.input", { name: "zone_code" }, options(zones.map((z) => z.code), p.zone_code, (c) => nm(zones.find((z) => z.code === c))));
  const level = h("select.input", { name: "talent_level" }, options(TALENT_LEVELS, p.talent_level, (v) => label("level", v)));
  const education = h("select.input", { name: "min_education" }, options(EDUCATION, p.min_education || "bachelor", (v) => label("edu", v)));
  const experience = h("input.input", { name: "min_experience_years", type: "number", min: 0, max: 60, value: String(p.min_experience_years ?? 0) });
  const funding = h("input.input", { name: "funding_cny", type: "number", min: 0, step: 10000, value: p.funding_cny == null ? "" : String(p.funding_cny) });
  const skills = h("input.input", { name: "required_skills", value: (p.required_skills || []).join(", ") });
  const chosen = new Set(p.required_occupations || []);

  async function loadSegments(selectedSegment) {
    const c = await ref.chain(industry.value);
    segmentSelect.replaceChildren(...c.segments.map((s) =>
      h("option", { value: s.code, selected: s.code === selectedSegment }, `${t(`stream.${s.stream}`)} · ${nm(s)}`)));
    loadOccupations(c);
  }
  function loadOccupations(c) {
    const s = c.segments.find((x) => x.code === segmentSelect.value) || c.segments[0];
    occupations.replaceChildren(...(s ? s.occupations : []).map((o) => h("label.check",
      h("input", { type: "checkbox", value: o.occupation_code, checked: chosen.has(o.occupation_code),
        on: { change: (ev) => (ev.target.checked ? chosen.add(o.occupation_code) : chosen.delete(o.occupation_code)) } }),
      " ", nm(o))));
  }
  industry.addEventListener("change", () => { chosen.clear(); loadSegments(null); });
  segmentSelect.addEventListener("change", async () => { chosen.clear(); loadOccupations(await ref.chain(industry.value)); });
  await loadSegments(p.segment_code);

  const submit = h("button.btn.btn-primary", { type: "submit" }, t("common.save"));
  const form = h("form.form-grid", {
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        const body = {
          title: title.value.trim(), description: description.value, kind: kind.value,
          segment_code: segmentSelect.value, zone_code: zone.value, talent_level: level.value,
          min_education: education.value, min_experience_years: Number(experience.value || 0),
          required_occupations: [...chosen],
          required_skills: skills.value.split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean),
          funding_cny: funding.value === "" ? null : Number(funding.value),
        };
        if (!editing && body.funding_cny === null) delete body.funding_cny;
        submit.disabled = true;
        try {
          const saved = editing
            ? await api(`/v1/projects/${editing.id}`, { method: "PATCH", body })
            : await api("/v1/projects", { method: "POST", body });
          toast(editing ? t("common.saved") : t("project.created"));
          ctx.navigate(`/projects/${saved.id}`);
        } catch (error) {
          showError(error);
          submit.disabled = false;
        }
      },
    },
  },
  field(t("project.field.title"), title),
  field(t("project.field.kind"), kind),
  h("div.span2", field(t("project.field.description"), description)),
  field(t("project.field.industry"), industry),
  field(t("project.field.segment"), segmentSelect),
  h("div.span2", h("div.field", h("span.field-label", t("project.field.occupations")), occupations)),
  field(t("project.field.zone"), zone),
  field(t("project.field.level"), level),
  h("div.span2", field(t("project.field.skills"), skills)),
  field(t("project.field.education"), education),
  field(t("project.field.experience"), experience),
  field(t("project.field.funding"), funding),
  h("div.actions.span2",
    h("a.btn", { href: editing ? `#/projects/${editing.id}` : "#/projects" }, t("common.cancel")), submit));
  view.append(h("div.page-head", h("h1", editing ? t("project.edit.title") : t("project.new.title"))), card(null, form));
}

export const pages = [
  { id: "projects", path: "/projects", roles: ROLES, nav: { key: "nav.projects", order: 10 }, render: renderList },
  { id: "project-new", path: "/projects/new", roles: ROLES, render: renderForm },
  { id: "project-edit", path: "/projects/:id/edit", roles: ROLES, render: renderForm },
  { id: "project", path: "/projects/:id", roles: ROLES, render: renderProject },
];
