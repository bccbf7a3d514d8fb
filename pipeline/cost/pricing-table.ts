/**
 * The dated pricing table (pipeline/data/pricing.yaml, USD per 1M tokens) with user overrides merged over it, and
 * exact cost arithmetic. Prices are held as integer pico-dollars per token (USD per 1M tokens x 1e6), so
 * cost = tokens x price is an exact BigInt product, never a float sum that drifts.
 */
import { join } from 'node:path';
import { z } from 'zod/v4';
import { packageRoot } from '../support/package-root.js';
import { ENCODING_NAMES, type EncodingName } from '../api/token-counter.js';
import { readYamlDocument } from '../support/yaml-file.js';
import { ifPresent, issueLines, issueText } from '../support/zod-issues.js';
import { UserError } from '../support/user-error.js';

const usdPerMillion = z
  .number({ error: ifPresent('must be a number of USD per 1M tokens') })
  .nonnegative('must be >= 0 USD per 1M tokens')
  .refine(
    (v) => Math.abs(v * 1e6 - Math.round(v * 1e6)) < 1e-6,
    'must have at most 6 decimal places (USD per 1M tokens)',
  );

const modelEntrySchema = z
  .object({
    kind: z.enum(['chat', 'embedding'], { error: 'must be "chat" or "embedding"' }).optional(),
    input: usdPerMillion.optional(),
    output: usdPerMillion.optional(),
    embedding: usdPerMillion.optional(),
    encoding: z
      .enum(ENCODING_NAMES as [EncodingName, ...EncodingName[]], {
        error: `must be one of ${ENCODING_NAMES.join(', ')}`,
      })
      .optional(),
    outputTokensPerSec: z.number().positive('must be > 0').optional(),
    ttftMs: z.number().nonnegative('must be >= 0').optional(),
    /** A known p95 latency of one request (ms), e.g. measured; preferred over the ttft + tokens/s estimate. */
    p95Ms: z.number().positive('must be > 0').optional(),
  })
  .strict();

const pricingFileSchema = z
  .object({
    asOf: z
      .union([z.string(), z.date()])
      .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .optional(),
    currency: z.literal('USD', { error: 'only USD is supported' }).optional(),
    models: z.record(z.string(), modelEntrySchema).default(() => ({})),
  })
  .strict();

/** One model's prices (USD per 1M tokens) and typical latency figures. */
export type ModelPrice = z.infer<typeof modelEntrySchema> & { kind: 'chat' | 'embedding' };

/** A resolved pricing table: the shipped one with any override merged in. */
export interface PricingTable {
  /** Date the prices were checked, from the last file that set it. */
  asOf: string;
  /** Files the table came from, shipped one first. */
  sources: string[];
  models: Record<string, ModelPrice>;
}

/** Path of the shipped table. */
export function defaultPricingPath(): string {
  return join(packageRoot(), 'pipeline', 'data', 'pricing.yaml');
}

function readPricingFile(path: string): z.infer<typeof pricingFileSchema> {
  const file = readYamlDocument(path, 'pricing file');
  const parsed = pricingFileSchema.safeParse(file.value ?? {});
  if (!parsed.success) {
    // A key under a model names that model's fields; one at the top level, the file's.
    const valid = (at: PropertyKey[]): string =>
      Object.keys(at.length === 0 ? pricingFileSchema.shape : modelEntrySchema.shape).join(', ');
    const lines = issueLines(parsed.error.issues, { unknownKey: (_k, at) => `unknown key (valid: ${valid(at)})` });
    throw new UserError(
      lines.map((l) => `${path}${file.lineOf(l.path) ? `:${file.lineOf(l.path)}` : ''}: ${issueText(l)}`).join('\n'),
    );
  }
  return parsed.data;
}

/** Load the shipped table and merge an override file over it (per model, field by field). */
export function loadPricingTable(overridePath?: string): PricingTable {
  const base = defaultPricingPath();
  const files = overridePath ? [base, overridePath] : [base];
  const table: PricingTable = { asOf: 'unknown', sources: [], models: {} };
  for (const f of files) {
    const parsed = readPricingFile(f);
    table.sources.push(f);
    if (parsed.asOf) table.asOf = parsed.asOf;
    for (const [name, entry] of Object.entries(parsed.models)) {
      const merged = { ...table.models[name], ...entry };
      const kind = merged.kind ?? (merged.embedding !== undefined && merged.input === undefined ? 'embedding' : 'chat');
      table.models[name] = { ...merged, kind };
    }
  }
  return table;
}

/** Look a model up, ignoring a "provider/" prefix ("openai/gpt-4o"). */
export function findModelPrice(table: PricingTable, model: string): ModelPrice | undefined {
  return table.models[model] ?? table.models[model.replace(/^[^/]+\//, '')];
}

/** USD per 1M tokens -> integer pico-dollars per token (exact for up to 6 decimals, which the schema enforces). */
export function picoUsdPerToken(usdPerMillionTokens: number): bigint {
  return BigInt(Math.round(usdPerMillionTokens * 1e6));
}

/** Token counts by kind. */
export interface TokenCounts {
  input: number;
  output: number;
  embedding: number;
}

/** Exact cost of token counts at a model's prices, in pico-dollars. A missing price for a non-zero count throws. */
export function costPicoUsd(tokens: TokenCounts, price: ModelPrice, model = 'model'): bigint {
  let total = 0n;
  for (const k of ['input', 'output', 'embedding'] as const) {
    const n = tokens[k];
    if (!Number.isInteger(n) || n < 0) throw new Error(`${k} tokens must be a non-negative integer, got ${n}`);
    if (n === 0) continue;
    const p = price[k];
    if (p === undefined)
      throw new UserError(`no ${k} price for ${model}; add models.${model}.${k} to a --pricing file`);
    total += BigInt(n) * picoUsdPerToken(p);
  }
  return total;
}

/** Pico-dollars as an exact decimal USD string, trailing zeros trimmed: 3085000000n -> "0.003085". */
export function formatPicoUsd(pico: bigint): string {
  const neg = pico < 0n;
  const abs = neg ? -pico : pico;
  const whole = abs / 1_000_000_000_000n;
  const frac = (abs % 1_000_000_000_000n).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Pico-dollars as a float USD (for ratios and display). */
export function picoToUsd(pico: bigint): number {
  return Number(pico) / 1e12;
}

/** Human USD for tables: $1,234.56 for large sums, 4 significant digits for small ones. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 100) return `$${usd.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toFixed(Math.min(12, 2 - Math.floor(Math.log10(Math.abs(usd)))))}`;
}
