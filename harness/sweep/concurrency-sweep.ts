/**
 * The concurrency sweep (Kura's load-test plan: 1, 5, 10, 20, 50 concurrent calls): re-run an API stage at each
 * level on the same input, with its cache off so every level really calls the endpoint, and report throughput,
 * latency and TTFB percentiles, 429s, retries and errors per level, plus the knee: the level beyond which
 * throughput improves by less than `kneeThreshold` (10%). The result goes to results.json `sections.concurrency`.
 */
import type { PipelineData, StageRecord } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import type { SimulatorStats } from '../api-simulator/simulator-server.js';
import { API_COUNTERS, API_OBSERVATIONS } from '../../pipeline/api/openai-client.js';
import { sliceRows } from '../workers/row-split.js';
import type { ConcurrencyLevelResult, ConcurrencyStageResult } from '../types.js';
export type { ConcurrencyLevelResult, ConcurrencyStageResult, ConcurrencySection } from '../types.js';
import { createStagePool } from '../workers/worker-pool.js';
import { runStageOnce, warmPool } from './stage-run.js';

/** The knee of a throughput curve: the first level whose next level adds less than `threshold` throughput. */
export function findKnee(
  points: { concurrency: number; throughputPerSec: number }[],
  threshold: number,
): { knee: number | null; note: string } {
  const ps = [...points].sort((a, b) => a.concurrency - b.concurrency);
  if (ps.length < 2) return { knee: null, note: 'fewer than two successful levels: no knee' };
  for (let i = 0; i + 1 < ps.length; i++) {
    const gain = ps[i].throughputPerSec > 0 ? ps[i + 1].throughputPerSec / ps[i].throughputPerSec - 1 : Infinity;
    if (gain < threshold) {
      return {
        knee: ps[i].concurrency,
        note: `throughput ${gain < 0 ? 'falls' : 'rises only'} ${Math.abs(gain * 100).toFixed(1)}% from ${ps[i].concurrency} to ${ps[i + 1].concurrency} (knee: a gain under ${(threshold * 100).toFixed(0)}%)`,
      };
    }
  }
  const last = ps[ps.length - 1].concurrency;
  return {
    knee: null,
    note: `throughput still improves >= ${(threshold * 100).toFixed(0)}% up to ${last}: no knee within the levels`,
  };
}

function levelResult(
  concurrency: number,
  rec: StageRecord,
  items: number,
  sim?: ConcurrencyLevelResult['simulator'],
): ConcurrencyLevelResult {
  const c = rec.counters ?? {};
  const obs = rec.observations ?? {};
  const callPhaseMs = c[API_COUNTERS.callPhaseMs] ?? rec.wallMs;
  const succeeded = items - (c[API_COUNTERS.errors] ?? 0);
  return {
    concurrency,
    status: rec.status,
    ...(rec.reason ? { reason: rec.reason } : {}),
    items,
    wallMs: rec.wallMs,
    callPhaseMs,
    throughputPerSec: rec.status === 'ok' && callPhaseMs > 0 ? succeeded / (callPhaseMs / 1000) : 0,
    ...(obs[API_OBSERVATIONS.latencyMs] ? { latencyMs: obs[API_OBSERVATIONS.latencyMs] } : {}),
    ...(obs[API_OBSERVATIONS.ttfbMs] ? { ttfbMs: obs[API_OBSERVATIONS.ttfbMs] } : {}),
    ...(obs[API_OBSERVATIONS.tokensPerSec] ? { tokensPerSec: obs[API_OBSERVATIONS.tokensPerSec] } : {}),
    requests: c[API_COUNTERS.requests] ?? 0,
    retries: c[API_COUNTERS.retries] ?? 0,
    http429: c[API_COUNTERS.http429] ?? 0,
    http5xx: c[API_COUNTERS.http5xx] ?? 0,
    errors: c[API_COUNTERS.errors] ?? 0,
    ...(sim ? { simulator: sim } : {}),
  };
}

/** Hooks into the simulator between levels (api: simulated). */
export interface LevelHooks {
  beforeLevel?(): void;
  /** Simulator stats now, to diff per level. */
  stats?(): SimulatorStats;
  log(line: string): void;
}

/** How many items a level runs on: all of them, or roundsPerLevel calls per slot (x batchSize). */
export function levelItems(n: number, level: number, roundsPerLevel: number | undefined, batchSize: number): number {
  return roundsPerLevel === undefined ? n : Math.min(n, level * roundsPerLevel * batchSize);
}

/**
 * Run `spec` at every level on row copies of `data` (the sweep's own buffers are never handed to these runs), in a
 * pool of this process made for it: the levels compare throughput, so they share one worker.
 */
export async function sweepStageConcurrency(
  spec: StageSpec,
  profile: SweepProfile,
  data: PipelineData,
  scale: number,
  levels: number[],
  kneeThreshold: number,
  roundsPerLevel: number | undefined,
  hooks: LevelHooks,
): Promise<ConcurrencyStageResult> {
  const pool = createStagePool(spec, profile);
  try {
    await warmPool(pool, spec);
    return await sweepLevels(pool, spec, profile, data, scale, levels, kneeThreshold, roundsPerLevel, hooks);
  } finally {
    await pool.destroy();
  }
}

async function sweepLevels(
  pool: ReturnType<typeof createStagePool>,
  spec: StageSpec,
  profile: SweepProfile,
  data: PipelineData,
  scale: number,
  levels: number[],
  kneeThreshold: number,
  roundsPerLevel: number | undefined,
  hooks: LevelHooks,
): Promise<ConcurrencyStageResult> {
  const out: ConcurrencyLevelResult[] = [];
  const batch = typeof spec.options.batchSize === 'number' ? spec.options.batchSize : 1;
  for (const level of levels) {
    const items = levelItems(data.n, level, roundsPerLevel, batch);
    const input = sliceRows(data, 0, items); // copies of the per-row fields
    const levelSpec: StageSpec = { ...spec, options: { ...spec.options, concurrency: level, cache: false } };
    hooks.beforeLevel?.();
    const s0 = hooks.stats?.();
    const { record } = await runStageOnce(pool, levelSpec, profile, input, scale, 0);
    const s1 = hooks.stats?.();
    const sim =
      s0 && s1
        ? {
            requests: s1.requests - s0.requests,
            rateLimited: s1.rateLimited - s0.rateLimited,
            peakInFlight: s1.peakInFlight,
          }
        : undefined;
    const r = levelResult(level, record, items, sim);
    out.push(r);
    hooks.log(
      `  n=${scale} ${spec.stage}/${spec.method} @ concurrency ${level} (${items} items): ${r.status === 'ok' ? `${r.throughputPerSec.toFixed(1)} items/s, p95 ${(r.latencyMs?.p95 ?? 0).toFixed(0)} ms, 429s ${r.http429}, retries ${r.retries}, errors ${r.errors}` : `${r.status.toUpperCase()}: ${r.reason ?? ''}`}`,
    );
  }
  const { knee, note } = findKnee(
    out.filter((l) => l.status === 'ok'),
    kneeThreshold,
  );
  hooks.log(`  ${spec.stage}/${spec.method} concurrency knee: ${knee ?? 'none'} (${note})`);
  return { stage: spec.stage, method: spec.method, scale, levels: out, knee, kneeNote: note };
}
