/**
 * Leak check (profile `leakCheck:`): run the same cell `runs` times in one worker of one pool and read the heap
 * after a forced full GC after each run (harness/analysis/leak-check-worker.ts). A stage that keeps memory across calls
 * shows heap that grows run after run; one that does not returns close to its baseline (seed 003). The first run
 * is the baseline (it loads modules and warms the JIT). Verdict: fail when last - first > maxGrowthMb.
 */
import { Piscina } from 'piscina';
import { linearRegression } from 'simple-statistics';
import type { LeakCheckResult, LeakCheckSection, PipelineData } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import type { HeapAfterGc } from './leak-check-worker.js';
import { stageMemoryLimitMb } from '../workers/worker-pool.js';
import { buildScaleInput } from '../sweep/sweep-input.js';
import { runStageOnce, stageLabel } from '../sweep/stage-run.js';
import { formatBytes } from '../../pipeline/support/format-units.js';

/** The section key. */
export const LEAK_CHECK_SECTION = 'leakCheck';

/** Does `spec` match a name from a profile list: "kind/method" or a bare kind? */
export function stageMatches(spec: StageSpec, names: readonly string[]): boolean {
  return names.some((n) => n === stageLabel(spec) || n === spec.stage);
}

/** A one-thread pool on the leak-check worker, with the stage's memory limit. */
function leakPool(spec: StageSpec, profile: SweepProfile): Piscina {
  const limit = stageMemoryLimitMb(spec, profile);
  return new Piscina({
    filename: new URL('./leak-check-worker.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    ...(limit !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: limit } } : {}),
  });
}

/** Judge a series of heap-after-GC readings. */
export function judgeLeak(
  heap: readonly number[],
  thresholdBytes: number,
): Pick<LeakCheckResult, 'growthBytes' | 'slopeBytesPerRun' | 'verdict'> {
  const growthBytes = heap[heap.length - 1] - heap[0];
  const slopeBytesPerRun = heap.length >= 2 ? linearRegression(heap.map((h, i) => [i, h])).m : 0;
  return { growthBytes, slopeBytesPerRun, verdict: growthBytes > thresholdBytes ? 'fail' : 'pass' };
}

/** Run the leak check for the profile's stages (those named in leakCheck.stages, else all). */
export async function runLeakCheck(profile: SweepProfile, progress: ProgressReporter): Promise<LeakCheckSection> {
  const spec = profile.leakCheck!;
  const scale = spec.scale ?? Math.min(...profile.scales);
  const thresholdBytes = spec.maxGrowthMb * 2 ** 20;
  const results: LeakCheckResult[] = [];
  let data: PipelineData | undefined = (await buildScaleInput(profile, scale)).data;
  for (const stage of profile.stages) {
    if (!data) break;
    const target = spec.stages ? stageMatches(stage, spec.stages) : true;
    const runs = target ? spec.runs : 1;
    const pool = leakPool(stage, profile);
    const heap: number[] = [];
    let current: PipelineData | undefined = data;
    let failure: string | undefined;
    try {
      for (let r = 0; r < runs && current; r++) {
        const { record, data: out } = await runStageOnce(pool, stage, profile, current, scale, r);
        if (record.status !== 'ok' || !out) {
          failure = `run ${r + 1}: ${record.status}: ${record.reason ?? ''}`;
          current = undefined;
          break;
        }
        current = out;
        if (target) heap.push(((await pool.run(null, { name: 'heapAfterGc' })) as HeapAfterGc).heapUsed);
      }
    } finally {
      await pool.destroy();
    }
    data = current ? { ...data, ...current } : undefined;
    if (!target) continue;
    const base = {
      stage: stage.stage,
      method: stage.method,
      scale,
      runs: spec.runs,
      heapAfterGcBytes: heap,
      thresholdBytes,
    };
    if (failure || heap.length < 2) {
      results.push({
        ...base,
        growthBytes: 0,
        slopeBytesPerRun: 0,
        verdict: 'error',
        reason: failure ?? 'too few runs',
      });
      progress.log(`  leak check ${stageLabel(stage)}: ERROR (${failure})`);
      continue;
    }
    const judged = judgeLeak(heap, thresholdBytes);
    results.push({
      ...base,
      ...judged,
      ...(judged.verdict === 'fail'
        ? {
            reason: `heap after GC grew ${formatBytes(judged.growthBytes)} over ${heap.length} runs (limit ${formatBytes(thresholdBytes)})`,
          }
        : {}),
    });
    progress.log(
      `  leak check ${stageLabel(stage)}: ${judged.verdict.toUpperCase()}, heap after GC ${formatBytes(heap[0])} -> ${formatBytes(heap[heap.length - 1])} over ${heap.length} runs`,
    );
  }
  return {
    method: "v8.setFlagsFromString('--expose-gc') + vm.runInNewContext('gc') in the worker; gc() twice after each run",
    results,
  };
}
