/**
 * Worker entry for `clusterbench profile` (cpu-prof, heap-prof, heap-snapshot): runs one stage once on the input it
 * was handed (by transfer) and exits, so that --cpu-prof / --heap-prof (given as the worker's execArgv) write their
 * files covering the stage. For heap-snapshot it writes a V8 heap snapshot whenever a batch-boundary sample beats the
 * peak heap seen so far by 5%, so the file left is the snapshot at peak heap.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { loadStage } from '../../pipeline/stage-registry.js';
import type { PipelineData, StageKind } from '../types.js';
import { unboxLargeViews } from '../workers/transfer-list.js';

/** What the main thread hands the worker. */
export interface ProfileWorkerData {
  kind: StageKind;
  method: string;
  options: unknown;
  seed: number;
  input: PipelineData;
  /** Write heap snapshots at new peaks to this path (heap-snapshot tool). */
  snapshotPath?: string;
}

/** What the worker reports back. */
export interface ProfileWorkerResult {
  wallMs: number;
  peakHeapUsed: number;
  /** Sample label at which the heap snapshot was taken. */
  snapshotAt?: string;
}

async function main(): Promise<void> {
  const d = unboxLargeViews(workerData as ProfileWorkerData);
  const def = await loadStage(d.kind, d.method);
  let peak = 0;
  let snapshotAt: string | undefined;
  const sample = (label?: string): void => {
    const used = process.memoryUsage().heapUsed;
    if (used > peak * 1.05 && d.snapshotPath) {
      writeHeapSnapshot(d.snapshotPath);
      snapshotAt = label ?? 'sample';
    }
    peak = Math.max(peak, used);
  };
  sample('start');
  const t0 = performance.now();
  await def.run(d.input, d.options, { seed: d.seed, sample, count() {}, observe() {} });
  const wallMs = performance.now() - t0;
  sample('end');
  const result: ProfileWorkerResult = { wallMs, peakHeapUsed: peak, ...(snapshotAt ? { snapshotAt } : {}) };
  parentPort!.postMessage(result);
}

main().catch((e: unknown) => {
  throw e;
});
