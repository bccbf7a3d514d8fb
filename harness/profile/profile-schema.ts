/**
 * The sweep profile: what a YAML file in profiles/ may say. Validated with zod; every error names the file and
 * the key path, e.g. `profiles/x.yaml: scales[2]: must be a positive integer`.
 */
import { z } from 'zod/v4';
import { ifPresent } from '../../pipeline/support/zod-issues.js';
import { parseThreshold } from '../compare/threshold-expression.js';
import {
  checkpointSpecSchema,
  concurrentPipelinesSpecSchema,
  leakCheckSpecSchema,
  storageSpecSchema,
  workerScalingSpecSchema,
} from './diagnostics-schema.js';
import { breakingPointsSpecSchema } from './breaking-point-schema.js';
import { scalingSpecSchema } from './scaling-schema.js';
import { apiSpecSchema, concurrencySweepSchema } from './api-profile-schema.js';
import { commandStageFields } from './command-stage-schema.js';
import { executionSpecSchema } from './execution-schema.js';

const positiveInt = z
  .number({ error: ifPresent('must be a positive integer') })
  .int('must be a positive integer')
  .positive('must be a positive integer');

/** One stage of the pipeline, as the profile states it. */
export const stageSpecSchema = z
  .object({
    stage: z.enum(['summarise', 'embed', 'reduce', 'cluster', 'meta-cluster', 'label', 'project', 'probe'], {
      error: ifPresent('must be one of summarise, embed, reduce, cluster, meta-cluster, label, project, probe'),
    }),
    method: z.string({ error: ifPresent('must be a string') }).min(1, 'must not be empty'),
    /** The stage's own options: checked against its schema (StageDefinition.options) by the loader. */
    options: z.record(z.string(), z.unknown()).default(() => ({})),
    /** Old-generation heap limit for this stage's worker, in MB, or as a fraction of this machine's RAM ("0.25"). */
    memoryMb: z.number().positive('must be a positive number of MB').optional(),
    memoryFraction: z.number().gt(0, 'must be in (0, 1]').lte(1, 'must be in (0, 1]').optional(),
    /** Time budget for one run of this stage, seconds. */
    timeoutSec: z.number().positive('must be a positive number of seconds').optional(),
    /** Worker threads for this stage's pool (stages that split work across workers use them all). */
    workers: positiveInt.optional(),
    /** Super-linear threshold: the local scaling exponent of wall time between adjacent scales above this marks the stage `superlinear`. */
    maxScalingExponent: z.number().positive('must be a positive number').optional(),
    /** A command stage (harness/profile/command-stage-schema.ts): `command: [program, args...]` and its file keys. */
    ...commandStageFields,
  })
  .strict();

/** The synthetic generator, or an input file. */
export const inputSpecSchema = z
  .object({
    kind: z.enum(['synthetic', 'file']).default('synthetic'),
    /** For kind=file: path to JSONL/Arrow conversations. */
    path: z.string().optional(),
    format: z.enum(['auto', 'openai', 'kura', 'sharegpt', 'arrow', 'jsonl']).default('auto'),
    /** Generator options, passed through to generators/. */
    options: z.record(z.string(), z.unknown()).default(() => ({})),
  })
  .strict();

