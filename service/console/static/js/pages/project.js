// Enterprise: one project — its facts, shortlist with one-click feedback, feedback log, and candidates.

import { all, api, hasRoute } from "../api.js";
import { fmtDate, fmtList, fmtNumber, label, nm, t } from "../i18n.js";
import * as ref from "../reference.js";
import { card, confirmDialog, facts, h, notice, pill, showError, toast } from "../ui.js";

const ONE_CLICK = ["contacted", "hired"];

function who(candidate) {
  if (candidate.contact && candidate.contact.name) return candidate.contact.name;
  return candidate.pseudonym;
}

function candidateSummary(c) {
  return [label("edu", c.education_level), label("level", c.talent_level),
    `${fmtNumber(c.years_experience)} ${t("unit.years")}`].join(" · ");
}

function contactOf(c) {
  if (!c.contact) return pill(t("shortlist.pseudonymous"), "muted");
  return h("div.contact", [c.contact.phone, c.contact.email].filter(Boolean).map((x) => h("div", x)));
}

/** `phrase` with every occurrence of `needle` wrapped in <mark>, built from text nodes only. */
function highlight(phrase, needle) {
  if (!needle) return [phrase];
  const out = [];
  const lower = phrase.toLowerCase();
  const n = needle.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(n); i >= 0 && n; i = lower.indexOf(n, at)) {
    out.push(phrase.slice(at, i), h("mark", phrase.slice(i, i + n.length)));
    at = i + n.length;
  }
  out.push(phrase.slice(at));
  return out;
}

export function reasonsView(reasons) {
  if (!reasons) return null;
  const met = reasons.requirements_met || [];
  const missing = reasons.requirements_missing || [];
  const codes = reasons.occupation_codes || [];
  return h("div.reasons",
    met.length ? h("div", h("span.reason-label", t("candidates.met")), h("ul.evidence", met.map((m) =>
      h("li", pill(m.requirement, "ok"), " ", h("q", highlight(m.phrase || "", m.how === "text" ? m.requirement : "")))))) : null,
    missing.length ? h("div", h("span.reason-label", t("candidates.missingreq")), missing.map((m) => pill(m, "warn"))) : null,
    codes.length ? h("div", h("span.reason-label", t("candidates.codes")), codes.map((c) => pill(nm(c), "info"))) : null);
}

async function candidatesPanel(project, shortlisted, reload) {
  const panel = card(t("candidates.title"));
  panel.dataset.testid = "candidates";
  if (!(await hasRoute("/v1/projects/{}/candidates"))) {
    panel.append(notice(t("candidates.missing")));
    return panel;
  }
  let answer;
  try {
    answer = await api(`/v1/projects/${project.id}/candidates`, { query: { top_k: 20 } });
  } catch (error) {
    if (error.status === 503) panel.append(notice(t("candidates.unavailable"), "warn"));
    else if (error.status === 404) panel.append(notice(t("candidates.missing")));
    else panel.append(notice(error.message, "error"));
    return panel;
  }
  const items = (answer && (answer.items || answer.candidates)) || [];
  if (!items.length) {
    panel.append(notice(t("candidates.empty")));
    return panel;
  }
  panel.append(h("ol.candidates", items.map((item, i) => {
    const c = item.candidate || item;
    const id = c.profile_id ?? item.profile_id;
    const add = h("button.btn.btn-small", {
      type: "button", disabled: shortlisted.has(id) || project.status !== "open", "data-testid": `shortlist-${id}`,
      on: { click: async () => {
        try {
          await api(`/v1/projects/${project.id}/shortlist`, { method: "POST", body: { profile_id: id } });
          await api(`/v1/projects/${project.id}/feedback`, { method: "POST", body: { profile_id: id, label: "shortlisted", rank_shown: i + 1 } });
          toast(t("shortlist.added"));
          reload();
        } catch (error) { showError(error); }
      } },
    }, t("shortlist.add"));
    return h("li.candidate", { "data-profile": id, "data-rank": item.rank ?? i + 1 },
      h("div.candidate-head", h("strong", who(c)), h("span.muted", candidateSummary(c)),
        item.score !== undefined ? h("span.score", `${t("candidates.score")} ${fmtNumber(item.score, { maximumFractionDigits: 3 })}`) : null,
        add),
      c.summary ? h("p.summary", c.summary) : null,
      reasonsView(item.reasons));
  })));
  return panel;
}

