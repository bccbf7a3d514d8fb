/**
 * One piscina pool per pipeline stage, so each stage's worker has its own memory limit (resourceLimits) and its
 * heap readings are its own. OOM rejects one task with ERR_WORKER_OUT_OF_MEMORY and piscina replaces the worker.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';

/** The old-generation limit in MB for a stage, or undefined for V8's default. */
export function stageMemoryLimitMb(spec: StageSpec, profile: SweepProfile): number | undefined {
  const totalMb = os.totalmem() / 2 ** 20;
  if (spec.memoryMb !== undefined) return spec.memoryMb;
  if (spec.memoryFraction !== undefined) return Math.floor(totalMb * spec.memoryFraction);
  if (profile.limits.memoryMb !== undefined) return profile.limits.memoryMb;
  if (profile.limits.memoryFraction !== undefined) return Math.floor(totalMb * profile.limits.memoryFraction);
  return undefined;
}

/** Create the pool for one stage. */
export function createStagePool(spec: StageSpec, profile: SweepProfile): Piscina {
  const limit = stageMemoryLimitMb(spec, profile);
  const threads = spec.workers ?? 1;
  return new Piscina({
    filename: new URL('./stage-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    ...(limit !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: limit } } : {}),
  });
}
