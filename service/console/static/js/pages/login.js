import { api } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../ui.js";

async function render(view, _params, ctx) {
  const key = h("input.input#api-key", {
    type: "password", name: "api_key", required: true, autocomplete: "current-password", spellcheck: "false",
  });
  const message = h("div.form-message", { role: "alert" });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, t("login.submit"));
  const form = h("form.login-form", {
    method: "post", action: "/console/login",
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        message.replaceChildren();
        try {
          const session = await api("/console/login", { method: "POST", body: new URLSearchParams({ api_key: key.value }) });
          key.value = "";
          ctx.setSession(session);
          ctx.navigate("/");
        } catch (error) {
          message.append(notice(error.status === 401 ? t("login.failed") : error.message, "error"));
          submit.disabled = false;
        }
      },
    },
  },
  h("label.field", { for: "api-key" }, h("span.field-label", t("login.key"))), key, message, submit);
  view.append(h("div.login-wrap", h("section.card.login-card",
    h("h1.login-title", t("login.title")),
    h("p.lead", t("login.lead")),
    form,
    h("p.hint", t("login.note")))));
}

export const page = { id: "login", path: "/login", roles: null, render };
