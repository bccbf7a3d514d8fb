/**
 * Worker scaling (profile `workerScaling:`): run chosen stages (default embed and cluster) with 1..C workers and
 * report the speed-up, for the hardware table's cores column. A `splittable` stage (StageDefinition.splittable)
 * has its rows split across the workers by the normal sweep path (runStageOnce -> harness/workers/split-stage-run.ts);
 * a stage that cannot split runs as one task whatever the pool size, so it honestly shows ~1x. Every output is
 * compared bit for bit with the 1-worker output. Each worker count gets one untimed warm-up run first. Counts
 * tried: powers of two up to C, plus C (workerCounts).
 */
import os from 'node:os';
import { median } from 'simple-statistics';
import type {
  PipelineData,
  PipelineField,
  WorkerScalingPoint,
  WorkerScalingSection,
  WorkerScalingStage,
} from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import { createStagePool } from '../workers/worker-pool.js';
import { buildScaleInput } from '../sweep/sweep-input.js';
import { runStageOnce, stageLabel } from '../sweep/stage-run.js';
import { entryViews, fieldEntry, pickFields, type FieldEntry } from '../../pipeline/pipeline-fields.js';
import { stageMatches } from './leak-check.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { formatMs } from '../../pipeline/support/format-units.js';

/** The section key. */
export const WORKER_SCALING_SECTION = 'workerScaling';

/** The bytes of one field: its typed arrays, or its JSON. */
function bytesOf(e: FieldEntry | undefined): Uint8Array[] {
  if (!e) return [];
  if (e.layout === 'json') return [new TextEncoder().encode(JSON.stringify(e.value))];
  return entryViews(e).map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** Bit-for-bit equality of the written fields. */
export function sameOutputs(a: PipelineData, b: PipelineData, fields: readonly PipelineField[]): boolean {
  for (const f of fields) {
    const x = bytesOf(fieldEntry(a, f));
    const y = bytesOf(fieldEntry(b, f));
    if (x.length !== y.length || x.some((xi, i) => Buffer.compare(Buffer.from(xi), Buffer.from(y[i])) !== 0))
      return false;
  }
  return true;
}

/**
 * Worker counts to try: powers of two up to max, plus max (1, 2, 4, 8, 12 on 12 cores). A stage that cannot split
 * runs as one task whatever the pool size, so 1 and max are enough to show that honestly.
 */
export function workerCounts(max: number, splittable: boolean): number[] {
  if (!splittable) return max > 1 ? [1, max] : [1];
  const out: number[] = [];
  for (let w = 1; w < max; w *= 2) out.push(w);
  return [...out, max];
}

/** Measure each target stage at 1..maxWorkers workers. */
export async function runWorkerScaling(
  profile: SweepProfile,
  progress: ProgressReporter,
): Promise<WorkerScalingSection> {
  const spec = profile.workerScaling!;
  const scale = spec.scale ?? Math.max(...profile.scales);
  const cores = os.availableParallelism();
  const maxWorkers = spec.maxWorkers ?? cores;
  const stages: WorkerScalingStage[] = [];
  let data: PipelineData | undefined = (await buildScaleInput(profile, scale)).data;
  for (const stage of profile.stages) {
    if (!data) break;
    const def = await loadStage(stage.stage, stage.method);
    const target = stageMatches(stage, spec.stages);
    let reference: PipelineData | undefined;
    const points: WorkerScalingPoint[] = [];
    for (const w of target ? workerCounts(maxWorkers, def.splittable === true) : [1]) {
      const s = { ...stage, workers: w };
      const pool = createStagePool(s, profile);
      const walls: number[] = [];
      let chunks = 1;
      let matches = true;
      try {
        // r = -1 is an untimed warm-up: worker start-up and JIT would otherwise count against the first size.
        for (let r = target ? -1 : 0; r < (target ? spec.repeats : 1) && data; r++) {
          const { record, data: out } = await runStageOnce(pool, s, profile, data, scale, Math.max(r, 0));
          if (record.status !== 'ok' || !out) {
            progress.log(
              `  ${stageLabel(stage)} with ${w} workers: ${record.status} (${record.reason ?? ''}); stopping`,
            );
            data = undefined;
            break;
          }
          if (r >= 0) walls.push(record.wallMs);
          chunks = record.counters['split.workers'] ?? 1;
          const merged: PipelineData = { ...data, ...out };
          // Keep a copy of the first output: later runs transfer the live buffers away.
          if (!reference) reference = structuredClone(pickFields(merged, def.writes));
          else matches &&= sameOutputs(reference, merged, def.writes);
          data = merged;
        }
      } finally {
        await pool.destroy();
      }
      if (!target || walls.length === 0) continue;
      const wallMs = median(walls);
      const base = points[0]?.wallMs ?? wallMs;
      points.push({
        workers: w,
        wallMs,
        speedup: base / wallMs,
        efficiency: base / wallMs / w,
        chunks,
        matchesSingleWorker: matches,
      });
      progress.log(
        `  ${stageLabel(stage)} n=${scale}, ${w} worker${w > 1 ? 's' : ''}: ${formatMs(wallMs)} (${(base / wallMs).toFixed(2)}x, ${chunks} chunk${chunks > 1 ? 's' : ''})`,
      );
    }
    if (target && points.length > 0) {
      // Best = fewest workers within 5% of the top speed-up (noise must not buy a core); a stage that cannot split
      // gains nothing from more workers, so its best is 1 whatever the noise says.
      const top = Math.max(...points.map((p) => p.speedup));
      const best = def.splittable === true ? points.find((p) => p.speedup >= 0.95 * top)! : points[0];
      stages.push({
        stage: stage.stage,
        method: stage.method,
        scale,
        splittable: def.splittable === true,
        points,
        bestSpeedup: best.speedup,
        bestWorkers: best.workers,
      });
    }
  }
  return { cores, stages };
}
