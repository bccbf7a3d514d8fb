/** report.md section for the API stages' own records: requests, retries, 429s, errors, cache hit rate, latency, TTFB. */
import type { RunResults, StageRecord } from '../harness/types.js';
import { API_COUNTERS, API_OBSERVATIONS } from '../pipeline/api/openai-client.js';

const ms = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');

function isApiRecord(rec: StageRecord): boolean {
  const c = rec.counters ?? {};
  return (
    c[API_COUNTERS.requests] !== undefined ||
    c[API_COUNTERS.cacheHits] !== undefined ||
    c[API_COUNTERS.cacheMisses] !== undefined
  );
}

/** The "API calls" section (Markdown lines), or nothing when no stage called an API. */
export function apiCallLines(r: RunResults): string[] {
  const recs = r.records.filter((x) => x.repeat === 0 && isApiRecord(x));
  if (recs.length === 0) return [];
  const out = [
    '## API calls',
    '',
    '| n | stage | requests | retries | 429s | errors | cache hit rate | latency p50 | p95 | p99 (ms) | TTFB p50 | p95 (ms) | tokens/s p50 |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const rec of recs) {
    const c = rec.counters;
    const o = rec.observations ?? {};
    const hits = c[API_COUNTERS.cacheHits] ?? 0;
    const lookups = hits + (c[API_COUNTERS.cacheMisses] ?? 0);
    out.push(
      `| ${rec.scale.toLocaleString('en-US')} | ${rec.stage}/${rec.method} | ${c[API_COUNTERS.requests] ?? 0} | ${c[API_COUNTERS.retries] ?? 0} | ${c[API_COUNTERS.http429] ?? 0} | ${c[API_COUNTERS.errors] ?? 0} | ${lookups > 0 ? `${((hits / lookups) * 100).toFixed(1)}%` : '—'} | ` +
        `${ms(o[API_OBSERVATIONS.latencyMs]?.p50)} | ${ms(o[API_OBSERVATIONS.latencyMs]?.p95)} | ${ms(o[API_OBSERVATIONS.latencyMs]?.p99)} | ${ms(o[API_OBSERVATIONS.ttfbMs]?.p50)} | ${ms(o[API_OBSERVATIONS.ttfbMs]?.p95)} | ${ms(o[API_OBSERVATIONS.tokensPerSec]?.p50)} |`,
    );
  }
  out.push('');
  return out;
}
