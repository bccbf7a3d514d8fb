/** report.md section for `sections.concurrency`: one table per swept API stage, with the knee marked. */
import type { RunResults } from '../harness/types.js';
import type { ConcurrencyStageResult } from '../harness/sweep/concurrency-sweep.js';

const ms = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');

/** The table of one stage's concurrency sweep (Markdown lines). */
export function concurrencyTable(s: ConcurrencyStageResult): string[] {
  const out = [
    '| concurrency | status | items | items/s | latency p50 | p95 | p99 (ms) | TTFB p50 | p95 (ms) | 429s | retries | errors | requests |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const l of s.levels) {
    const status = l.status === 'ok' ? 'ok' : `**${l.status}**`;
    out.push(
      `| ${l.concurrency}${s.knee === l.concurrency ? ' ← knee' : ''} | ${status} | ${l.items} | ${l.status === 'ok' ? l.throughputPerSec.toFixed(1) : '—'} | ${ms(l.latencyMs?.p50)} | ${ms(l.latencyMs?.p95)} | ${ms(l.latencyMs?.p99)} | ${ms(l.ttfbMs?.p50)} | ${ms(l.ttfbMs?.p95)} | ${l.http429} | ${l.retries} | ${l.errors} | ${l.requests} |`,
    );
  }
  return out;
}

/** The "Concurrency sweep" section, or nothing when the run has none. */
export function concurrencyLines(r: RunResults): string[] {
  const c = r.sections.concurrency;
  if (!c?.stages?.length) return [];
  const out = ['## Concurrency sweep', ''];
  const lim = c.simulator;
  out.push(
    c.api === 'simulated' && lim
      ? `Against the in-process simulator (rpm ${lim.rpm || 'unlimited'}, tpm ${lim.tpm || 'unlimited'}, ${lim.tokensPerSec} tokens/s). `
      : 'Against the endpoint in OPENAI_BASE_URL. ',
  );
  out[out.length - 1] +=
    `Cache off for every level; items/s counts successful items from the first call to the last answer. The knee is the level beyond which throughput improves by less than ${(c.kneeThreshold * 100).toFixed(0)}%.`;
  out.push('');
  for (const s of c.stages) {
    out.push(
      `### ${s.stage}/${s.method} at n = ${s.scale.toLocaleString('en-US')}: knee ${s.knee ?? 'none'}`,
      '',
      ...concurrencyTable(s),
      '',
      `Knee: ${s.kneeNote}.`,
      '',
    );
  }
  return out;
}
