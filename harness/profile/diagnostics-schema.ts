/**
 * Profile keys for the measurement extras (issue 6): storage accounting, checkpoints, leak check, pipelines at
 * once and worker scaling. Each is optional; all but checkpoints are off unless `enabled: true`. They live here
 * so that profile-schema.ts only imports them.
 */
import { z } from 'zod/v4';
import { ifPresent } from '../../pipeline/support/zod-issues.js';

const positiveInt = z
  .number({ error: ifPresent('must be a positive integer') })
  .int('must be a positive integer')
  .positive('must be a positive integer');

/** A storage format that storage accounting can measure. */
export const storageFormats = ['arrow', 'arrow-lz4', 'arrow-zstd', 'jsonl', 'parquet-zstd'] as const;
/** One of storageFormats. */
export type StorageFormat = (typeof storageFormats)[number];

/** `storage:` write each scale's data in several formats and report bytes per component and per conversation. */
export const storageSpecSchema = z
  .object({
    enabled: z.boolean().default(false),
    formats: z
      .array(z.enum(storageFormats, { error: `must be one of ${storageFormats.join(', ')}` }))
      .min(1, 'must list at least one format')
      .default([...storageFormats]),
    /** Scales to project storage to (linear in n from the largest measured scale). */
    projectTo: z.array(positiveInt).default([1_000_000, 10_000_000]),
    /** zstd level for Arrow IPC buffers (1..19). */
    zstdLevel: z.number().int().min(1, 'must be in 1..19').max(19, 'must be in 1..19').default(3),
    /** Keep the written files under runs/<id>/storage/ (otherwise they are measured and deleted). */
    keepFiles: z.boolean().default(false),
  })
  .strict();

/** `checkpoints:` Arrow IPC stage outputs under runs/<id>/checkpoints/ so `sweep --resume` can continue a killed run. */
export const checkpointSpecSchema = z
  .object({
    /** On by default: a killed sweep loses at most the stage that was running. */
    enabled: z.boolean().default(true),
    /**
     * all: keep every stage output of every scale (useful artefacts: labels, embeddings). resume: delete a scale's
     * files once the scale is complete (resume only needs the unfinished scale; saves disk at 1M+ conversations).
     */
    keep: z.enum(['all', 'resume'], { error: 'must be all or resume' }).default('all'),
  })
  .strict();

/** `leakCheck:` run the same cell `runs` times in one worker and watch the heap retained after forced GC. */
export const leakCheckSpecSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Conversations per run; default: the profile's smallest scale. */
    scale: positiveInt.optional(),
    runs: z.number().int().min(3, 'must be >= 3 (the first run is the warm baseline)').default(8),
    /** Stages to check, as "kind/method" or kind; default: every stage of the profile. */
    stages: z.array(z.string().min(1)).optional(),
    /** Fail when heap retained after GC grows by more than this between the first and the last run. */
    maxGrowthMb: z.number().positive('must be a positive number of MB').default(2),
  })
  .strict();

/** `concurrentPipelines:` run P copies of the whole pipeline at once and report throughput and memory per P. */
export const concurrentPipelinesSpecSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Conversations per pipeline; default: the profile's smallest scale. */
    scale: positiveInt.optional(),
    counts: z.array(positiveInt).min(1, 'must list at least one pipeline count').default([1, 2, 4]),
  })
  .strict();

/** `workerScaling:` run chosen stages with 1..C workers and report the speed-up. */
export const workerScalingSpecSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Conversations; default: the profile's largest scale. */
    scale: positiveInt.optional(),
    /** Highest worker count; default: this machine's available parallelism. */
    maxWorkers: positiveInt.optional(),
    /** Stage kinds (or "kind/method") to measure; default embed and cluster. */
    stages: z.array(z.string().min(1)).default(['embed', 'cluster']),
    /** Timed runs per worker count; the median is reported. */
    repeats: positiveInt.default(1),
  })
  .strict();

/** Validated `storage:` key. */
export type StorageSpec = z.infer<typeof storageSpecSchema>;
/** Validated `leakCheck:` key. */
export type LeakCheckSpec = z.infer<typeof leakCheckSpecSchema>;
/** Validated `concurrentPipelines:` key. */
export type ConcurrentPipelinesSpec = z.infer<typeof concurrentPipelinesSpecSchema>;
/** Validated `workerScaling:` key. */
export type WorkerScalingSpec = z.infer<typeof workerScalingSpecSchema>;
