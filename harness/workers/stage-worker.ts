/**
 * The piscina worker entry: runs one stage on one scale's data and reports what it saw from inside the worker
 * (heap samples at batch boundaries, GC pauses, event-loop utilisation, counters). Input buffers arrive by
 * transfer and go back by transfer together with the stage's output.
 */
import { Piscina, transferableSymbol, valueSymbol } from 'piscina';
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { loadStage } from '../../pipeline/stage-registry.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';
import { boxLargeViews, pipelineBuffers, unboxLargeViews } from './transfer-list.js';
import { summarisePercentiles } from '../../pipeline/support/percentiles.js';
import type { StageFailureCause } from './stage-failure.js';
import type { GcSummary, Percentiles, PipelineData, StageKind, WorkerMemorySample } from '../types.js';

/** What the main thread sends. */
export interface StageTask {
  kind: StageKind;
  method: string;
  options: Record<string, unknown>;
  seed: number;
  input: PipelineData;
  /** Only load the stage's module and return: makes the worker ready before a cell's baseline is read. */
  warmOnly?: boolean;
}

/** What the worker sends back. `data` is the input with the stage's output merged in. */
export interface StageTaskResult {
  data: PipelineData;
  wallMs: number;
  workerMemory: WorkerMemorySample[];
  gc: GcSummary;
  eventLoopUtilization: number;
  counters: Record<string, number>;
  observations: Record<string, Percentiles>;
  /** CPU time of this worker thread over the stage (process.threadCpuUsage), microseconds. */
  cpu: { user: number; system: number };
}

const gcEntries: PerformanceEntry[] = [];
const gcObserver = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });

export default async function runStageTask(message: StageTask): Promise<unknown> {
  const task = unboxLargeViews(message);
  const def = await loadStage(task.kind, task.method);
  if (task.warmOnly) return { warm: true };
  const options = parseStageOptions(def, task.options);
  gcEntries.length = 0;
  const samples: WorkerMemorySample[] = [];
  const counters: Record<string, number> = {};
  const observed: Record<string, number[]> = {};
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const sample = (label?: string): void => {
    const m = process.memoryUsage();
    samples.push({
      tMs: performance.now() - t0,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      ...(label ? { label } : {}),
    });
  };
  sample('start');
  const cpu0 = process.threadCpuUsage();
  let output: Partial<PipelineData>;
  try {
    output = await def.run(task.input, options, {
      seed: task.seed,
      sample,
      count: (name, delta = 1) => void (counters[name] = (counters[name] ?? 0) + delta),
      observe: (name, value) => void (observed[name] ??= []).push(value),
    });
  } catch (err) {
    // A failed stage keeps its counters (requests, retries, errors): they ride back in `cause`, which survives the
    // thread boundary where other properties of an Error do not (stageFailureCounters reads them).
    if (err instanceof Error && err.cause === undefined) {
      const observations: Record<string, Percentiles> = {};
      for (const [k, v] of Object.entries(observed)) observations[k] = summarisePercentiles(v);
      err.cause = { stageCounters: counters, stageObservations: observations } satisfies StageFailureCause;
    }
    throw err;
  }
  const cpu = process.threadCpuUsage(cpu0);
  sample('end');
  const wallMs = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  // GC entries are queued for the next turn of the event loop: let it turn once, then take them.
  await new Promise((resolve) => setImmediate(resolve));
  for (const e of gcObserver.takeRecords()) gcEntries.push(e);
  const gc: GcSummary = { count: gcEntries.length, totalMs: 0, maxMs: 0 };
  for (const e of gcEntries) {
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
  const observations: Record<string, Percentiles> = {};
  for (const [k, v] of Object.entries(observed)) observations[k] = summarisePercentiles(v);
  const data: PipelineData = { ...task.input, ...output };
  const result: StageTaskResult = {
    data,
    wallMs,
    workerMemory: samples,
    gc,
    eventLoopUtilization: elu.utilization,
    counters,
    observations,
    cpu,
  };
  return Piscina.move({ [transferableSymbol]: pipelineBuffers(data), [valueSymbol]: boxLargeViews(result) });
}
