// The shell: who is logged in, the top bar, navigation by role, and a hash router over the page modules.

import { api, whenUnauthenticated } from "./api.js";
import { loadPlotly } from "./charts.js";
import { lang, setLang, t } from "./i18n.js";
import { PAGES } from "./pages/index.js";
import { clear, h, loading, notice, showError } from "./ui.js";

const state = { session: { authenticated: false } };

function compile(path) {
  const names = [];
  const pattern = path.replace(/:(\w+)/g, (_, name) => { names.push(name); return "([^/]+)"; });
  return { regex: new RegExp(`^${pattern}$`), names };
}
const ROUTES = PAGES.map((page) => ({ page, ...compile(page.path) }));

function match(path) {
  for (const route of ROUTES) {
    const m = route.regex.exec(path);
    if (m) return { page: route.page, params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

function currentPath() {
  return location.hash.replace(/^#/, "").split("?")[0] || "/";
}

function homeOf(session) {
  if (!session.authenticated) return "/login";
  const first = PAGES.filter((p) => p.nav && p.roles && p.roles.includes(session.role))
    .sort((a, b) => a.nav.order - b.nav.order)[0];
  return first ? first.path : "/login";
}

function topbar() {
  const s = state.session;
  const switchLang = h("button.btn-lang", {
    type: "button", title: t("lang.switch.title"), "data-testid": "lang-switch",
    on: { click: () => { setLang(lang() === "zh" ? "en" : "zh"); render(); } },
  }, t("lang.switch"));
  const who = s.authenticated
    ? h("span.who", h("span.role-badge", t(`role.${s.role}`)), s.tenant ? h("span.tenant", s.tenant) : null)
    : null;
  const logout = s.authenticated
    ? h("button.btn-ghost", { type: "button", "data-testid": "logout", on: { click: logoutNow } }, t("common.logout"))
    : null;
  return [
    h("div.brand", h("span.brand-mark", "TC"), h("div", h("div.brand-name", t("app.name")), h("div.brand-sub", t("app.subtitle")))),
    h("div.topbar-right", who, switchLang, logout),
  ];
}

function sidenav(path) {
  const s = state.session;
  if (!s.authenticated) return [];
  const items = PAGES.filter((p) => p.nav && p.roles.includes(s.role)).sort((a, b) => a.nav.order - b.nav.order);
  const current = items.filter((p) => path === p.path || path.startsWith(p.path + "/"))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return h("ul", items.map((p) => {
    const active = p === current;
    return h("li", h(`a.nav-link${active ? ".active" : ""}`, { href: `#${p.path}`, "aria-current": active ? "page" : null }, t(p.nav.key)));
  }));
}

async function logoutNow() {
  try {
    await api("/console/logout", { method: "POST" });
  } catch (error) {
    showError(error);
  }
  state.session = { authenticated: false };
  navigate("/login");
}

let rendering = 0;
export async function render() {
  const ticket = ++rendering;
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  document.title = t("app.name");
  let path = currentPath();
  if (path === "/") path = homeOf(state.session);
  const found = match(path);
  const main = document.getElementById("main");
  clear(document.getElementById("topbar")).append(...topbar());
  const nav = clear(document.getElementById("sidenav"));
  const links = sidenav(path);
  nav.append(...[links].flat());
  document.body.classList.toggle("anonymous", !state.session.authenticated);
  clear(main);
  if (!found) return main.append(notice(t("error.notfound"), "warn"));
  const { page, params } = found;
  if (page.roles && !state.session.authenticated) return navigate("/login");
  if (page.roles && !page.roles.includes(state.session.role)) return main.append(notice(t("error.forbidden"), "warn"));
  // The view is attached before it is filled, so that charts are laid out at the width they will have.
  const spinner = loading();
  const view = h("div.page", { "data-page": page.id });
  // Pages append optional parts as `cond ? part : null`; the DOM's own append would print "null".
  view.append = (...parts) => Element.prototype.append.apply(view, parts.flat().filter((p) => p !== null && p !== undefined && p !== false));
  main.append(view, spinner);
  try {
    await page.render(view, params, { session: state.session, navigate, refresh: render, setSession });
  } catch (error) {
    view.append(notice(`${t("common.error")}: ${error.problem?.detail || error.message}`, "error"));
  }
  if (ticket !== rendering) return;
  spinner.remove();
  view.dataset.ready = "true";
}

const CHART_ROLES = ["bureau_analyst", "admin"];

function setSession(session) {
  state.session = session;
  // Bureau pages all draw charts: fetch Plotly (4.8 MB, cached a day) alongside the first page's data.
  if (session.authenticated && CHART_ROLES.includes(session.role)) loadPlotly().catch(() => {});
}

async function start() {
  whenUnauthenticated(() => {
    state.session = { authenticated: false };
    navigate("/login");
  });
  try {
    setSession(await api("/console/session"));
  } catch (error) {
    state.session = { authenticated: false };
  }
  window.addEventListener("hashchange", render);
  await render();
}

start();
