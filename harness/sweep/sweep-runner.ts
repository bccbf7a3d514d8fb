/**
 * The sweep: for each scale, build the input, run each stage in its own worker pool while sampling RSS, record a
 * StageRecord per stage, score quality. A stage that runs out of memory, times out or throws is recorded as such;
 * its larger scales (and the stages that need its output) are skipped and marked. The sweep itself never crashes.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Piscina } from 'piscina';
import type { BreakingPoint, CellStatus, PipelineData, ScaleSummary, RunSections, StageRecord, SweepOutcome } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import type { StageTask, StageTaskResult } from '../workers/stage-worker.js';
import { createStagePool } from '../workers/worker-pool.js';
import { startRssSampler } from '../workers/memory-sampler.js';
import { pipelineBuffers } from '../workers/transfer-list.js';
import { runSplitTask } from '../workers/split-stage-run.js';
import { runCommandStage } from '../workers/command-stage-run.js';
import { buildScaleInput, InputTooLargeError, type ScaleInput } from './sweep-input.js';
import { computeQuality } from '../../pipeline/metrics/quality-report.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { deriveSeed } from '../../pipeline/support/seeded-random.js';
import type { ProgressReporter } from './progress-reporter.js';
import { formatBytes, formatMs } from '../../pipeline/support/format-units.js';
import { median } from 'simple-statistics';
import { isMeasuredStatus } from './cell-status.js';
import { breakingPointsSpec, qualityFloorBreach, stageNamed, superlinearBreak } from './breaking-point-detection.js';
import { bisectStageBreak } from './breaking-point-bisection.js';
import { sampleClusterMap } from './cluster-map-sample.js';
import { startSweepApi } from './sweep-api.js';
import type { SweepHooks, SweepResume } from './sweep-hooks.js';

/** Name of a stage as shown in reports: "cluster/kmeans". */
export const stageLabel = (s: StageSpec): string => `${s.stage}/${s.method}`;

function classifyFailure(err: unknown, timedOut: boolean, rssExceeded: number): { status: CellStatus; reason: string } {
  const e = err as { code?: string; name?: string; message?: string };
  if (rssExceeded > 0) return { status: 'oom', reason: `process RSS reached ${formatBytes(rssExceeded)}, above the RSS ceiling` };
  if (timedOut) return { status: 'timeout', reason: 'time budget exceeded' };
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return { status: 'oom', reason: e.message ?? 'worker ran out of memory' };
  return { status: 'error', reason: e?.message ?? String(err) };
}

/** The given fields of data (those present), sharing its buffers. */
export function pick(data: PipelineData, fields: readonly string[]): PipelineData {
  const out: PipelineData = { n: data.n };
  for (const f of fields) if ((data as unknown as Record<string, unknown>)[f] !== undefined) (out as unknown as Record<string, unknown>)[f] = (data as unknown as Record<string, unknown>)[f];
  return out;
}

function emptyRecord(scale: number, spec: StageSpec, repeat: number, status: CellStatus, reason: string): StageRecord {
  return {
    scale, stage: spec.stage, method: spec.method, repeat, status, reason, items: scale, wallMs: 0, cpuUserMs: 0, cpuSystemMs: 0,
    peakRssBytes: 0, baselineRssBytes: 0, peakHeapUsedBytes: 0, peakArrayBuffersBytes: 0, itemsPerSec: 0,
    rssTimeline: [], workerMemory: [], counters: {}, observations: {},
  };
}

