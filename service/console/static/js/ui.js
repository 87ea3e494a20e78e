// Small DOM helpers. Text always goes in as text nodes, never as HTML, so API data cannot inject markup.

import { t } from "./i18n.js";

/** h("div.card#id", {attrs, on: {click}}, ...children) */
export function h(tag, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const element = tag.match(/^[\w-]*/)[0] || "div";
  const el = document.createElement(element);
  const id = tag.match(/#([\w-]+)/);
  if (id) el.id = id[1];
  const classes = [...tag.matchAll(/\.([\w-]+)/g)].map((m) => m[1]);
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === "class") el.className += (el.className ? " " : "") + value;
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function toast(message, kind = "ok") {
  const box = document.getElementById("toasts");
  const item = h(`div.toast.toast-${kind}`, { role: kind === "error" ? "alert" : "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), 4000);
}

export function errorText(error) {
  const p = error && error.problem;
  if (p && p.detail) return `${p.title || t("common.error")}: ${p.detail}`;
  return `${t("common.error")}: ${error && error.message ? error.message : error}`;
}

export function showError(error) {
  toast(errorText(error), "error");
}

/** A modal confirmation; resolves true when confirmed. With `typed`, the user must type that word. */
export function confirmDialog(message, { typed, danger = true } = {}) {
  return new Promise((resolve) => {
    const input = typed ? h("input.input", { type: "text", "aria-label": typed, autocomplete: "off" }) : null;
    const ok = h(`button.btn${danger ? ".btn-danger" : ".btn-primary"}`, { type: "submit" }, t("common.confirm"));
    const cancel = h("button.btn", { type: "button" }, t("common.cancel"));
    const dialog = h("dialog.dialog", h("form", { method: "dialog" },
      h("p", message), input, h("div.actions", cancel, ok)));
    if (input) {
      ok.disabled = true;
      input.addEventListener("input", () => { ok.disabled = input.value.trim() !== typed; });
    }
    const done = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    cancel.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", () => done(false));
    ok.addEventListener("click", (ev) => { ev.preventDefault(); done(true); });
    document.body.append(dialog);
    dialog.showModal();
    (input || ok).focus();
  });
}

export function card(title, ...body) {
  return h("section.card", title ? h("h2.card-title", title) : null, ...body);
}

export function field(labelText, control, hint) {
  return h("label.field", h("span.field-label", labelText), control, hint ? h("span.hint", hint) : null);
}

export function notice(message, kind = "info") {
  return h(`div.notice.notice-${kind}`, { role: "note" }, message);
}

export function loading() {
  return h("div.loading", t("common.loading"));
}

/** A definition list of [label, value] pairs. */
export function facts(pairs) {
  return h("dl.facts", pairs.map(([k, v]) => [h("dt", k), h("dd", v === "" || v === null || v === undefined ? "—" : v)]));
}

export function pill(text, kind = "") {
  return h(`span.pill${kind ? ".pill-" + kind : ""}`, text);
}
