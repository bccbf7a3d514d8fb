/**
 * The sweep profile: what a YAML file in profiles/ may say. Validated with zod; every error names the file and
 * the key path, e.g. `profiles/x.yaml: scales[2]: must be a positive integer`.
 */
import { z } from 'zod';

const positiveInt = z.number({ invalid_type_error: 'must be a positive integer' }).int('must be a positive integer').positive('must be a positive integer');

/** One stage of the pipeline, as the profile states it. */
export const stageSpecSchema = z
  .object({
    stage: z.enum(['summarise', 'embed', 'reduce', 'cluster', 'meta-cluster', 'label', 'project', 'probe'], {
      errorMap: () => ({ message: 'must be one of summarise, embed, reduce, cluster, meta-cluster, label, project, probe' }),
    }),
    method: z.string({ invalid_type_error: 'must be a string', required_error: 'is required' }).min(1, 'must not be empty'),
    options: z.record(z.unknown()).default({}),
    /** Old-generation heap limit for this stage's worker, in MB, or as a fraction of this machine's RAM ("0.25"). */
    memoryMb: z.number().positive('must be a positive number of MB').optional(),
    memoryFraction: z.number().gt(0, 'must be in (0, 1]').lte(1, 'must be in (0, 1]').optional(),
    /** Time budget for one run of this stage, seconds. */
    timeoutSec: z.number().positive('must be a positive number of seconds').optional(),
    /** Worker threads for this stage's pool (stages that split work across workers use them all). */
    workers: positiveInt.optional(),
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
    options: z.record(z.unknown()).default({}),
  })
  .strict();

export const profileSchema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    description: z.string().default(''),
    seed: z.number().int('must be an integer').default(42),
    scales: z.array(positiveInt, { invalid_type_error: 'must be a list of positive integers' }).min(1, 'must list at least one scale'),
    input: inputSpecSchema.default({}),
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
      .default({}),
    sampling: z.object({ intervalMs: z.number().min(1, 'must be >= 1 ms').max(1000, 'must be <= 1000 ms').default(10) }).strict().default({}),
    /** Runs per cell that are measured, and unmeasured warm-up runs before them. */
    repeats: positiveInt.default(1),
    warmup: z.number().int().min(0, 'must be >= 0').default(0),
    /** Free-form sections read by later analyses (breaking points, thresholds, storage, api...). */
    analysis: z.record(z.unknown()).default({}),
  })
  .strict();

/** A validated, defaulted profile. */
export type SweepProfile = z.infer<typeof profileSchema>;
/** One validated stage entry. */
export type StageSpec = z.infer<typeof stageSpecSchema>;