/** Run one stage once on `data` in `pool`, measuring it. The returned data carries the input buffers back. */
export async function runStageOnce(
  pool: Piscina, spec: StageSpec, profile: SweepProfile, data: PipelineData, scale: number, repeat: number,
): Promise<{ record: StageRecord; data?: PipelineData }> {
  if (spec.command) return runCommandStage(spec, profile, data, scale, repeat); // a process per cell, measured from /proc
  const def = await loadStage(spec.stage, spec.method);
  const input = pick(data, def.reads);
  const task: StageTask = { kind: spec.stage, method: spec.method, options: spec.options, seed: deriveSeed(profile.seed, stageLabel(spec)), input };
  const timeoutSec = spec.timeoutSec ?? profile.limits.timeoutSec;
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; ac.abort(); }, timeoutSec * 1000);
  const ceiling = (profile.limits.rssCeilingMb ?? (0.9 * os.totalmem()) / 2 ** 20) * 2 ** 20;
  let rssExceeded = 0;
  const baselineRss = process.memoryUsage.rss();
  const cpu0 = process.cpuUsage();
  // RSS is per process: past the ceiling, stop the stage before the kernel's OOM killer ends the whole sweep.
  const sampler = startRssSampler(profile.sampling.intervalMs, (rss) => {
    if (rss > ceiling && !rssExceeded) { rssExceeded = rss; ac.abort(); }
  });
  const t0 = performance.now();
  try {
    // A splittable stage with several workers gets the rows sliced across them (harness/workers/split-stage-run.ts).
    const parts = def.splittable ? Math.min(spec.workers ?? 1, Math.floor(data.n / 2)) : 1;
    const res = parts > 1
      ? await runSplitTask(pool, task, def.writes, parts, ac.signal)
      : (await pool.run(task, { transferList: pipelineBuffers(input), signal: ac.signal })) as StageTaskResult;
    const wallMs = performance.now() - t0;
    const { timeline, peakRss } = sampler.stop();
    const cpu = process.cpuUsage(cpu0);
    const record: StageRecord = {
      scale, stage: spec.stage, method: spec.method, repeat, status: 'ok', items: data.n, wallMs,
      cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
      peakRssBytes: peakRss, baselineRssBytes: baselineRss,
      peakHeapUsedBytes: Math.max(0, ...res.workerMemory.map((s) => s.heapUsed)),
      peakArrayBuffersBytes: Math.max(0, ...res.workerMemory.map((s) => s.arrayBuffers)),
      itemsPerSec: data.n / Math.max(wallMs / 1000, 1e-9),
      eventLoopUtilization: res.eventLoopUtilization, gc: res.gc,
      rssTimeline: timeline, workerMemory: res.workerMemory, counters: res.counters, observations: res.observations,
    };
    return { record, data: res.data };
  } catch (err) {
    const wallMs = performance.now() - t0;
    const { timeline, peakRss } = sampler.stop();
    const { status, reason } = classifyFailure(err, timedOut, rssExceeded);
    const record = { ...emptyRecord(scale, spec, repeat, status, reason), wallMs, peakRssBytes: peakRss, baselineRssBytes: baselineRss, rssTimeline: timeline };
    return { record };
  } finally {
    clearTimeout(timer);
  }
}

/** Options for a sweep that are not part of the profile. */
export interface SweepRunOptions {
  progress: ProgressReporter;
  /** Called after each cell and scale (checkpoints, partial results.json, storage accounting: harness/sweep/sweep-hooks.ts). */
  hooks?: SweepHooks;
  /** Continue an interrupted run: its completed cells are kept, not re-run (harness/sweep/sweep-checkpoint.ts). */
  resume?: SweepResume;
}

