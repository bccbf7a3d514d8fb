/** A StageContext for calling a stage directly in a test: it records counters and observations. */
import type { StageContext } from '../harness/types.js';

/** A context plus what the stage told it. */
export interface RecordingContext {
  ctx: StageContext;
  counters: Record<string, number>;
  observations: Record<string, number[]>;
}

export function recordingContext(seed = 1): RecordingContext {
  const counters: Record<string, number> = {};
  const observations: Record<string, number[]> = {};
  return {
    counters,
    observations,
    ctx: {
      seed,
      sample() {},
      count: (name, delta = 1) => void (counters[name] = (counters[name] ?? 0) + delta),
      observe: (name, value) => void (observations[name] ??= []).push(value),
    },
  };
}
