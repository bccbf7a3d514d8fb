/**
 * Two report.md sections: embedding throughput (embeddings/min per embed stage and scale, with its worker count)
 * and tokens and $ per 1K conversations per stage (from results.sections.cost, which the sweep writes with the
 * pricing table in force). Both are built from results.json alone.
 */
import type { RunResults } from '../harness/types.js';
import type { StageCostRow } from '../harness/analysis/stage-cost.js';
import { formatUsd } from '../pipeline/cost/pricing-table.js';
import { SPLIT_WORKERS_COUNTER } from '../harness/workers/split-stage-run.js';

const int = (v: number): string => Math.round(v).toLocaleString('en-US');

/** "## Embedding throughput": one row per embed stage and scale (repeat 0, status ok). */
export function embeddingThroughputLines(r: RunResults): string[] {
  const recs = r.records.filter((x) => x.stage === 'embed' && x.repeat === 0 && x.status === 'ok');
  if (recs.length === 0) return [];
  const out = [
    '## Embedding throughput',
    '',
    '| n | method | workers | embeddings/min | embeddings/s |',
    '|---|---|---|---|---|',
  ];
  for (const x of recs)
    out.push(
      `| ${int(x.scale)} | ${x.method} | ${x.counters[SPLIT_WORKERS_COUNTER] ?? 1} | ${int(x.itemsPerSec * 60)} | ${x.itemsPerSec.toFixed(1)} |`,
    );
  out.push('');
  return out;
}

function costRow(c: StageCostRow): string {
  const usd = c.usd !== undefined ? `$${c.usd}` : '—';
  const per1k = c.usdPer1k !== undefined ? formatUsd(c.usdPer1k) : `— (${c.note ?? 'unpriced'})`;
  return `| ${c.stage}/${c.method} | ${c.model ?? 'local'} | ${int(c.tokens.input)} | ${int(c.tokens.output)} | ${int(c.tokens.embedding)} | ${int(c.tokensPer1k)} | ${usd} | ${per1k} |`;
}

/** "## Tokens and cost": per scale, each stage's tokens and $ per 1K conversations, and the pipeline's total. */
export function costLines(r: RunResults): string[] {
  const section = r.sections.cost;
  if (!section || section.rows.length === 0) return [];
  const out = ['## Tokens and cost', ''];
  if (section.rows.every((c) => c.model === null && c.tokensPer1k === 0)) {
    return [...out, 'Every stage ran locally and counted no tokens: $0 per 1K conversations.', ''];
  }
  out.push(
    `Prices: USD per 1M tokens from the pricing table dated ${section.asOf} (override with \`--pricing FILE\`). Cost = tokens x price, exact. Local stages cost $0; a local embedder's embedding tokens are what an API embedder would bill (\`clusterbench cost --run\` prices them).`,
    '',
  );
  for (const scale of [...new Set(section.rows.map((c) => c.scale))]) {
    const rows = section.rows.filter((c) => c.scale === scale);
    out.push(
      `### n = ${int(scale)}`,
      '',
      '| stage | model | input tokens | output tokens | embedding tokens | tokens / 1K conv | $ total | $ / 1K conversations |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const c of rows) out.push(costRow(c));
    const priced = rows.filter((c) => c.usdPer1k !== undefined);
    const total = priced.reduce((s, c) => s + (c.usdPer1k ?? 0), 0);
    out.push(
      '',
      `Pipeline: ${formatUsd(total)} per 1K conversations${priced.length < rows.length ? ` (${rows.length - priced.length} stage(s) unpriced)` : ''}.`,
      '',
    );
  }
  return out;
}
