// The one door to the /v1 API: the session cookie authenticates, the CSRF cookie is echoed on changes.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

function csrfToken() {
  const hit = document.cookie.split("; ").find((c) => c.startsWith("tc_csrf="));
  return hit ? decodeURIComponent(hit.slice("tc_csrf=".length)) : "";
}

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) {
  onUnauthenticated = fn;
}

/** Call the API; JSON in and out. Throws ApiError with the problem document on any non-2xx. */
export async function api(path, { method = "GET", body, query } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
  let payload;
  if (body instanceof URLSearchParams) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const url = query ? `${path}?${new URLSearchParams(query)}` : path;
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/console/login")) onUnauthenticated();
    throw new ApiError(response.status, data);
  }
  return data;
}

let openapi;
/** Whether the running service offers `template` (e.g. "/v1/projects/{}/candidates"), read from its
 * OpenAPI document once per page load, so that optional routes are not probed with requests that fail. */
export async function hasRoute(template, method = "get") {
  openapi = openapi || fetch("/openapi.json").then((r) => (r.ok ? r.json() : { paths: {} }));
  const paths = (await openapi).paths || {};
  const wanted = template.replace(/\{[^}]*\}/g, "{}");
  return Object.entries(paths).some(
    ([path, ops]) => path.replace(/\{[^}]*\}/g, "{}") === wanted && method in ops,
  );
}

/** Every page of a paginated list. */
export async function all(path, query = {}) {
  const items = [];
  for (let offset = 0; ; offset += 100) {
    const page = await api(path, { query: { ...query, limit: 100, offset } });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

const cache = new Map();
/** Reference data (chains, zones, industries) changes once a year: fetch each once per page load. */
export function reference(path) {
  if (!cache.has(path)) cache.set(path, api(path).catch((e) => { cache.delete(path); throw e; }));
  return cache.get(path);
}
