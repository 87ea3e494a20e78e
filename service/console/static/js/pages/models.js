// Bureau: forecaster versions with their cards (newest first), one retraining job started and watched
// until it ends (GET /v1/jobs/{id} polled), and promotion of a version (admins only).

import { api } from "../api.js";
import { fmtDate, fmtNumber, fmtPercent, t } from "../i18n.js";
import { card, confirmDialog, h, notice, pill, showError, toast } from "../ui.js";
import { modelFacts } from "./occupation.js";

const ROLES = ["bureau_analyst", "admin"];
const POLL_MS = 700;

function headline(detail) {
  const out = [];
  for (const target of ["postings", "job_seekers"]) {
    const m = detail.backtest && detail.backtest[target] && detail.backtest[target].models;
    const best = m && (m.lgbm_global || Object.values(m)[0]);
    if (best) out.push(pill(`${t(`target.${target}`)} · MASE ${fmtNumber(best.mase, { maximumFractionDigits: 2 })} · ${t("metric.coverage_80")} ${fmtPercent(best.coverage_80)}`, "info"));
  }
  return out.length ? h("div.pills", out) : h("p.hint", t("models.nobacktest"));
}

function versionCard(model, detail, { admin, onPromote }) {
  const promote = admin && !model.serving && model.layout === "forecast_run"
    ? h("button.btn.btn-small", { type: "button", "data-testid": `promote-${model.version}`, on: { click: () => onPromote(model) } }, t("models.promote"))
    : null;
  return h(`section.card.model-card${model.serving ? ".serving" : ""}`, { "data-version": model.version },
    h("header.model-head", h("h2.card-title", model.version),
      model.serving ? pill(t("models.serving.badge"), "ok") : pill(t(`models.layout.${model.layout}`), "muted"), promote),
    modelFacts(model),
    detail ? headline(detail) : null);
}

function jobPanel() {
  const bar = h("div.progress-fill");
  const text = h("div.job-message", { "data-testid": "job-message" });
  const status = h("span.job-status", { "data-testid": "job-status" });
  const panel = h("div.job", { "data-testid": "job", hidden: true },
    h("div.job-head", h("strong", t("models.job")), status),
    h("div.progress", { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" }, bar), text);
  return {
    panel,
    show(job) {
      panel.hidden = false;
      const pct = Math.round(100 * (job.progress || 0));
      bar.style.width = `${pct}%`;
      panel.querySelector(".progress").setAttribute("aria-valuenow", String(pct));
      status.textContent = `${t(`job.${job.status}`)} · ${pct}%`;
      status.className = `job-status job-${job.status}`;
      panel.dataset.status = job.status;
      text.textContent = job.status === "succeeded" && job.result && job.result.version
        ? t("models.job.done", { version: job.result.version })
        : job.status === "failed" ? `${t("common.error")}: ${job.message}` : job.message || "";
    },
  };
}

async function render(view, params, ctx) {
  const page = await api("/v1/models", { query: { limit: 20 } });
  const admin = ctx.session.role === "admin";
  const details = await Promise.all(page.items.slice(0, 6).map((m) =>
    api(`/v1/models/${encodeURIComponent(m.version)}`).catch(() => null)));
  const job = jobPanel();
  const start = h("button.btn.btn-primary", { type: "button", "data-testid": "retrain" }, t("models.retrain"));

  async function watch(id) {
    for (;;) {
      const current = await api(`/v1/jobs/${encodeURIComponent(id)}`);
      job.show(current);
      if (current.status === "succeeded" || current.status === "failed") return current;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      const submitted = await api("/v1/models/retrain", { method: "POST" });
      job.show(submitted);
      const done = await watch(submitted.id);
      if (done.status === "succeeded") toast(t("models.job.done", { version: done.result?.version || "" }));
    } catch (error) {
      showError(error);
    } finally {
      start.disabled = false;
    }
  });

  async function onPromote(model) {
    if (!(await confirmDialog(t("models.promote.confirm", { version: model.version }), { danger: false }))) return;
    try {
      await api(`/v1/models/${encodeURIComponent(model.version)}/promote`, { method: "POST" });
      toast(t("models.promoted"));
      ctx.refresh();
    } catch (error) {
      showError(error);
    }
  }

  view.append(
    h("div.page-head", h("h1", t("models.title")), h("div.actions", start)),
    h("p.lead", t("models.lead")),
    job.panel,
    page.items.length ? h("div.model-list", { "data-testid": "models" },
      page.items.map((m, i) => versionCard(m, details[i], { admin, onPromote })))
      : notice(t("models.empty")),
    page.total > page.items.length ? h("p.hint", t("models.more", { n: page.total - page.items.length })) : null,
  );
}

export const pages = [
  { id: "models", path: "/models", roles: ROLES, nav: { key: "nav.models", order: 40 }, render },
];
