// Talent: my profile (and its deletion), my consent scopes, my matches.

import { api, hasRoute } from "../api.js";
import { PROJECT_KINDS, fmtDate, fmtList, fmtNumber, label, t } from "../i18n.js";
import * as ref from "../reference.js";
import { card, confirmDialog, facts, h, notice, pill, showError, toast } from "../ui.js";
import { reasonsView } from "./project.js";

const ROLES = ["talent"];

async function renderMe(view, _params, ctx) {
  const me = await api("/v1/profiles/me");
  const zone = await ref.zoneName(me.zone_code);
  const remove = h("button.btn.btn-danger", {
    type: "button", "data-testid": "delete-profile",
    on: { click: async () => {
      const word = t("me.delete.word");
      if (!(await confirmDialog(t("me.delete.confirm"), { typed: word }))) return;
      try {
        await api("/v1/profiles/me", { method: "DELETE" });
        toast(t("me.deleted"));
        await api("/console/logout", { method: "POST" }).catch(() => null);
        ctx.setSession({ authenticated: false });
        ctx.navigate("/login");
      } catch (error) { showError(error); }
    } },
  }, t("me.delete"));
  view.append(
    h("div.page-head", h("h1", t("me.title")), h("div.actions", remove)),
    card(null, h("p.summary", me.summary), facts([
      [t("me.pseudonym"), me.pseudonym],
      [t("profile.titles"), fmtList(me.titles)],
      [t("profile.skills"), fmtList(me.skills)],
      [t("profile.education"), label("edu", me.education_level)],
      [t("profile.field"), me.field_of_study],
      [t("profile.experience"), `${fmtNumber(me.years_experience)} ${t("unit.years")}`],
      [t("profile.level"), label("level", me.talent_level)],
      [t("profile.zone"), zone],
      [t("profile.age"), me.age_band],
      [t("profile.publications"), fmtNumber(me.publications)],
      [t("profile.patents"), fmtNumber(me.patents)],
      [t("profile.languages"), me.languages.join(", ")],
      [t("project.field.updated"), fmtDate(me.updated_at)],
    ])),
    card(t("me.contact"), facts([
      [t("profile.name"), me.contact.name], [t("profile.phone"), me.contact.phone],
      [t("profile.id_number"), me.contact.id_number], [t("profile.email"), me.contact.email],
    ])),
    card(t("consent.current"), scopeList(me.consent_scopes), h("p", h("a", { href: "#/me/consent" }, t("nav.consent") + " →"))),
  );
}

function scopeText(scope) {
  if (scope.startsWith("kind:")) return `${t("consent.kinds")}: ${label("kind", scope.slice(5))}`;
  if (scope.startsWith("tenant:")) return `${t("consent.tenants")}: ${scope.slice(7)}`;
  return t(`consent.${scope}`);
}

function scopeList(scopes) {
  if (!scopes.length) return notice(t("consent.none"), "warn");
  return h("div.pills", { "data-testid": "scopes" }, scopes.map((s) => pill(scopeText(s), "info")));
}

async function renderConsent(view, _params, ctx) {
  const me = await api("/v1/profiles/me");
  const scopes = new Set(me.consent_scopes);
  const box = (scope, text) => h("label.check",
    h("input", { type: "checkbox", value: scope, checked: scopes.has(scope),
      on: { change: (ev) => (ev.target.checked ? scopes.add(scope) : scopes.delete(scope)) } }), " ", text);
  const tenants = h("div.pills");
  const drawTenants = () => tenants.replaceChildren(...[...scopes].filter((s) => s.startsWith("tenant:")).map((s) =>
    h("span.pill.pill-info", s.slice(7), " ", h("button.pill-x", { type: "button", "aria-label": "×", on: { click: () => { scopes.delete(s); drawTenants(); } } }, "×"))));
  drawTenants();
  const tenant = h("input.input.input-small", { placeholder: "acme-bio", pattern: "[a-z0-9-]{2,40}", "aria-label": t("consent.tenant.add") });
  const addTenant = h("button.btn.btn-small", { type: "button", on: { click: () => {
    if (tenant.reportValidity() && tenant.value) { scopes.add(`tenant:${tenant.value}`); tenant.value = ""; drawTenants(); }
  } } }, "+");
  const save = h("button.btn.btn-primary", { type: "submit" }, t("consent.save"));
  const withdraw = h("button.btn.btn-danger-outline", {
    type: "button", "data-testid": "withdraw-consent", disabled: !me.consent_scopes.length,
    on: { click: async () => {
      if (!(await confirmDialog(t("consent.withdraw.confirm")))) return;
      try {
        await api("/v1/profiles/me/consent", { method: "DELETE" });
        toast(t("consent.withdrawn"));
        ctx.refresh();
      } catch (error) { showError(error); }
    } },
  }, t("consent.withdraw"));
  const form = h("form.consent-form", { on: { submit: async (ev) => {
    ev.preventDefault();
    try {
      await api("/v1/profiles/me/consent", { method: "PUT", body: { consent_scopes: [...scopes] } });
      toast(t("common.saved"));
      ctx.refresh();
    } catch (error) { showError(error); }
  } } },
  h("fieldset", h("legend", t("consent.pools")), box("pool:matching", t("consent.pool:matching")), box("pool:catalogue", t("consent.pool:catalogue"))),
  h("fieldset", h("legend", t("consent.kinds")), PROJECT_KINDS.map((k) => box(`kind:${k}`, label("kind", k)))),
  h("fieldset", h("legend", t("consent.tenants")), tenants, h("div.inline-form", tenant, addTenant)),
  h("div.actions", withdraw, save));
  view.append(h("div.page-head", h("h1", t("consent.title"))),
    card(t("consent.current"), scopeList(me.consent_scopes)),
    card(null, h("p.lead", t("consent.lead")), form));
}

async function renderMatches(view) {
  view.append(h("div.page-head", h("h1", t("matches.title"))));
  const panel = card(null);
  view.append(panel);
  if (!(await hasRoute("/v1/profiles/me/matches"))) return panel.append(notice(t("matches.missing")));
  let answer;
  try {
    answer = await api("/v1/profiles/me/matches");
  } catch (error) {
    if (error.status === 503) return panel.append(notice(t("matches.unavailable"), "warn"));
    if (error.status === 404) return panel.append(notice(t("matches.missing")));
    throw error;
  }
  const items = (answer && (answer.items || answer.matches)) || [];
  if (!items.length) return panel.append(notice(t("matches.empty")));
  panel.append(h("ol.candidates", await Promise.all(items.map(async (item) => {
    const p = item.project || item.catalogue_entry || {};
    return h("li.candidate", { "data-kind": item.kind, "data-id": p.id },
      h("div.candidate-head", h("strong", p.title || [p.occupation_code, p.urgency].filter(Boolean).join(" · ")),
        p.kind ? h("span.muted", label("kind", p.kind)) : null,
        p.zone_code ? h("span.muted", await ref.zoneName(p.zone_code)) : null,
        item.score !== undefined ? h("span.score", `${t("candidates.score")} ${fmtNumber(item.score, { maximumFractionDigits: 3 })}`) : null),
      p.description ? h("p.summary", p.description) : null,
      reasonsView(item.reasons));
  }))));
}

export const pages = [
  { id: "me", path: "/me", roles: ROLES, nav: { key: "nav.me", order: 10 }, render: renderMe },
  { id: "consent", path: "/me/consent", roles: ROLES, nav: { key: "nav.consent", order: 20 }, render: renderConsent },
  { id: "matches", path: "/me/matches", roles: ROLES, nav: { key: "nav.matches", order: 30 }, render: renderMatches },
];
