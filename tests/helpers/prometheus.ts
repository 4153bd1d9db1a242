/**
 * Reads metrics text with a Prometheus text-format parser
 * (parse-prometheus-text-format, ported from the official Python client's
 * parser), so tests check what a scraper would see, not what a regex hopes.
 */
import assert from "node:assert/strict";
// @ts-expect-error The package ships no types; its output is typed below.
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { ADMIN_HEADERS } from "./server";
import { withTimeout } from "./wait";

/** One metric family as the parser returns it (prom2json's shape: values are strings, types upper case). */
export type Family = { name: string; help: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> };

/** Parses exposition text into families by name; throws if the parser does. */
export function parseMetrics(text: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/** The value of the sample of `name` whose labels include `labels`, or undefined. */
export function sample(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found === undefined ? undefined : Number(found.value);
}

/** GETs a metrics URL as an admin and parses it; checks the content type scrapers expect. */
export async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await withTimeout(fetch(url, { headers: ADMIN_HEADERS }), 10_000, `GET ${url}`);
  assert.equal(res.status, 200, `GET ${url}`);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}
