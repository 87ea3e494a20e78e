// The one place that asks for shortage figures: /v1/shortages (ranked occupations per segment, with
// reasons) and /v1/forecasts (zone totals, for the map). Where the bureau routes are absent or answer
// 404/503 (no forecast run yet) it returns null and the views fall back to reference-only display.

import { api, hasRoute, reference } from "./api.js";

const OFFLINE = new Set([404, 503]);

/** The serving forecaster's card (cached per page load), or null. */
export async function servingModel() {
  if (!(await hasRoute("/v1/models"))) return null;
  try {
    const page = await reference("/v1/models");
    return page.items.find((m) => m.serving) || null;
  } catch (error) {
    if (OFFLINE.has(error.status) || error.status === 403) return null;
    throw error;
  }
}

/** Horizons (months) the shortage routes accept for the serving run: 6/12/24 up to the run's horizon. */
export async function horizons() {
  const model = await servingModel();
  const max = (model && model.card && model.card.horizon) || 12;
  const out = [6, 12, 24].filter((x) => x <= max);
  return out.length ? out : [max];
}

/**
 * Ranked shortages for a filter ({industry, segment, zone, horizon, limit}) as returned by
 * GET /v1/shortages, plus look-ups: {raw, segments, byOccupation, bySegment}, or null when offline.
 * `byOccupation` keeps, per occupation, its highest-ranked row over the segments (with `segment_code`).
 */
export async function fetchShortages(filter = {}) {
  if (!(await hasRoute("/v1/shortages"))) return null;
  let answer;
  try {
    answer = await api("/v1/shortages", { query: clean(filter) });
  } catch (error) {
    if (OFFLINE.has(error.status)) return null;
    throw error;
  }
  const out = { raw: answer, segments: answer.segments || [], byOccupation: new Map(), bySegment: new Map() };
  for (const s of out.segments) {
    if (s.summary) out.bySegment.set(s.segment_code, { index: s.summary.shortage_index, probability: s.summary.p_short, ...s.summary });
    for (const o of s.occupations) {
      const row = { index: o.shortage_index, probability: o.p_short, segment_code: s.segment_code, ...o };
      const seen = out.byOccupation.get(o.occupation_code);
      if (!seen || row.score > seen.score) out.byOccupation.set(o.occupation_code, row);
    }
  }
  return out;
}

/**
 * The shortage index of each zone over the horizon (Σ forecast postings ÷ Σ forecast job seekers),
 * optionally within an industry or a cluster: Map zone code → {index, postings, job_seekers}, or null.
 */
export async function zoneIndices({ industry, cluster, horizon } = {}) {
  if (!(await hasRoute("/v1/forecasts"))) return null;
  const query = (target) => clean({ level: "zone", target, horizon, industry, cluster, history: 0, limit: 100 });
  let postings, seekers;
  try {
    [postings, seekers] = await Promise.all([
      api("/v1/forecasts", { query: query("postings") }),
      api("/v1/forecasts", { query: query("job_seekers") }),
    ]);
  } catch (error) {
    if (OFFLINE.has(error.status)) return null;
    throw error;
  }
  const sum = (item) => item.points.reduce((acc, p) => acc + p.mean, 0);
  const supply = new Map(seekers.items.map((i) => [i.dimensions.zone, sum(i)]));
  const out = new Map();
  for (const item of postings.items) {
    const p = sum(item);
    const s = supply.get(item.dimensions.zone) || 0;
    out.set(item.dimensions.zone, { index: s > 0 ? p / s : null, postings: p, job_seekers: s });
  }
  out.version = postings.model_version;
  return out;
}

function clean(query) {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

/** Colour of a shortage index (求人倍率: postings per job seeker; 1 = balanced), green → amber → red. */
export function shortageColour(index) {
  if (index === null || index === undefined || Number.isNaN(index)) return null;
  const stops = [[0.8, [46, 139, 87]], [1.0, [241, 196, 15]], [1.5, [230, 126, 34]], [2.0, [192, 57, 43]]];
  if (index <= stops[0][0]) return `rgb(${stops[0][1]})`;
  for (let i = 1; i < stops.length; i++) {
    const [x1, c1] = stops[i];
    const [x0, c0] = stops[i - 1];
    if (index <= x1) {
      const f = (index - x0) / (x1 - x0);
      return `rgb(${c0.map((c, k) => Math.round(c + f * (c1[k] - c)))})`;
    }
  }
  return `rgb(${stops[stops.length - 1][1]})`;
}

/** Colour of a probability of shortage, light → deep red. */
export function probabilityColour(p) {
  if (p === null || p === undefined) return null;
  const x = Math.max(0, Math.min(1, p));
  const from = [253, 237, 222];
  const to = [176, 42, 30];
  return `rgb(${from.map((c, k) => Math.round(c + x * (to[k] - c)))})`;
}