/** The whole profile file. */
export const profileSchema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    description: z.string().default(''),
    seed: z.number().int('must be an integer').default(42),
    scales: z
      .array(positiveInt, { error: ifPresent('must be a list of positive integers') })
      .min(1, 'must list at least one scale'),
    input: inputSpecSchema.prefault({}),
    stages: z.array(stageSpecSchema).min(1, 'must list at least one stage'),
    /** Defaults applied to every stage that does not set its own. */
    limits: z
      .object({
        memoryMb: z.number().positive('must be a positive number of MB').optional(),
        memoryFraction: z.number().gt(0).lte(1).optional(),
        timeoutSec: z.number().positive('must be a positive number of seconds').default(900),
        /** Process RSS (MB) above which the running stage is stopped and recorded as oom, so the kernel never kills the sweep. Default: 90% of RAM. */
        rssCeilingMb: z.number().positive('must be a positive number of MB').optional(),
      })
      .strict()
      .prefault({}),
    /** Main-thread RSS sampling interval; 0 turns the timer off (only start and end readings: for measuring the sampler's own cost). */
    sampling: z
      .object({
        intervalMs: z
          .number()
          .refine((v) => v === 0 || (v >= 1 && v <= 1000), 'must be 0 (off) or 1..1000 ms')
          .default(10),
      })
      .strict()
      .prefault({}),
    /** Where each cell (scale x stage x repeat) runs: `process` = a fresh child process per cell, so its RSS, VmHWM and heap are its own and an OOM ends only the child; `thread` = in the sweep's process (quick runs; RSS shared with earlier stages). */
    isolation: z.enum(['thread', 'process'], { error: 'must be thread or process' }).default('process'),
    /** All at once (`batch`) or in record batches (`streaming`), and whether to measure both (harness/profile/execution-schema.ts). */
    execution: executionSpecSchema.optional(),
    /** Runs per cell that are measured, and unmeasured warm-up runs before them. */
    repeats: positiveInt.default(1),
    warmup: z.number().int().min(0, 'must be >= 0').default(0),
    /** A pricing YAML merged over pipeline/data/pricing.yaml (path relative to this profile); `--pricing FILE` wins. */
    pricing: z.string().min(1, 'must be a path to a pricing YAML file').optional(),
    /** Free-form sections read by later analyses (breaking points, thresholds, storage, api...). */
    analysis: z.record(z.string(), z.unknown()).default(() => ({})),
    /** Quality scoring (pipeline/metrics/quality-report.ts): exact silhouette up to silhouetteExactMax non-noise points, a sampled estimate (95% CI) beyond, scoring silhouetteSampleSize points against silhouetteReferenceSize; field = vectors for the internal metrics; internal: false skips silhouette, Davies-Bouldin and Calinski-Harabasz. */
    quality: z
      .object({
        silhouetteExactMax: positiveInt.optional(),
        silhouetteSampleSize: z.number().int('must be an integer >= 2').min(2, 'must be an integer >= 2').optional(),
        silhouetteReferenceSize: z.number().int('must be an integer >= 2').min(2, 'must be an integer >= 2').optional(),
        field: z.enum(['auto', 'embeddings', 'reduced'], { error: 'must be auto, embeddings or reduced' }).optional(),
        internal: z.boolean({ error: ifPresent('must be true or false') }).optional(),
      })
      .strict()
      .optional(),
    /** Measurement extras (harness/profile/diagnostics-schema.ts): storage accounting, checkpoints, leak check, pipelines at once, worker scaling. */
    storage: storageSpecSchema.optional(),
    checkpoints: checkpointSpecSchema.optional(),
    leakCheck: leakCheckSpecSchema.optional(),
    concurrentPipelines: concurrentPipelinesSpecSchema.optional(),
    workerScaling: workerScalingSpecSchema.optional(),
    /** Regression thresholds for `clusterbench compare`, k6 style: { "cluster.wall_p50": "<1.10x" } (harness/compare/threshold-expression.ts). */
    thresholds: z
      .record(
        z.string(),
        z.union([z.string(), z.null()], { error: 'must be a ratio condition such as "<1.10x", or off' }),
      )
      .superRefine((m, ctx) => {
        for (const [k, v] of Object.entries(m)) {
          if (v === null || v.trim().toLowerCase() === 'off') continue;
          try {
            parseThreshold(k, v);
          } catch (e) {
            ctx.addIssue({ code: 'custom', path: [k], message: (e as Error).message });
          }
        }
      })
      .optional(),
    /** Breaking points (harness/profile/breaking-point-schema.ts): quality floor, super-linear threshold, bisection, escalation. */
    breakingPoints: breakingPointsSpecSchema.optional(),
    /** Scaling laws, repeat statistics and the hardware table (harness/profile/scaling-schema.ts): target scales, safety factor. */
    scaling: scalingSpecSchema.optional(),
    /** Where API stages (summarise/llm, embed/openai) send requests: `simulated` runs the simulator in-process, `env` uses OPENAI_BASE_URL/OPENAI_API_KEY (harness/profile/api-profile-schema.ts). */
    api: apiSpecSchema.optional(),
    /** Concurrency sweep of the API stages, e.g. [1, 5, 10, 20, 50]: throughput, latency, 429s and the knee per level. */
    concurrency: concurrencySweepSchema.optional(),
  })
  .strict();

/** A validated, defaulted profile. */
export type SweepProfile = z.infer<typeof profileSchema>;
/** One validated stage entry. */
export type StageSpec = z.infer<typeof stageSpecSchema>;
