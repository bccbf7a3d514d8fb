/**
 * Configuration of the OpenAI-compatible simulator: latency distributions, rate limits and fault rates. The same
 * zod schema validates CLI flags, a YAML file (`clusterbench simulate-api --config x.yaml`) and a profile's
 * `api.simulator` section, so every error names its key path.
 */
import { z } from 'zod/v4';
import { gaussian } from '../../pipeline/support/seeded-random.js';
import { readYamlFile } from '../../pipeline/support/yaml-file.js';
import { UserError } from '../../pipeline/support/user-error.js';
import { ifPresent, issueLines, issueText } from '../../pipeline/support/zod-issues.js';

/** A latency distribution in milliseconds. */
export type LatencyDistribution =
  | { dist: 'fixed'; ms: number }
  | { dist: 'uniform'; minMs: number; maxMs: number }
  /** Log-normal with the given median and 95th percentile (p95Ms >= medianMs). */
  | { dist: 'lognormal'; medianMs: number; p95Ms: number };

const nonNeg = z.number({ error: ifPresent('must be a number of ms') }).min(0, 'must be >= 0');

/** Parse the short form "fixed:50", "uniform:20:80", "lognormal:200:600" (median:p95). */
export function parseDistributionText(text: string): LatencyDistribution {
  const [kind, ...nums] = text.split(':').map((s) => s.trim());
  const v = nums.map(Number);
  const bad = (): never => {
    throw new UserError(
      `"${text}" is not a latency distribution; use fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P95 (ms)`,
    );
  };
  if (v.some((x) => !Number.isFinite(x) || x < 0)) bad();
  if (kind === 'fixed' && v.length === 1) return { dist: 'fixed', ms: v[0] };
  if (kind === 'uniform' && v.length === 2 && v[0] <= v[1]) return { dist: 'uniform', minMs: v[0], maxMs: v[1] };
  if (kind === 'lognormal' && v.length === 2 && v[0] > 0 && v[1] >= v[0])
    return { dist: 'lognormal', medianMs: v[0], p95Ms: v[1] };
  if (/^\d+(\.\d+)?$/.test(text.trim())) return { dist: 'fixed', ms: Number(text) };
  return bad();
}

