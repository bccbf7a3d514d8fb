/**
 * `clusterbench cost`: price a scenario (conversations/day x days x average tokens per conversation, given by
 * flags or measured from a run's results.json) for every model in the pricing table, cheapest first, and recommend
 * the cheapest model within constraints (--max-p95-ms, --max-usd).
 */

import { readResults } from '../sweep/run-directory.js';
import { renderTextTable } from '../io/text-table.js';
import { loadPricingTable, formatUsd } from '../../pipeline/cost/pricing-table.js';
import { withResolvedModels, type CostStageSpec } from '../analysis/stage-cost.js';
import {
  analyseCost,
  measureFromRun,
  type CostAnalysis,
  type CostScenario,
  type ModelCostRow,
} from '../analysis/cost-scenario.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { countFromText } from '../profile/count-flag.js';
import { DEFAULT_TOKENS } from '../analysis/default-tokens.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Options of the cost command (strings as commander gives them). */
export interface CostCommandOptions {
  conversationsPerDay?: string;
  days?: string;
  inputTokens?: string;
  outputTokens?: string;
  embeddingTokens?: string;
  run?: string;
  pricing?: string;
  models?: string;
  maxP95Ms?: string;
  maxUsd?: string;
  json?: boolean;
}

function num(flag: string, v: string | undefined, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const x = countFromText(v.replace(/,/g, ''));
  const min = opts.min ?? 0;
  if (!Number.isFinite(x) || x < min || (opts.integer && !Number.isInteger(x))) {
    throw new UserError(`${flag}: "${v}" must be ${opts.integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return x;
}

/** Build the scenario from flags (and a run, whose measured tokens flags override). */
export async function buildScenario(o: CostCommandOptions): Promise<CostScenario> {
  const given = {
    input: num('--input-tokens', o.inputTokens),
    output: num('--output-tokens', o.outputTokens),
    embedding: num('--embedding-tokens', o.embeddingTokens),
  };
  let tokens: { input: number; output: number; embedding: number } = { ...DEFAULT_TOKENS };
  let source = 'defaults (set --input-tokens, --output-tokens, --embedding-tokens, or --run)';
  let measuredP95Ms: Record<string, number> | undefined;
  if (o.run !== undefined) {
    const r = readResults(o.run);
    const stages = await withResolvedModels((r.profile as { stages?: CostStageSpec[] })?.stages ?? []);
    const m = measureFromRun(r, stages);
    tokens = m.tokens;
    measuredP95Ms = m.p95Ms;
    source = `measured in ${displayPath(o.run)} at n = ${m.scale.toLocaleString('en-US')} (${m.stages.join(', ')})`;
  }
  const overridden = Object.entries(given).filter(([, v]) => v !== undefined);
  if (overridden.length > 0) {
    for (const [k, v] of overridden) tokens[k as keyof typeof tokens] = v as number;
    source =
      o.run !== undefined
        ? `${source}; ${overridden.map(([k]) => k).join(', ')} given`
        : `given${overridden.length < 3 ? `; ${['input', 'output', 'embedding'].filter((k) => given[k as keyof typeof given] === undefined).join(', ')} default` : ''}`;
  }
  return {
    conversationsPerDay: num('--conversations-per-day', o.conversationsPerDay, { integer: true, min: 1 }) ?? 10_000,
    days: num('--days', o.days, { integer: true, min: 1 }) ?? 30,
    tokens,
    tokensSource: source,
    ...(measuredP95Ms ? { measuredP95Ms } : {}),
  };
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const tok = (v: number): string => (Number.isInteger(v) ? int(v) : v.toFixed(1));
const price = (v: number | undefined): string => (v === undefined ? '—' : v >= 0.01 ? v.toFixed(2) : String(v));
const dollars = (usd: string): string =>
  `$${Number(usd).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function latency(r: ModelCostRow): string {
  if (r.p95Ms === undefined) return '—';
  const v = r.p95Ms >= 1000 ? `${(r.p95Ms / 1000).toFixed(2)} s` : `${Math.round(r.p95Ms)} ms`;
  return `${v} (${r.p95Source})`;
}

/** The human-readable output. */
export function renderCostAnalysis(a: CostAnalysis, asOf: string, maxP95Ms?: number): string {
  const s = a.scenario;
  const conv = s.conversationsPerDay * s.days;
  const out = [
    `Scenario: ${int(s.conversationsPerDay)} conversations/day x ${s.days} days = ${int(conv)} conversations`,
    `Tokens per conversation: ${tok(s.tokens.input)} input, ${tok(s.tokens.output)} output, ${tok(s.tokens.embedding)} embedding; ${s.tokensSource}`,
    `Prices: USD per 1M tokens, pricing table dated ${asOf}; cost = tokens x price, exact`,
    '',
  ];
  const chat = a.rows.filter((r) => r.kind === 'chat');
  if (chat.length > 0) {
    out.push('Summarisation (chat) models, cheapest first');
    out.push(
      renderTextTable(
        ['model', '$/1M in', '$/1M out', '$/1K conv', '$/day', `total (${s.days} d)`, 'p95 latency', 'ok?'],
        chat.map((r) => [
          r.model,
          price(r.price.input),
          price(r.price.output),
          formatUsd(r.usdPer1k),
          formatUsd(r.usdPerDay),
          dollars(r.totalUsd),
          latency(r),
          r.violations.length ? `no: ${r.violations.join('; ')}` : 'yes',
        ]),
      ),
      '',
    );
  }
  if (chat.length === 0 && s.tokens.input + s.tokens.output === 0)
    out.push(
      'No summarisation tokens in this scenario: give --input-tokens and --output-tokens to price chat models.',
      '',
    );
  const emb = a.rows.filter((r) => r.kind === 'embedding');
  if (emb.length > 0) {
    out.push('Embedding models, cheapest first');
    out.push(
      renderTextTable(
        ['model', '$/1M tokens', '$/1K conv', '$/day', `total (${s.days} d)`, 'ok?'],
        emb.map((r) => [
          r.model,
          price(r.price.embedding),
          formatUsd(r.usdPer1k),
          formatUsd(r.usdPerDay),
          dollars(r.totalUsd),
          r.violations.length ? `no: ${r.violations.join('; ')}` : 'yes',
        ]),
      ),
      '',
    );
  }
  const limit = maxP95Ms !== undefined ? ` with p95 <= ${int(maxP95Ms)} ms` : '';
  for (const [kind, label] of [
    ['chat', 'summarisation'],
    ['embedding', 'embedding'],
  ] as const) {
    if (!a.rows.some((r) => r.kind === kind)) continue;
    const rec = a.recommended[kind];
    out.push(
      rec
        ? `Recommended ${label} model: ${rec.model}: the cheapest${kind === 'chat' ? limit : ''} within limits, ${dollars(rec.totalUsd)} over ${s.days} days (${formatUsd(rec.usdPer1k)} per 1K conversations).`
        : `No ${label} model meets the constraints.`,
    );
  }
  return out.join('\n');
}

/** Run the cost command; returns the analysis and what it printed. */
export async function costCommand(o: CostCommandOptions): Promise<{ analysis: CostAnalysis; text: string }> {
  const table = loadPricingTable(o.pricing);
  const scenario = await buildScenario(o);
  const maxP95Ms = num('--max-p95-ms', o.maxP95Ms, { min: 1 });
  const maxTotalUsd = num('--max-usd', o.maxUsd);
  const models = o.models
    ?.split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const analysis = analyseCost(scenario, table, { maxP95Ms, maxTotalUsd }, models);
  const text = o.json
    ? JSON.stringify(
        { asOf: table.asOf, ...analysis, rows: analysis.rows.map(({ price, ...r }) => ({ ...r, price })) },
        null,
        1,
      )
    : renderCostAnalysis(analysis, table.asOf, maxP95Ms);
  return { analysis, text };
}
