/**
 * Run one stage once on in-memory data in a piscina pool of this process, measuring it: wall time, the stage's own
 * thread CPU, an RSS + worker-heap timeline sampled from this thread, and the RSS ceiling and time budget. This is
 * what `isolation: thread` runs in the sweep's process and what a cell's child process runs (harness/sweep/cell-child.ts).
 */
import { outputRowProblem } from './stage-output-rows.js';
import { performance } from 'node:perf_hooks';
import type { Piscina } from 'piscina';
import type { CellStatus, PipelineData, StageRecord } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import type { StageTask, StageTaskResult } from '../workers/stage-worker.js';
import { startRssSampler } from '../workers/memory-sampler.js';
import { CEILING_CHECK_MS, rssCeilingBytes } from '../workers/rss-ceiling.js';
import { stageFailureCounters } from '../workers/stage-failure.js';
import { boxLargeViews, pipelineBuffers, unboxLargeViews } from '../workers/transfer-list.js';
import { runSplitTask } from '../workers/split-stage-run.js';
import { runCommandStage } from '../workers/command-stage-run.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { pickFields } from '../../pipeline/pipeline-fields.js';
import { deriveSeed } from '../../pipeline/support/seeded-random.js';
import { formatBytes } from '../../pipeline/support/format-units.js';

/** Name of a stage as shown in reports: "cluster/kmeans". */
export const stageLabel = (s: { stage: string; method: string }): string => `${s.stage}/${s.method}`;

/** The reason text of an RSS-ceiling stop (the same whether the stage's host or the sweep's parent stopped it). */
export const rssCeilingReason = (rss: number): string =>
  `process RSS reached ${formatBytes(rss)}, above the RSS ceiling`;

/** The RSS ceiling of a profile in bytes (default: min(80% of RAM, RAM - 2 GiB); harness/workers/rss-ceiling.ts). */
export { rssCeilingBytes };

function classifyFailure(err: unknown, timedOut: boolean, rssExceeded: number): { status: CellStatus; reason: string } {
  const e = err as { code?: string; name?: string; message?: string };
  if (rssExceeded > 0) return { status: 'oom', reason: rssCeilingReason(rssExceeded) };
  if (timedOut) return { status: 'timeout', reason: 'time budget exceeded' };
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return { status: 'oom', reason: e.message ?? 'worker ran out of memory' };
  return { status: 'error', reason: e?.message ?? String(err) };
}

/** A record with no measurements (skipped cells, input errors, cells that could not start). */
export function emptyRecord(
  scale: number,
  spec: StageSpec,
  repeat: number,
  status: CellStatus,
  reason: string,
): StageRecord {
  return {
    scale,
    stage: spec.stage,
    method: spec.method,
    repeat,
    status,
    reason,
    items: scale,
    wallMs: 0,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    peakRssBytes: 0,
    baselineRssBytes: 0,
    peakHeapUsedBytes: 0,
    peakArrayBuffersBytes: 0,
    itemsPerSec: 0,
    rssTimeline: [],
    workerMemory: [],
    counters: {},
    observations: {},
  };
}

/** Start the pool's workers and load the stage's module in each, so neither counts in the stage's time or memory. */
export async function warmPool(pool: Piscina, spec: StageSpec): Promise<void> {
  const task: StageTask = {
    kind: spec.stage,
    method: spec.method,
    options: {},
    seed: 0,
    input: { n: 0 },
    warmOnly: true,
  };
  await Promise.all(Array.from({ length: spec.workers ?? 1 }, () => pool.run(task)));
}

