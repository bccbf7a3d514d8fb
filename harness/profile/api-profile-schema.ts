/**
 * The profile keys for API stages: `api` (where summarise/llm and embed/openai send requests) and `concurrency`
 * (re-run those stages at several concurrency levels). Imported by profile-schema.ts.
 *
 *   api: simulated                      # start clusterbench's simulator in-process for the sweep
 *   api: { mode: simulated, simulator: { rateLimits: { rpm: 3000 }, ttft: lognormal:200:600 } }
 *   api: env                            # OPENAI_BASE_URL / OPENAI_API_KEY (the default)
 *   concurrency: [1, 5, 10, 20, 50]     # or { levels: [...], stages: [summarise/llm], scale: 500, roundsPerLevel: 10, kneeThreshold: 0.1 }
 */
import { z } from 'zod/v4';
import { simulatorConfigSchema } from '../api-simulator/simulator-config.js';
import { ifPresent } from '../../pipeline/support/zod-issues.js';

const positiveInt = z
  .number({ error: ifPresent('must be a positive integer') })
  .int('must be a positive integer')
  .positive('must be a positive integer');

const apiObjectSchema = z.strictObject({
  mode: z.enum(['simulated', 'env'], { error: 'must be "simulated" or "env"' }).default('simulated'),
  /** Simulator settings (mode simulated only); see harness/api-simulator/simulator-config.ts. */
  simulator: simulatorConfigSchema.prefault({}),
});

/** `api`: simulated (in-process simulator) or env (OPENAI_BASE_URL / OPENAI_API_KEY); the mode alone is short for { mode }. */
export const apiSpecSchema = z.union(
  [
    // parse cannot fail here: the mode is valid and the simulator's defaults are.
    z.enum(['simulated', 'env']).transform((mode) => apiObjectSchema.parse({ mode })),
    apiObjectSchema,
  ],
  { error: 'must be "simulated", "env" or { mode, simulator }' },
);

const concurrencyObjectSchema = z.strictObject({
  levels: z
    .array(positiveInt, { error: ifPresent('must be a list of concurrency levels') })
    .min(2, 'must list at least two concurrency levels')
    .refine((ls) => ls.every((l, i) => i === 0 || l > ls[i - 1]), 'must be increasing, e.g. [1, 5, 10, 20, 50]'),
  /** Stages to sweep, as "kind/method"; default every API stage of the profile. */
  stages: z.array(z.string().regex(/^[a-z-]+\/[\w-]+$/, 'must be "kind/method", e.g. summarise/llm')).optional(),
  /** The scale to sweep at (one of the profile's scales); default the largest. */
  scale: positiveInt.optional(),
  /**
   * Equal work per concurrency slot: level L runs on the first min(n, L x roundsPerLevel x batchSize) items
   * (batchSize: the stage's option, 1 if it has none), like a load tester giving each level the same duration.
   * Default: every level runs all n items.
   */
  roundsPerLevel: positiveInt.optional(),
  /** The knee is the level beyond which throughput improves by less than this fraction. */
  kneeThreshold: z.number().gt(0, 'must be > 0').lt(10, 'must be < 10').default(0.1),
});

/** `concurrency`: the levels to sweep the API stages over; a list is short for { levels }. */
export const concurrencySweepSchema = z.union(
  [
    // The object form's checks, reported under concurrency.levels as for { levels: [...] }.
    z.array(positiveInt).transform((levels, ctx) => {
      const r = concurrencyObjectSchema.safeParse({ levels });
      if (r.success) return r.data;
      for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
      return z.NEVER;
    }),
    concurrencyObjectSchema,
  ],
  {
    error:
      'must be a list of concurrency levels, e.g. [1, 5, 10, 20, 50], or { levels, stages, scale, roundsPerLevel, kneeThreshold }',
  },
);

/** A validated `api` key. */
export type ApiSpec = z.infer<typeof apiSpecSchema>;
/** A validated `concurrency` key. */
export type ConcurrencySweepSpec = z.infer<typeof concurrencySweepSchema>;
