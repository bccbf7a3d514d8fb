/** Counters of a stage task that threw: the worker puts them in the error's `cause` (harness/workers/stage-worker.ts). */
import type { Percentiles } from '../types.js';

/** What a failed stage task sends back in its error's `cause`. */
export interface StageFailureCause {
  stageCounters: Record<string, number>;
  stageObservations: Record<string, Percentiles>;
}

/** The counters and observations a failed stage task recorded before it threw (empty when none came back). */
export function stageFailureCounters(err: unknown): StageFailureCause {
  const c = (err as { cause?: Partial<StageFailureCause> })?.cause;
  return { stageCounters: c?.stageCounters ?? {}, stageObservations: c?.stageObservations ?? {} };
}