/** Run one stage once on `data` in `pool`, measuring it. The returned data carries the input buffers back. */
export async function runStageOnce(
  pool: Piscina,
  spec: StageSpec,
  profile: SweepProfile,
  data: PipelineData,
  scale: number,
  repeat: number,
): Promise<{ record: StageRecord; data?: PipelineData }> {
  if (spec.command) return runCommandStage(spec, profile, data, scale, repeat); // a process per cell, measured from /proc
  const def = await loadStage(spec.stage, spec.method);
  const input = pickFields(data, def.reads);
  const task: StageTask = {
    kind: spec.stage,
    method: spec.method,
    options: spec.options,
    seed: deriveSeed(profile.seed, stageLabel(spec)),
    input,
  };
  const timeoutSec = spec.timeoutSec ?? profile.limits.timeoutSec;
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, timeoutSec * 1000);
  const ceiling = rssCeilingBytes(profile);
  let rssExceeded = 0;
  const baselineRss = process.memoryUsage.rss();
  // RSS is per process: past the ceiling, stop the stage before the kernel's OOM killer ends the whole process.
  const sampler = startRssSampler(profile.sampling.intervalMs, {
    workers: () => pool.threads,
    onSample: (rss) => {
      if (rss > ceiling && !rssExceeded) {
        rssExceeded = rss;
        ac.abort();
      }
    },
    checkMs: CEILING_CHECK_MS, // the ceiling holds with intervalMs 0 too
  });
  const t0 = performance.now();
  try {
    // A splittable stage with several workers gets the rows sliced across them (harness/workers/split-stage-run.ts).
    const parts = def.splittable ? Math.min(spec.workers ?? 1, Math.floor(data.n / 2)) : 1;
    const res =
      parts > 1
        ? await runSplitTask(pool, task, def.writes, parts, ac.signal)
        : unboxLargeViews(
            (await pool.run(boxLargeViews(task), {
              transferList: pipelineBuffers(input),
              signal: ac.signal,
            })) as StageTaskResult,
          );
    const wallMs = performance.now() - t0;
    const { timeline, peakRss, peakWorkerHeap, peakWorkerExternal } = sampler.stop();
    const record: StageRecord = {
      scale,
      stage: spec.stage,
      method: spec.method,
      repeat,
      status: 'ok',
      items: data.n,
      wallMs,
      cpuUserMs: res.cpu.user / 1000,
      cpuSystemMs: res.cpu.system / 1000,
      peakRssBytes: peakRss,
      baselineRssBytes: baselineRss,
      peakRssDeltaBytes: Math.max(0, peakRss - baselineRss),
      peakHeapUsedBytes: Math.max(peakWorkerHeap, ...res.workerMemory.map((s) => s.heapUsed)),
      peakArrayBuffersBytes: Math.max(0, ...res.workerMemory.map((s) => s.arrayBuffers)),
      peakWorkerExternalBytes: peakWorkerExternal,
      itemsPerSec: data.n / Math.max(wallMs / 1000, 1e-9),
      eventLoopUtilization: res.eventLoopUtilization,
      gc: res.gc,
      rssTimeline: timeline,
      workerMemory: res.workerMemory,
      counters: res.counters,
      observations: res.observations,
    };
    // A user's module stage: refuse an output with the wrong number of rows before it is scored or passed on.
    if (spec.method.startsWith('module:')) {
      const problem = outputRowProblem(res.data, def.writes, data.n, {
        profileKey: `stages[${profile.stages.findIndex((x) => x.stage === spec.stage && x.method === spec.method)}].method`,
        file: spec.method.slice('module:'.length),
      });
      if (problem) return { record: { ...record, status: 'error', reason: problem, itemsPerSec: 0 } };
    }
    return { record, data: res.data };
  } catch (err) {
    const wallMs = performance.now() - t0;
    const { timeline, peakRss, peakWorkerHeap, peakWorkerExternal } = sampler.stop();
    const { status, reason } = classifyFailure(err, timedOut, rssExceeded);
    const kept = stageFailureCounters(err); // a failed API stage's requests and errors still count
    const record: StageRecord = {
      ...emptyRecord(scale, spec, repeat, status, reason),
      wallMs,
      peakRssBytes: peakRss,
      baselineRssBytes: baselineRss,
      peakRssDeltaBytes: Math.max(0, peakRss - baselineRss),
      peakHeapUsedBytes: peakWorkerHeap,
      peakWorkerExternalBytes: peakWorkerExternal,
      rssTimeline: timeline,
      counters: kept.stageCounters,
      observations: kept.stageObservations,
    };
    return { record };
  } finally {
    clearTimeout(timer);
  }
}
