/**
 * Tokens and $ per 1K conversations for every stage of a run, from the StageRecord token counters
 * (pipeline/api/token-counter.ts names them) and the pricing table. The sweep stores the result in
 * results.sections.cost so that report.md is still built from results.json alone.
 */
import type { StageKind, StageRecord } from '../types.js';
import { TOKENS_EMBEDDING, TOKENS_INPUT, TOKENS_OUTPUT } from '../../pipeline/api/token-counter.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';
import {
  costPicoUsd,
  findModelPrice,
  formatPicoUsd,
  picoToUsd,
  type PricingTable,
  type TokenCounts,
} from '../../pipeline/cost/pricing-table.js';
import type { StageCostRow, CostSection } from '../types.js';
export type { StageCostRow, CostSection } from '../types.js';

/** The stage spec fields cost needs (a subset of profile-schema's StageSpec). */
export interface CostStageSpec {
  stage: StageKind;
  method: string;
  options?: Record<string, unknown>;
  /** The model after the stage's own defaults (withResolvedModels); when absent, options.model is used. */
  model?: string | null;
}

/**
 * Fill in each spec's `model` as the stage itself would resolve it (its options schema applies defaults, e.g.
 * summarise/llm's gpt-4o-mini). A stage whose options have no string `model` is local.
 */
export async function withResolvedModels<S extends CostStageSpec>(
  stages: readonly S[],
): Promise<Array<S & { model: string | null }>> {
  return Promise.all(
    stages.map(async (s) => {
      let opts: unknown = s.options ?? {};
      try {
        const def = await loadStage(s.stage, s.method);
        opts = parseStageOptions(def, s.options ?? {});
      } catch {
        // Unknown stage or options that no longer parse (an old run): fall back to the raw options.
      }
      const m = (opts as { model?: unknown }).model;
      return { ...s, model: typeof m === 'string' && m.length > 0 ? m : null };
    }),
  );
}

/** Token counts from a record's counters. */
export function recordTokens(rec: Pick<StageRecord, 'counters'>): TokenCounts {
  const c = rec.counters ?? {};
  return { input: c[TOKENS_INPUT] ?? 0, output: c[TOKENS_OUTPUT] ?? 0, embedding: c[TOKENS_EMBEDDING] ?? 0 };
}

/** The API model a stage uses: its resolved model, else its `model` option, else null (a local stage). */
export function stageModel(spec: CostStageSpec | undefined): string | null {
  if (spec?.model !== undefined) return spec.model;
  const m = spec?.options?.model;
  return typeof m === 'string' && m.length > 0 ? m : null;
}

/** Cost of one record. */
export function stageCostRow(rec: StageRecord, model: string | null, table: PricingTable): StageCostRow {
  const tokens = recordTokens(rec);
  const all = tokens.input + tokens.output + tokens.embedding;
  const items = rec.items;
  const row: StageCostRow = {
    scale: rec.scale,
    stage: rec.stage,
    method: rec.method,
    model,
    items,
    tokens,
    tokensPer1k: items > 0 ? (all * 1000) / items : 0,
  };
  if (model === null) {
    row.usd = '0';
    row.usdPer1k = 0;
    row.note = 'local (no API cost)';
    return row;
  }
  const price = findModelPrice(table, model);
  if (!price) {
    row.note = `no price for "${model}" in the pricing table; add it with --pricing FILE`;
    return row;
  }
  try {
    const pico = costPicoUsd(tokens, price, model);
    row.usd = formatPicoUsd(pico);
    row.usdPer1k = items > 0 ? (picoToUsd(pico) * 1000) / items : 0;
  } catch (e) {
    row.note = (e as Error).message;
  }
  return row;
}

/** Cost rows for every measured stage of a run (repeat 0; skipped cells have no row). */
export function computeRunCost(records: StageRecord[], stages: CostStageSpec[], table: PricingTable): CostSection {
  const rows: StageCostRow[] = [];
  for (const rec of records) {
    if (rec.repeat !== 0 || rec.status === 'skipped') continue;
    const spec = stages.find((s) => s.stage === rec.stage && s.method === rec.method);
    rows.push(stageCostRow(rec, stageModel(spec), table));
  }
  return { asOf: table.asOf, pricingSources: table.sources, rows };
}
