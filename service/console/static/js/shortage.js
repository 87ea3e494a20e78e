// The one place that asks for shortage figures. Until the bureau forecast routes exist (or while they
// answer 404/503) it returns null and every view falls back to reference-only display.

import { api, hasRoute } from "./api.js";

/**
 * Shortage figures for a filter, e.g. {industry: "BIO", horizon: 12} or {zone: "zhongguancun"}.
 * Returns {byOccupation, bySegment, byZone}: Maps from code to {index, probability}, or null.
 * Expected answer of GET /v1/shortages: {items: [{occupation_code?, segment_code?, zone_code?,
 * shortage_index, probability?}]} — adapt `normalise` below if the route settles on other names.
 */
export async function fetchShortages(filter = {}) {
  if (!(await hasRoute("/v1/shortages"))) return null;
  try {
    return normalise(await api("/v1/shortages", { query: filter }));
  } catch (error) {
    if (error.status === 404 || error.status === 503) return null;
    throw error;
  }
}

function normalise(answer) {
  const out = { byOccupation: new Map(), bySegment: new Map(), byZone: new Map() };
  for (const row of (answer && (answer.items || answer)) || []) {
    const value = { index: row.shortage_index ?? row.index, probability: row.probability ?? null };
    if (row.occupation_code) out.byOccupation.set(row.occupation_code, value);
    if (row.segment_code) out.bySegment.set(row.segment_code, value);
    if (row.zone_code) out.byZone.set(row.zone_code, value);
  }
  return out;
}

/** Colour of a shortage index (求人倍率: postings per job seeker; 1 = balanced), green → amber → red. */
export function shortageColour(index) {
  if (index === null || index === undefined) return null;
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
