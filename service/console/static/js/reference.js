// Reference look-ups shared by pages: industries, chains, zones, segment names — each fetched once.

import { reference } from "./api.js";
import { nm } from "./i18n.js";

export const industries = () => reference("/v1/industries");
export const zones = () => reference("/v1/zones");
export const chain = (industryCode) => reference(`/v1/industries/${encodeURIComponent(industryCode)}/chain`);

export async function zoneName(code) {
  const zone = (await zones()).find((z) => z.code === code);
  return zone ? nm(zone) : code;
}

/** The segment and its industry, found through the industry's chain (segment codes start with it). */
export async function segment(code) {
  const industryCode = String(code).split("-")[0];
  try {
    const c = await chain(industryCode);
    const s = c.segments.find((x) => x.code === code);
    return s ? { segment: s, industry: c.industry } : null;
  } catch {
    return null;
  }
}

export async function segmentName(code) {
  const found = await segment(code);
  return found ? `${nm(found.industry)} · ${nm(found.segment)}` : code;
}
