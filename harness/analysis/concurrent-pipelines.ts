/**
 * Pipelines at once (profile `concurrentPipelines:`; seed 004's "multiple pipelines running simultaneously"):
 * run P independent copies of the profile's pipeline concurrently, each with its own worker pools, and report
 * throughput (P x n conversations over the wall time until the last one finishes) and memory against P.
 * RSS is for the whole process (all P pipelines); heap is summed over the pipelines' own worker peaks. Each
 * pipeline's pools get an untimed warm-up on 50 rows first, so worker start-up is not counted as throughput.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ConcurrentPipelinesPoint, ConcurrentPipelinesSection, PipelineData, StageRecord } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import { createStagePool } from '../workers/worker-pool.js';
import { startRssSampler } from '../workers/memory-sampler.js';
import { buildScaleInput } from '../sweep/sweep-input.js';
import { runStageOnce } from '../sweep/stage-run.js';
import { formatBytes, formatMs } from '../../pipeline/support/format-units.js';
import { sliceRows } from '../workers/row-split.js';
import type { Piscina } from 'piscina';

/** The section key. */
export const CONCURRENT_PIPELINES_SECTION = 'concurrentPipelines';

/** One pipeline run start to end on its own pools; returns its records (stops at the first stage that fails). */
async function runPipeline(
  profile: SweepProfile,
  pools: Piscina[],
  input: PipelineData,
  scale: number,
): Promise<StageRecord[]> {
  const records: StageRecord[] = [];
  let data: PipelineData | undefined = input;
  for (const [i, spec] of profile.stages.entries()) {
    if (!data) break;
    const { record, data: out } = await runStageOnce(pools[i], spec, profile, data, scale, 0);
    records.push(record);
    data = out ? { ...data, ...out } : undefined;
  }
  return records;
}

/** Measure throughput and memory for each pipeline count in concurrentPipelines.counts. */
export async function runConcurrentPipelines(
  profile: SweepProfile,
  progress: ProgressReporter,
): Promise<ConcurrentPipelinesSection> {
  const spec = profile.concurrentPipelines!;
  const scale = spec.scale ?? Math.min(...profile.scales);
  const input = (await buildScaleInput(profile, scale)).data;
  const points: ConcurrentPipelinesPoint[] = [];
  for (const p of spec.counts) {
    // Each pipeline transfers its own buffers into its workers, so each gets its own copy.
    const copies = Array.from({ length: p }, () => structuredClone(input));
    const poolSets = copies.map(() => profile.stages.map((s) => createStagePool(s, profile)));
    let perPipeline: StageRecord[][];
    let wallMs: number;
    let peakRss: number;
    const baselineRssBytes = process.memoryUsage.rss();
    try {
      // Untimed warm-up on a few rows: worker start-up and module loading are not pipeline throughput.
      await Promise.all(
        poolSets.map((pools) =>
          runPipeline(profile, pools, sliceRows(input, 0, Math.min(50, input.n)), Math.min(50, input.n)),
        ),
      );
      const sampler = startRssSampler(profile.sampling.intervalMs || 10);
      const t0 = performance.now();
      perPipeline = await Promise.all(copies.map((c, i) => runPipeline(profile, poolSets[i], c, scale)));
      wallMs = performance.now() - t0;
      peakRss = sampler.stop().peakRss;
    } finally {
      await Promise.all(poolSets.flat().map((pool) => pool.destroy()));
    }
    const throughputPerSec = (p * scale) / Math.max(wallMs / 1000, 1e-9);
    const failures =
      perPipeline.flat().filter((r) => r.status !== 'ok').length +
      perPipeline.filter((rs) => rs.length < profile.stages.length).length;
    points.push({
      pipelines: p,
      scale,
      wallMs,
      throughputPerSec,
      relativeThroughput: 0,
      peakRssBytes: peakRss,
      baselineRssBytes,
      sumPeakHeapBytes: perPipeline.reduce((s, rs) => s + Math.max(0, ...rs.map((r) => r.peakHeapUsedBytes)), 0),
      failures,
    });
    progress.log(
      `  P=${p}: ${formatMs(wallMs)}, ${Math.round(throughputPerSec)} conversations/s, peak RSS ${formatBytes(peakRss)}${failures ? `, ${failures} failed cells` : ''}`,
    );
  }
  const ref = points.find((x) => x.pipelines === 1) ?? points[0];
  for (const x of points) x.relativeThroughput = ref ? x.throughputPerSec / ref.throughputPerSec : 0;
  return { cores: os.availableParallelism(), points };
}