/** The project, or null after saying it is unknown: another tenant's reads exactly like a missing one. */
export async function ownProject(view, id) {
  try {
    return await api(`/v1/projects/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status !== 404 && error.status !== 422) throw error;
    view.append(h("div.page-head", h("div", h("a.crumb", { href: "#/projects" }, "← " + t("projects.title")))),
      notice(t("project.notfound", { id }), "warn"));
    view.dataset.testid = "project-notfound";
    return null;
  }
}

export async function renderProject(view, params, ctx) {
  const base = `/v1/projects/${params.id}`;
  const project = await ownProject(view, params.id);
  if (!project) return;
  const [entries, feedback, segmentName, zoneName] = await Promise.all([
    all(`${base}/shortlist`), all(`${base}/feedback`), ref.segmentName(project.segment_code), ref.zoneName(project.zone_code),
  ]);
  const reload = () => ctx.refresh();
  const open = project.status === "open";
  const given = new Set(feedback.map((f) => `${f.profile_id}:${f.label}`));
  const shortlisted = new Set(entries.map((e) => e.profile_id));

  const archive = h("button.btn.btn-danger-outline", {
    type: "button", disabled: !open, "data-testid": "archive",
    on: { click: async () => {
      if (!(await confirmDialog(t("project.archive.confirm")))) return;
      try {
        await api(`${base}/archive`, { method: "POST" });
        toast(t("project.archived"));
        reload();
      } catch (error) { showError(error); }
    } },
  }, t("project.archive"));
  const edit = open ? h("a.btn", { href: `#/projects/${project.id}/edit` }, t("common.edit")) : null;
  view.append(h("div.page-head",
    h("div", h("a.crumb", { href: "#/projects" }, "← " + t("projects.title")),
      h("h1", project.title, " ", pill(t(`project.status.${project.status}`), open ? "ok" : "muted"))),
    h("div.actions", edit, archive)));

  view.append(card(null, project.description ? h("p.summary", project.description) : null, facts([
    [t("project.field.kind"), label("kind", project.kind)],
    [t("project.field.segment"), segmentName],
    [t("project.field.zone"), zoneName],
    [t("project.field.level"), label("level", project.talent_level)],
    [t("project.field.education"), label("edu", project.min_education)],
    [t("project.field.experience"), `${fmtNumber(project.min_experience_years)} ${t("unit.years")}`],
    [t("project.field.skills"), fmtList(project.required_skills)],
    [t("project.field.funding"), project.funding_cny == null ? "—" : fmtNumber(project.funding_cny, { style: "currency", currency: "CNY", maximumFractionDigits: 0 })],
    [t("project.field.created"), fmtDate(project.created_at)],
    [t("project.field.updated"), fmtDate(project.updated_at)],
  ])));

  const feedbackButton = (entry, name) => {
    const done = given.has(`${entry.profile_id}:${name}`);
    return h(`button.btn.btn-small${done ? ".btn-done" : ""}`, {
      type: "button", disabled: done || !open, "data-testid": `feedback-${name}-${entry.profile_id}`, "aria-pressed": done ? "true" : "false",
      on: { click: async () => {
        try {
          await api(`${base}/feedback`, { method: "POST", body: { profile_id: entry.profile_id, label: name } });
          toast(t("feedback.recorded"));
          reload();
        } catch (error) { showError(error); }
      } },
    }, (done ? "✓ " : "") + t(`feedback.${name}`));
  };
  const shortlistCard = card(t("shortlist.title"));
  shortlistCard.dataset.testid = "shortlist";
  if (!entries.length) shortlistCard.append(notice(t("shortlist.empty")));
  else shortlistCard.append(h("table.table",
    h("thead", h("tr", [t("shortlist.candidate"), t("profile.education"), t("shortlist.contact"), t("shortlist.feedback"), ""].map((x) => h("th", x)))),
    h("tbody", entries.map((e) => h("tr", { "data-profile": e.profile_id },
      ...(e.candidate ? [
        h("td", h("strong", who(e.candidate)), h("div.muted", e.candidate.summary)),
        h("td", candidateSummary(e.candidate)),
        h("td", contactOf(e.candidate)),
      ] : [
        h("td", h("strong", t("shortlist.profile", { id: e.profile_id }))),
        h("td", { colspan: 2 }, pill(t("shortlist.withdrawn"), "muted")),
      ]),
      h("td.nowrap", ONE_CLICK.map((name) => feedbackButton(e, name))),
      h("td", h("button.btn-link", {
        type: "button", disabled: !open,
        on: { click: async () => {
          try { await api(`${base}/shortlist/${e.profile_id}`, { method: "DELETE" }); reload(); } catch (error) { showError(error); }
        } },
      }, t("shortlist.remove"))))))));
  if (open) {
    const id = h("input.input.input-small", { type: "number", min: 1, name: "profile_id", "aria-label": t("shortlist.add.byid") });
    shortlistCard.append(h("form.inline-form", {
      "data-testid": "shortlist-add",
      on: { submit: async (ev) => {
        ev.preventDefault();
        try {
          await api(`${base}/shortlist`, { method: "POST", body: { profile_id: Number(id.value) } });
          toast(t("shortlist.added"));
          reload();
        } catch (error) { showError(error); }
      } },
    }, h("span.field-label", t("shortlist.add.byid")), id, h("button.btn.btn-primary.btn-small", { type: "submit" }, t("shortlist.add"))));
  }
  view.append(shortlistCard);
  view.append(await candidatesPanel(project, shortlisted, reload));
  // named as in the shortlist; someone no longer on it only by profile id (their view is not fetched)
  const feedbackWho = (id) => {
    const entry = entries.find((e) => e.profile_id === id);
    return entry && entry.candidate ? who(entry.candidate) : `#${id}`;
  };
  view.append(card(t("feedback.title"), feedback.length
    ? h("table.table.table-compact", h("tbody", feedback.slice().reverse().map((f) => h("tr",
      h("td", fmtDate(f.created_at)),
      h("td", feedbackWho(f.profile_id)),
      h("td", pill(t(`feedback.${f.label}`), f.label === "hired" ? "ok" : "info"))))))
    : notice(t("feedback.empty"))));
}