// A plain number is fixed:MS. Each short form is a branch of its own, so the JSON Schema lists them all.
const distributionSchema: z.ZodType<LatencyDistribution> = z.union(
  [
    nonNeg.transform((ms): LatencyDistribution => ({ dist: 'fixed', ms })),
    z.string().transform((s, ctx) => {
      try {
        return parseDistributionText(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
    z.strictObject({ dist: z.literal('fixed'), ms: nonNeg }),
    z.strictObject({ dist: z.literal('uniform'), minMs: nonNeg, maxMs: nonNeg }),
    z.strictObject({ dist: z.literal('lognormal'), medianMs: nonNeg, p95Ms: nonNeg }),
  ],
  { error: 'must be a latency distribution: fixed:MS, uniform:MIN:MAX, lognormal:MEDIAN:P95 or an object with dist' },
);

const rate = z
  .number({ error: ifPresent('must be a rate in [0, 1]') })
  .min(0, 'must be in [0, 1]')
  .max(1, 'must be in [0, 1]');

/** The simulator's full configuration (validated and defaulted). */
export const simulatorConfigSchema = z
  .object({
    /** Seed for every simulated choice: latencies, faults, phrasing, embedding noise. */
    seed: z.number().int('must be an integer').default(0),
    host: z.string().default('127.0.0.1'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65535, 'must be a port number').default(0),
    /** Chat and embedding models listed by GET /v1/models (any model name is served). */
    models: z
      .array(z.string())
      .default(['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o', 'text-embedding-3-small', 'text-embedding-3-large']),
    /** Chat: time to first token, then tokens at tokensPerSec. */
    ttft: distributionSchema.prefault('lognormal:250:800'),
    tokensPerSec: z.number().positive('must be > 0 tokens/s').default(80),
    /** Embeddings: total latency per request. */
    embeddingLatency: distributionSchema.prefault('lognormal:60:200'),
    /** Token buckets per model; 0 turns a limit off. */
    rateLimits: z
      .object({
        rpm: z.number().min(0, 'must be >= 0 (0 = no limit)').default(0),
        tpm: z.number().min(0, 'must be >= 0 (0 = no limit)').default(0),
        /** Bucket capacity in seconds of the per-minute rate: real APIs enforce per-minute limits over short windows. */
        burstSeconds: z.number().positive('must be > 0 seconds').default(1),
      })
      .strict()
      .prefault({}),
    /** Probability per attempt of each fault (their sum must be <= 1). */
    faults: z
      .object({
        error500: rate.default(0),
        error503: rate.default(0),
        /** Accept the request and never answer. */
        timeout: rate.default(0),
        /** Reset the connection without a response. */
        reset: rate.default(0),
        /** Answer 200 with a body that is not valid JSON (or a broken SSE event when streaming). */
        malformed: rate.default(0),
        /** Requests whose text matches this regular expression get a non-retryable 400, like a content-policy rejection. */
        rejectPattern: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** Always answer embeddings as float arrays, like some OpenAI-compatible servers (the openai 6 base64 gotcha). */
    ignoreEncodingFormat: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    const f = c.faults;
    const sum = f.error500 + f.error503 + f.timeout + f.reset + f.malformed;
    if (sum > 1) ctx.addIssue({ code: 'custom', path: ['faults'], message: `fault rates sum to ${sum}, must be <= 1` });
    if (f.rejectPattern !== undefined) {
      try {
        new RegExp(f.rejectPattern);
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', 'rejectPattern'],
          message: `not a regular expression: ${(e as Error).message}`,
        });
      }
    }
  });

/** A validated simulator configuration. */
export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

// Flag names that live one level down in the YAML: a top-level `rpm:` most likely meant `rateLimits.rpm`.
const NESTED_KEYS: Record<string, string> = {
  rpm: 'rateLimits',
  tpm: 'rateLimits',
  burstSeconds: 'rateLimits',
  error500: 'faults',
  error503: 'faults',
  timeout: 'faults',
  reset: 'faults',
  malformed: 'faults',
  rejectPattern: 'faults',
};

/** Validate a raw config; throws one line per problem, "WHERE: key.path: message". */
export function parseSimulatorConfig(raw: unknown, where = 'simulator config'): SimulatorConfig {
  const r = simulatorConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = issueLines(r.error.issues, {
    unknownKey: (k, at) =>
      at.length === 0 && NESTED_KEYS[k] ? `unknown key (did you mean ${NESTED_KEYS[k]}.${k}?)` : 'unknown key',
  });
  throw new UserError(lines.map((l) => `${where}: ${issueText(l)}`).join('\n'));
}

/** Read a YAML config file (errors name the file and line). */
export function readSimulatorConfigFile(path: string): Record<string, unknown> {
  const v = readYamlFile(path, 'simulator config');
  if (v !== null && (typeof v !== 'object' || Array.isArray(v)))
    throw new UserError(`${path}: must be a YAML mapping of simulator settings`);
  return (v ?? {}) as Record<string, unknown>;
}

/** Draw one latency (ms) from a distribution with a uniform source. */
export function sampleLatency(d: LatencyDistribution, rand: () => number): number {
  switch (d.dist) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return d.minMs + (d.maxMs - d.minMs) * rand();
    case 'lognormal': {
      // sigma from the ratio p95/median: p95 = median * exp(1.645 sigma).
      const sigma = Math.log(Math.max(d.p95Ms / Math.max(d.medianMs, 1e-9), 1)) / 1.6448536;
      return d.medianMs * Math.exp(sigma * gaussian(rand));
    }
  }
}
