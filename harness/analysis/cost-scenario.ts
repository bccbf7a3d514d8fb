/**
 * The cost analyser behind `clusterbench cost` (seed 001's CostAnalyzer): a scenario (conversations/day, days,
 * average tokens per conversation, given or measured from a run's results.json) priced for every model in the
 * pricing table, with the cheapest model that meets constraints such as a maximum p95 latency.
 */
import type { RunResults } from '../types.js';
import {
  costPicoUsd,
  formatPicoUsd,
  picoToUsd,
  type ModelPrice,
  type PricingTable,
} from '../../pipeline/cost/pricing-table.js';
import { recordTokens, stageModel, type CostStageSpec } from './stage-cost.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Average tokens per conversation, by kind. */
export interface TokensPerConversation {
  input: number;
  output: number;
  embedding: number;
}

/** What is being priced. */
export interface CostScenario {
  conversationsPerDay: number;
  days: number;
  tokens: TokensPerConversation;
  /** Where the token figures came from, e.g. "given" or "measured: runs/x at n = 5,000 (summarise/llm, embed/openai)". */
  tokensSource: string;
  /** p95 latency (ms) per model measured in a run, used before the pricing table's figures. */
  measuredP95Ms?: Record<string, number>;
}

/** Constraints on the recommendation. */
export interface CostConstraints {
  /** Maximum p95 latency of one summarisation request, ms. */
  maxP95Ms?: number;
  /** Maximum total cost over the scenario's days, USD. */
  maxTotalUsd?: number;
}

/** One model priced for the scenario. */
export interface ModelCostRow {
  model: string;
  kind: 'chat' | 'embedding';
  price: ModelPrice;
  /** Tokens billed over the whole scenario. */
  tokens: { input: number; output: number; embedding: number };
  /** Exact total over the scenario, decimal USD (tokens x price). */
  totalUsd: string;
  usdPer1k: number;
  usdPerDay: number;
  /** p95 latency of one request and where it came from; absent when unknown (embedding models usually). */
  p95Ms?: number;
  p95Source?: 'measured' | 'table' | 'est.';
  /** Reasons the row breaks the constraints; empty when it meets them all. */
  violations: string[];
}

/** The priced table and the recommendation per kind. */
export interface CostAnalysis {
  scenario: CostScenario;
  rows: ModelCostRow[];
  recommended: { chat?: ModelCostRow; embedding?: ModelCostRow };
}

function p95For(
  model: string,
  price: ModelPrice,
  outputTokens: number,
  s: CostScenario,
): Pick<ModelCostRow, 'p95Ms' | 'p95Source'> {
  const measured = s.measuredP95Ms?.[model];
  if (measured !== undefined) return { p95Ms: measured, p95Source: 'measured' };
  if (price.p95Ms !== undefined) return { p95Ms: price.p95Ms, p95Source: 'table' };
  if (price.kind === 'chat' && price.ttftMs !== undefined && price.outputTokensPerSec !== undefined) {
    return { p95Ms: price.ttftMs + (outputTokens / price.outputTokensPerSec) * 1000, p95Source: 'est.' };
  }
  return {};
}

/** Price the scenario for every model (or `only` these), cheapest first, and pick the cheapest that meets the constraints. */
export function analyseCost(
  s: CostScenario,
  table: PricingTable,
  c: CostConstraints = {},
  only?: string[],
): CostAnalysis {
  const conversations = s.conversationsPerDay * s.days;
  const total = (perConv: number): number => Math.round(perConv * conversations);
  const names = only ?? Object.keys(table.models);
  const rows: ModelCostRow[] = [];
  for (const model of names) {
    const price = table.models[model];
    if (!price)
      throw new UserError(
        `--models: "${model}" is not in the pricing table; known: ${Object.keys(table.models).join(', ')}`,
      );
    const tokens =
      price.kind === 'chat'
        ? { input: total(s.tokens.input), output: total(s.tokens.output), embedding: 0 }
        : { input: 0, output: 0, embedding: total(s.tokens.embedding) };
    if (tokens.input + tokens.output + tokens.embedding === 0) continue; // this scenario uses no model of this kind
    const pico = costPicoUsd(tokens, price, model);
    const usd = picoToUsd(pico);
    const row: ModelCostRow = {
      model,
      kind: price.kind,
      price,
      tokens,
      totalUsd: formatPicoUsd(pico),
      usdPer1k: conversations > 0 ? (usd * 1000) / conversations : 0,
      usdPerDay: s.days > 0 ? usd / s.days : 0,
      ...p95For(model, price, s.tokens.output, s),
      violations: [],
    };
    if (c.maxP95Ms !== undefined && row.kind === 'chat') {
      if (row.p95Ms === undefined) row.violations.push('p95 latency unknown');
      else if (row.p95Ms > c.maxP95Ms) row.violations.push(`p95 ${Math.round(row.p95Ms)} ms > ${c.maxP95Ms} ms`);
    }
    if (c.maxTotalUsd !== undefined && usd > c.maxTotalUsd)
      row.violations.push(`total $${row.totalUsd} > $${c.maxTotalUsd}`);
    rows.push(row);
  }
  rows.sort((a, b) => a.kind.localeCompare(b.kind) || a.usdPer1k - b.usdPer1k || a.model.localeCompare(b.model));
  const cheapest = (kind: 'chat' | 'embedding'): ModelCostRow | undefined =>
    rows.find((r) => r.kind === kind && r.violations.length === 0);
  return { scenario: s, rows, recommended: { chat: cheapest('chat'), embedding: cheapest('embedding') } };
}

/**
 * Average tokens per conversation measured in a run: the largest scale at which some stage counted tokens, summed
 * over its stages (repeat 0), divided by that scale. Also each API model's measured p95 request latency there.
 */
export function measureFromRun(
  r: RunResults,
  stages: CostStageSpec[],
): { tokens: TokensPerConversation; scale: number; stages: string[]; p95Ms: Record<string, number> } {
  const counted = r.records.filter(
    (x) => x.repeat === 0 && x.status !== 'skipped' && Object.values(recordTokens(x)).some((v) => v > 0),
  );
  if (counted.length === 0)
    throw new UserError(
      `run ${r.id}: no stage counted tokens (tokens.input/output/embedding); give --input-tokens, --output-tokens, --embedding-tokens instead`,
    );
  const scale = Math.max(...counted.map((x) => x.scale));
  const at = counted.filter((x) => x.scale === scale);
  const tokens = { input: 0, output: 0, embedding: 0 };
  const p95Ms: Record<string, number> = {};
  for (const x of at) {
    const t = recordTokens(x);
    tokens.input += t.input / x.items;
    tokens.output += t.output / x.items;
    tokens.embedding += t.embedding / x.items;
    const model = stageModel(stages.find((s) => s.stage === x.stage && s.method === x.method));
    const lat = x.observations.latencyMs;
    if (model && x.stage === 'summarise' && lat && lat.count > 0) p95Ms[model] = lat.p95;
  }
  return { tokens, scale, stages: at.map((x) => `${x.stage}/${x.method}`), p95Ms };
}
