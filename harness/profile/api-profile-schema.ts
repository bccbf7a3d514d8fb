/**
 * The profile keys for API stages: `api` (where summarise/llm and embed/openai send requests) and `concurrency`
 * (re-run those stages at several concurrency levels). Imported by profile-schema.ts.
 *
 *   api: simulated                      # start clusterbench's simulator in-process for the sweep
 *   api: { mode: simulated, simulator: { rateLimits: { rpm: 3000 }, ttft: lognormal:200:600 } }
 *   api: env                            # OPENAI_BASE_URL / OPENAI_API_KEY (the default)
 *   concurrency: [1, 5, 10, 20, 50]     # or { levels: [...], stages: [summarise/llm], scale: 500, roundsPerLevel: 10, kneeThreshold: 0.1 }
 */
import { z } from 'zod';
import { simulatorConfigSchema } from '../api-simulator/simulator-config.js';

const positiveInt = z.number({ invalid_type_error: 'must be a positive integer' }).int('must be a positive integer').positive('must be a positive integer');

/** `api`: simulated (in-process simulator) or env (OPENAI_BASE_URL / OPENAI_API_KEY). */
export const apiSpecSchema = z.preprocess(
  (raw) => (typeof raw === 'string' ? { mode: raw } : raw),
  z
    .object({
      mode: z.enum(['simulated', 'env'], { errorMap: () => ({ message: 'must be "simulated" or "env"' }) }).default('simulated'),
      /** Simulator settings (mode simulated only); see harness/api-simulator/simulator-config.ts. */
      simulator: simulatorConfigSchema.default({}),
    })
    .strict(),
);

/** `concurrency`: the levels to sweep the API stages over. */
export const concurrencySweepSchema = z.preprocess(
  (raw) => (Array.isArray(raw) ? { levels: raw } : raw),
  z
    .object({
      levels: z
        .array(positiveInt, { invalid_type_error: 'must be a list of concurrency levels' })
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
    })
    .strict(),
);

/** A validated `api` key. */
export type ApiSpec = z.infer<typeof apiSpecSchema>;
/** A validated `concurrency` key. */
export type ConcurrencySweepSpec = z.infer<typeof concurrencySweepSchema>;
