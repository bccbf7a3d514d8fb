/**
 * Run a `splittable` stage (harness/types.ts StageDefinition.splittable) on several piscina threads at once: slice
 * the row-aligned inputs into contiguous chunks (harness/workers/row-split.ts; copies, so each chunk's buffers can be
 * transferred while the caller keeps the originals), run one task per chunk, and join the row-aligned outputs into
 * one contiguous buffer each. The merged StageTaskResult looks like a single task's, plus counter `split.workers`.
 */
import type { Piscina } from 'piscina';
import type { GcSummary, Percentiles, PipelineData, PipelineField, WorkerMemorySample } from '../types.js';
import type { StageTask, StageTaskResult } from './stage-worker.js';
import { boxLargeViews, pipelineBuffers, unboxLargeViews } from './transfer-list.js';
import { joinRows, rowRanges, sliceRows } from './row-split.js';

/** Counter a split run adds to its record: how many workers shared the rows. */
export const SPLIT_WORKERS_COUNTER = 'split.workers';

/** Percentiles of several runs merged (count, mean, max exact; p50/p95/p99 count-weighted means). */
// Percentiles of a union cannot be rebuilt from per-chunk summaries: count, mean and max are exact; p50/p95/p99
// are count-weighted means of the chunks' (an approximation; the chunks are similar slices of one input).
export function mergePercentiles(ps: Percentiles[]): Percentiles {
  const count = ps.reduce((s, p) => s + p.count, 0);
  const w = (f: (p: Percentiles) => number): number =>
    count > 0 ? ps.reduce((s, p) => s + f(p) * p.count, 0) / count : 0;
  return {
    count,
    p50: w((p) => p.p50),
    p95: w((p) => p.p95),
    p99: w((p) => p.p99),
    mean: w((p) => p.mean),
    max: Math.max(...ps.map((p) => p.max)),
  };
}

/** Merge chunk results (in row order) into one StageTaskResult whose data is `input` plus the joined outputs. */
export function mergeSplitResults(
  input: PipelineData,
  writes: readonly PipelineField[],
  results: StageTaskResult[],
): StageTaskResult {
  const data: PipelineData = {
    ...input,
    ...joinRows(
      results.map((r) => r.data),
      writes,
    ),
  };
  const counters: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.counters)) counters[k] = (counters[k] ?? 0) + v;
  counters[SPLIT_WORKERS_COUNTER] = results.length;
  const observations: Record<string, Percentiles> = {};
  for (const k of new Set(results.flatMap((r) => Object.keys(r.observations)))) {
    observations[k] = mergePercentiles(results.map((r) => r.observations[k]).filter((p): p is Percentiles => !!p));
  }
  const gc: GcSummary = { count: 0, totalMs: 0, maxMs: 0 };
  for (const r of results) {
    gc.count += r.gc.count;
    gc.totalMs += r.gc.totalMs;
    gc.maxMs = Math.max(gc.maxMs, r.gc.maxMs);
  }
  // Heap is per worker (each has its own resourceLimits): samples keep their worker in the label, so the record's
  // peak heap is the largest single worker's, the figure that meets the per-worker memory budget.
  const workerMemory: WorkerMemorySample[] = results.flatMap((r, i) =>
    r.workerMemory.map((s) => ({ ...s, label: `w${i}${s.label ? ` ${s.label}` : ''}` })),
  );
  workerMemory.sort((a, b) => a.tMs - b.tMs);
  return {
    data,
    workerMemory,
    gc,
    counters,
    observations,
    cpu: { user: results.reduce((s, r) => s + r.cpu.user, 0), system: results.reduce((s, r) => s + r.cpu.system, 0) },
    wallMs: Math.max(...results.map((r) => r.wallMs)),
    eventLoopUtilization: results.reduce((s, r) => s + r.eventLoopUtilization, 0) / results.length,
  };
}

/**
 * Run `task` as `parts` chunk tasks on `pool` at once. The caller's input buffers are not transferred (chunks are
 * copies), so the returned data reuses them. If one chunk fails the others are aborted and its error is thrown.
 */
export async function runSplitTask(
  pool: Piscina,
  task: StageTask,
  writes: readonly PipelineField[],
  parts: number,
  signal: AbortSignal,
): Promise<StageTaskResult> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await Promise.all(
      rowRanges(task.input.n, parts).map(([from, to]) => {
        const input = sliceRows(task.input, from, to); // whole-scale fields go to every chunk whole, as copies
        const p = pool
          .run(boxLargeViews({ ...task, input } satisfies StageTask), {
            transferList: pipelineBuffers(input),
            signal: ac.signal,
          })
          .then((r) => unboxLargeViews(r as StageTaskResult));
        return p.catch((e: unknown) => {
          ac.abort();
          throw e;
        });
      }),
    );
    return mergeSplitResults(task.input, writes, results);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
