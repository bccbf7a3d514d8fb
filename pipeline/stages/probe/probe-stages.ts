/**
 * Calibration stages for the harness itself: known costs, so tests can check that the harness classifies
 * complexity, catches out-of-memory, finds a memory cliff and detects leaks. Profiles may use them too.
 */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { booleanOption, numberOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options shared by the probes. */
export interface ProbeOptions {
  /** probe/allocate: heap bytes allocated per item (as JS objects, so V8's old-space limit applies). */
  bytesPerItem: number;
  /** probe/linear and probe/quadratic: work units per item (linear) or per pair (quadratic). */
  workPerItem: number;
  /** probe/leak: items retained across calls per run. */
  leakPerItem: number;
  /** probe/allocate: allocate typed arrays (outside the V8 heap, so only RSS grows) instead of JS arrays. */
  external: boolean;
}

// One schema for all four probes: each reads the options it needs.
const probeOptions = z.strictObject({
  bytesPerItem: numberOption(0).default(1024),
  workPerItem: numberOption(0).default(200),
  leakPerItem: numberOption(0).default(64),
  external: booleanOption().default(false),
});

let sink = 0;
function spin(units: number): void {
  let x = sink;
  for (let i = 0; i < units; i++) x = (x * 1664525 + 1013904223) | 0;
  sink = x;
}

/** Allocates about n x bytesPerItem of live heap, so a memory limit gives a hard cliff at a known n. */
export const allocateProbe: StageDefinition<ProbeOptions> = {
  kind: 'probe',
  method: 'allocate',
  reads: [],
  writes: [],
  options: probeOptions,
  run(input: PipelineData, o: ProbeOptions, ctx: StageContext) {
    const held: unknown[] = [];
    const perItem = Math.max(1, Math.round(o.bytesPerItem / 8));
    for (let i = 0; i < input.n; i++) {
      // Doubles: 8 bytes each, on the V8 heap, or in touched typed-array memory outside it.
      held.push(o.external ? new Float64Array(perItem).fill(i + 0.5) : new Array<number>(perItem).fill(i + 0.5));
      if ((i + 1) % 1000 === 0) ctx.sample();
    }
    ctx.sample('peak');
    ctx.count('held', held.length);
    return {};
  },
};

/** O(n) busy work. */
export const linearProbe: StageDefinition<ProbeOptions> = {
  kind: 'probe',
  method: 'linear',
  reads: [],
  writes: [],
  options: probeOptions,
  run(input: PipelineData, o: ProbeOptions) {
    for (let i = 0; i < input.n; i++) spin(o.workPerItem);
    return {};
  },
};

/** O(n^2) busy work. */
export const quadraticProbe: StageDefinition<ProbeOptions> = {
  kind: 'probe',
  method: 'quadratic',
  reads: [],
  writes: [],
  options: probeOptions,
  run(input: PipelineData, o: ProbeOptions) {
    for (let i = 0; i < input.n; i++) spin(input.n * o.workPerItem);
    return {};
  },
};

const leaked: unknown[] = [];
/** Retains n x leakPerItem small objects in a module global on every call: a synthetic leak. */
export const leakProbe: StageDefinition<ProbeOptions> = {
  kind: 'probe',
  method: 'leak',
  reads: [],
  writes: [],
  options: probeOptions,
  run(input: PipelineData, o: ProbeOptions, ctx: StageContext) {
    for (let i = 0; i < input.n * o.leakPerItem; i++) leaked.push({ i, s: `leak-${i}` });
    ctx.count('leakedTotal', leaked.length);
    return {};
  },
};