/** Run a whole sweep. Pools are created per stage and closed at the end, whatever happens. */
export async function runSweep(profile: SweepProfile, opts: SweepRunOptions): Promise<SweepOutcome> {
  // api: simulated starts the simulator here and puts its URL into the API stages' options (harness/sweep/sweep-api.ts).
  const api = await startSweepApi(profile, opts.progress);
  profile = api.profile;
  const pools = profile.stages.map((s) => createStagePool(s, profile));
  const records: StageRecord[] = [...(opts.resume?.outcome.records ?? [])];
  const scales: ScaleSummary[] = [...(opts.resume?.outcome.scales ?? [])];
  const breakingPoints: BreakingPoint[] = [...(opts.resume?.outcome.breakingPoints ?? [])];
  const brokeAt = new Map<number, number>(); // stage index -> first failing scale
  const lastPassed = new Map<number, number>();
  opts.resume?.restoreStageState(brokeAt, lastPassed);
  // Soft breaking points (superlinear, degraded): recorded once per stage and kind; the stage keeps running.
  const softBroken = new Map<number, Set<string>>();
  const prevMedian = new Map<number, { scale: number; medianMs: number }>();
  const defs = await Promise.all(profile.stages.map((s) => loadStage(s.stage, s.method)));
  const labelsStage = defs.map((d) => d.writes.includes('labels')).lastIndexOf(true);
  let lastQualityPass: number | undefined;
  const escalate = breakingPointsSpec(profile).escalate;
  const stopStages = escalate ? (escalate.stages ?? profile.stages.map(stageLabel)) : undefined;
  const softBreak = (i: number, bp: BreakingPoint, cell: StageRecord[]): void => {
    for (const x of cell) if (x.status === 'ok') Object.assign(x, { status: bp.kind, reason: bp.reason });
    const kinds = softBroken.get(i) ?? new Set<string>();
    if (!kinds.has(bp.kind)) breakingPoints.push(bp);
    softBroken.set(i, kinds.add(bp.kind));
    opts.progress.log(`  n=${bp.firstFailingScale} ${bp.stage}/${bp.method}: ${bp.kind.toUpperCase()}: ${bp.reason}`);
  };
  const cellOf = (i: number, scale: number): StageRecord[] =>
    records.filter((x) => x.scale === scale && x.stage === profile.stages[i].stage && x.method === profile.stages[i].method && isMeasuredStatus(x.status));
  // A resumed run: rebuild the soft-break state from what was measured before the interruption.
  for (const [i, spec] of profile.stages.entries()) {
    const done = records.filter((x) => x.stage === spec.stage && x.method === spec.method && isMeasuredStatus(x.status));
    const last = Math.max(0, ...done.map((x) => x.scale));
    if (last > 0) prevMedian.set(i, { scale: last, medianMs: median(cellOf(i, last).map((x) => x.wallMs)) });
    for (const bp of breakingPoints) if (bp.stage === spec.stage && bp.method === spec.method && (bp.kind === 'superlinear' || bp.kind === 'degraded')) softBroken.set(i, (softBroken.get(i) ?? new Set<string>()).add(bp.kind));
  }
  for (const sc of scales) if (sc.quality.clusterCount !== undefined && !qualityFloorBreach(sc.quality, profile)) lastQualityPass = sc.scale;
  const sections: RunSections = { ...(opts.resume?.outcome.sections ?? {}) };
  try {
    for (const scale of profile.scales) {
      if (opts.resume?.isScaleDone(scale)) continue; // measured before the interruption
      const tIn = performance.now();
      let input: ScaleInput;
      try {
        input = await buildScaleInput(profile, scale);
      } catch (err) {
        if (!(err instanceof InputTooLargeError)) throw err;
        // The harness's own limit is a result too: every stage at this scale is an error, larger scales are not tried.
        const reason = `input: ${err.message}`;
        for (const spec of profile.stages) for (let r = 0; r < profile.repeats; r++) records.push(emptyRecord(scale, spec, r, 'error', reason));
        const first = profile.stages[0];
        breakingPoints.push({ stage: first.stage, method: first.method, kind: 'error', lastPassingScale: lastPassed.get(0), firstFailingScale: scale, reason });
        opts.progress.log(`scale ${scale}: ${reason}; larger scales skipped`);
        break;
      }
      opts.progress.log(`scale ${scale}: input ready in ${formatMs(performance.now() - tIn)} (${input.stats.intents} intents)`);
      let data: PipelineData | undefined = input.data;
      for (const [i, spec] of profile.stages.entries()) {
        const label = stageLabel(spec);
        if (opts.resume?.isCellDone(scale, i)) { data = await opts.resume.restoreCell(scale, i, data); continue; }
        const failedAt = brokeAt.get(i);
        if (failedAt !== undefined || !data) {
          const reason = failedAt !== undefined ? `broke at smaller scale ${failedAt}` : 'an earlier stage failed at this scale';
          for (let r = 0; r < profile.repeats; r++) records.push(emptyRecord(scale, spec, r, 'skipped', reason));
          opts.progress.log(`  n=${scale} ${label}: skipped (${reason})`);
          data = undefined;
          await opts.hooks?.cellDone?.({ scale, stageIndex: i, spec, outcome: { records, scales, breakingPoints, sections } });
          continue;
        }
        let current: PipelineData | undefined = data;
        for (let r = -profile.warmup; r < profile.repeats && current; r++) {
          opts.progress.stageStarted(scale, label);
          const { record, data: out } = await runStageOnce(pools[i], spec, profile, current, scale, Math.max(r, 0));
          current = out;
          if (r >= 0 || record.status !== 'ok') records.push(record);
          const summary = record.status === 'ok'
            ? `${formatMs(record.wallMs)}, peak RSS ${formatBytes(record.peakRssBytes)}, heap ${formatBytes(record.peakHeapUsedBytes)}, ${Math.round(record.itemsPerSec)} items/s${r < 0 ? ' (warm-up)' : ''}`
            : `${record.status.toUpperCase()} after ${formatMs(record.wallMs)}: ${record.reason}`;
          opts.progress.stageFinished(scale, label, summary);
          if (record.status !== 'ok') {
            brokeAt.set(i, scale);
            breakingPoints.push({ stage: spec.stage, method: spec.method, kind: record.status as BreakingPoint['kind'], lastPassingScale: lastPassed.get(i), firstFailingScale: scale, reason: record.reason ?? '' });
          }
        }
        if (current) {
          const cell = cellOf(i, scale);
          const medianMs = median(cell.map((x) => x.wallMs));
          const bp = superlinearBreak(spec, profile, prevMedian.get(i), scale, medianMs);
          prevMedian.set(i, { scale, medianMs });
          if (bp) softBreak(i, bp, cell);
        }
        if (current) lastPassed.set(i, scale);
        data = current ? { ...data, ...current } : undefined;
        if (data) await api.afterStage(i, spec, scale, pools[i], data, runStageOnce);
        await opts.hooks?.cellDone?.({ scale, stageIndex: i, spec, data, outcome: { records, scales, breakingPoints, sections } });
      }
      scales.push({ scale, quality: data ? computeQuality(data, { ...profile.quality, seed: profile.seed }) : {}, input: input.stats });
      const breach = data && labelsStage >= 0 ? qualityFloorBreach(scales[scales.length - 1].quality, profile) : undefined;
      if (breach) {
        const spec = profile.stages[labelsStage];
        softBreak(labelsStage, {
          stage: spec.stage, method: spec.method, kind: 'degraded', lastPassingScale: lastQualityPass, firstFailingScale: scale, ...breach,
          reason: `${breach.metric} ${breach.value.toFixed(3)} < floor ${breach.floor}`,
        }, cellOf(labelsStage, scale));
      } else if (data) lastQualityPass = scale;
      const map = data ? sampleClusterMap(data, scale, { seed: profile.seed, intents: input.intents }) : undefined;
      if (map) sections.clusterMap = map;
      await opts.hooks?.scaleDone?.({ scale, data, outcome: { records, scales, breakingPoints, sections } });
      // Escalation (breaking-point mode): stop once every stage of interest broke, or cannot run (an upstream one broke).
      const done = (i: number): boolean => [...brokeAt.keys()].some((j) => j <= i) || [...(softBroken.get(i) ?? [])].some((k) => !escalate?.until || escalate.until.includes(k as BreakingPoint['kind']));
      if (stopStages && profile.stages.every((s, i) => !stageNamed(s, stopStages) || done(i))) {
        opts.progress.log(`every stage of interest (${stopStages.join(', ')}) broke by n=${scale}; stopping the escalation`);
        break;
      }
    }
    for (const bp of breakingPoints) {
      const idx = profile.stages.findIndex((s) => s.stage === bp.stage && s.method === bp.method);
      const bisection = await bisectStageBreak(bp, idx, profile, pools, runStageOnce, (line) => opts.progress.log(line));
      if (bisection) {
        bp.bisection = bisection;
        opts.progress.log(`${bp.stage}/${bp.method} ${bp.kind}: passes at ${bisection.passScale}, breaks at ${bisection.failScale} (${(bisection.relativeWidth * 100).toFixed(1)}% bracket, ${bisection.steps.length} runs)`);
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
    api.addSections(sections);
    await api.stop();
  }
  return { records, scales, breakingPoints, sections };
}
