/**
 * The sweep: for each scale (runScale), build the input and run each stage's cell (runCell: its repeats, each one
 * measured by the cell executor, harness/sweep/cell-runner.ts), then score quality. A stage that runs out of memory,
 * times out or throws is recorded as such; its larger scales (and the stages that need its output) are skipped and
 * marked. The sweep itself never crashes. Everything the sweep knows about a stage lives in one StageState.
 */
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import type { BreakingPoint, PipelineData, SweepOutcome, StageRecord } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import { buildScaleInput, InputTooLargeError, type ScaleInput } from './sweep-input.js';
import { computeQuality } from '../../pipeline/metrics/quality-report.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import type { ProgressReporter } from './progress-reporter.js';
import { formatBytes, formatMs } from '../../pipeline/support/format-units.js';
import { isMeasuredStatus } from './cell-status.js';
import { breakingPointsSpec, qualityFloorBreach, stageNamed, superlinearBreak } from './breaking-point-detection.js';
import { bisectStageBreak } from './breaking-point-bisection.js';
import { sampleClusterMap } from './cluster-map-sample.js';
import { startSweepApi, type SweepApi } from './sweep-api.js';
import type { SweepHooks, SweepResume } from './sweep-hooks.js';
import { createCellExecutor, type CellExecutor } from './cell-runner.js';
import { emptyRecord, stageLabel } from './stage-run.js';
import { executionOf } from '../profile/execution-schema.js';
import { runStreamedStages, streamingCellProfile, streamingPlan, type StreamingPlan } from './streaming-scale.js';
import { measureOtherMode, modeComparisonRow } from './execution-modes.js';

/** Options for a sweep that are not part of the profile. */
export interface SweepRunOptions {
  progress: ProgressReporter;
  /** Called after each cell and scale (checkpoints, partial results.json, storage accounting: harness/sweep/sweep-hooks.ts). */
  hooks?: SweepHooks;
  /** Continue an interrupted run: its completed cells are kept, not re-run (harness/sweep/sweep-checkpoint.ts). */
  resume?: SweepResume;
  /** Folder for `isolation: process` cell input/output files (default: a temp folder); removed at the end. */
  cellDir?: string;
  /** Run the cells elsewhere (a distributed sweep: harness/queue/queue-cell-executor.ts) instead of here. */
  executor?: CellExecutor;
}

/** What the sweep knows about one stage across scales. */
export interface StageState {
  index: number;
  spec: StageSpec;
  label: string;
  /** First scale where it failed (oom, timeout, error): its larger scales are skipped. */
  brokeAt?: number;
  lastPassed?: number;
  /** Soft breaking-point kinds already recorded (superlinear, degraded): the stage keeps running. */
  softBroken: Set<string>;
  /** Median wall time at the last measured scale, for the super-linear check. */
  prevMedian?: { scale: number; medianMs: number };
}

interface Sweep {
  profile: SweepProfile;
  opts: SweepRunOptions;
  api: SweepApi;
  cells: CellExecutor;
  stages: StageState[];
  outcome: Required<SweepOutcome>;
  /** The last stage that writes labels (quality is judged against it), or -1. */
  labelsStage: number;
  /** Streaming mode or compareModes: which stages stream, and the executor that runs them on one record batch. */
  streaming?: { plan: StreamingPlan; cells: CellExecutor };
  lastQualityPass?: number;
}

/** Run a whole sweep. The cell executor (pools or child processes) is closed at the end, whatever happens. */
export async function runSweep(input: SweepProfile, opts: SweepRunOptions): Promise<SweepOutcome> {
  // api: simulated starts the simulator here and puts its URL into the API stages' options (harness/sweep/sweep-api.ts).
  const api = await startSweepApi(input, opts.progress);
  const sweep = await startSweep(api, opts);
  try {
    for (const scale of sweep.profile.scales) {
      if (opts.resume?.isScaleDone(scale)) continue; // measured before the interruption
      if ((await runScale(sweep, scale)) === 'stop') break;
    }
    await bisectBreakingPoints(sweep);
  } finally {
    await sweep.cells.close();
    await sweep.streaming?.cells.close();
    api.addSections(sweep.outcome.sections);
    await api.stop();
  }
  return sweep.outcome;
}

async function startSweep(api: SweepApi, opts: SweepRunOptions): Promise<Sweep> {
  const profile = api.profile;
  const prior = opts.resume?.outcome;
  const outcome = {
    records: [...(prior?.records ?? [])],
    scales: [...(prior?.scales ?? [])],
    breakingPoints: [...(prior?.breakingPoints ?? [])],
    sections: { ...(prior?.sections ?? {}) },
  };
  const stages: StageState[] = profile.stages.map((spec, index) => ({
    index,
    spec,
    label: stageLabel(spec),
    softBroken: new Set<string>(),
  }));
  const defs = await Promise.all(profile.stages.map((s) => loadStage(s.stage, s.method)));
  const sweep: Sweep = {
    profile,
    opts,
    api,
    cells: opts.executor ?? createCellExecutor(profile, opts.cellDir),
    stages,
    outcome,
    labelsStage: defs.map((d) => d.writes.includes('labels')).lastIndexOf(true),
  };
  const exec = executionOf(profile);
  if (exec.mode === 'streaming' || exec.compareModes) {
    const plan = await streamingPlan(profile);
    // Its own executor: rowBatches stages run each batch with their batch options (embed/static: centre at the end).
    sweep.streaming = {
      plan,
      cells: opts.executor ?? createCellExecutor(streamingCellProfile(profile, plan), opts.cellDir),
    };
    if (exec.mode === 'streaming' && plan.streamed === 0)
      opts.progress.log(
        `execution.mode streaming: the first stage (${stageLabel(profile.stages[0])}) is not row-wise, so no stage streams; every stage gets all rows`,
      );
  }
  // A resumed run: rebuild each stage's state from what was measured before the interruption.
  opts.resume?.restoreStageState(stages);
  for (const st of stages) {
    const last = Math.max(
      0,
      ...outcome.records.filter((x) => isStage(x, st) && isMeasuredStatus(x.status)).map((x) => x.scale),
    );
    if (last > 0) st.prevMedian = { scale: last, medianMs: median(measuredCell(sweep, st, last).map((x) => x.wallMs)) };
    for (const bp of outcome.breakingPoints)
      if (isStage(bp, st) && (bp.kind === 'superlinear' || bp.kind === 'degraded')) st.softBroken.add(bp.kind);
  }
  for (const sc of outcome.scales)
    if (sc.quality.clusterCount !== undefined && !qualityFloorBreach(sc.quality, profile))
      sweep.lastQualityPass = sc.scale;
  return sweep;
}

const isStage = (x: { stage: string; method: string }, st: StageState): boolean =>
  x.stage === st.spec.stage && x.method === st.spec.method;
const measuredCell = (sweep: Sweep, st: StageState, scale: number): StageRecord[] =>
  sweep.outcome.records.filter((x) => x.scale === scale && isStage(x, st) && isMeasuredStatus(x.status));

/** One scale: input, every stage's cell, quality, hooks. 'stop' ends the sweep (input too large, escalation done). */
async function runScale(sweep: Sweep, scale: number): Promise<'next' | 'stop'> {
  const { profile, opts, outcome } = sweep;
  if (executionOf(profile).mode === 'streaming' && sweep.streaming && sweep.streaming.plan.streamed > 0)
    return runStreamingScale(sweep, scale, sweep.streaming);
  const tIn = performance.now();
  let input: ScaleInput;
  try {
    input = await buildScaleInput(profile, scale);
  } catch (err) {
    if (!(err instanceof InputTooLargeError)) throw err;
    // The harness's own limit is a result too: every stage at this scale is an error, larger scales are not tried.
    const reason = `input: ${err.message}`;
    for (const st of sweep.stages)
      for (let r = 0; r < profile.repeats; r++) outcome.records.push(emptyRecord(scale, st.spec, r, 'error', reason));
    const first = sweep.stages[0];
    outcome.breakingPoints.push({
      stage: first.spec.stage,
      method: first.spec.method,
      kind: 'error',
      lastPassingScale: first.lastPassed,
      firstFailingScale: scale,
      reason,
    });
    opts.progress.log(`scale ${scale}: ${reason}; larger scales skipped`);
    return 'stop';
  }
  opts.progress.log(
    `scale ${scale}: input ready in ${formatMs(performance.now() - tIn)} (${input.stats.intents} intents)`,
  );
  let data: PipelineData | undefined = input.data;
  for (const st of sweep.stages) {
    data = opts.resume?.isCellDone(scale, st.index)
      ? await opts.resume.restoreCell(scale, st.index, data)
      : await runCell(sweep, st, scale, data);
  }
  return finishScale(sweep, scale, data, input);
}

/** Quality, the cluster map, the other mode (compareModes), hooks; then whether the sweep goes on. */
async function finishScale(
  sweep: Sweep,
  scale: number,
  data: PipelineData | undefined,
  input: Omit<ScaleInput, 'data'>,
): Promise<'next' | 'stop'> {
  const { profile, opts, outcome } = sweep;
  outcome.scales.push({
    scale,
    quality: data ? computeQuality(data, { ...profile.quality, seed: profile.seed }) : {},
    input: input.stats,
  });
  judgeQuality(sweep, scale, data);
  const map = data ? sampleClusterMap(data, scale, { seed: profile.seed, intents: input.intents }) : undefined;
  if (map) outcome.sections.clusterMap = map;
  const exec = executionOf(profile);
  if (exec.compareModes && sweep.streaming) {
    const primary = exec.mode === 'streaming' && sweep.streaming.plan.streamed > 0 ? 'streaming' : 'batch';
    const other = primary === 'streaming' ? 'batch' : 'streaming';
    opts.progress.log(
      `scale ${scale}: measuring ${other} mode once for the side-by-side comparison (execution.compareModes)`,
    );
    const measured = await measureOtherMode(other, profile, sweep.cells, sweep.streaming, scale);
    const section = (outcome.sections.executionModes ??= { batchSize: exec.batchSize, primary, scales: [] });
    section.scales.push(
      modeComparisonRow(profile, scale, primary, outcome.records, data, measured, sweep.streaming.plan.streamed),
    );
  }
  await opts.hooks?.scaleDone?.({ scale, data, outcome, intents: input.intents });
  return escalationDone(sweep, scale) ? 'stop' : 'next';
}

/**
 * One scale in streaming mode: the streamed stages over record batches (harness/sweep/streaming-scale.ts), their
 * records accepted as a batch-mode cell's would be, then the stages that need all rows on the kept fields.
 */
async function runStreamingScale(
  sweep: Sweep,
  scale: number,
  streaming: NonNullable<Sweep['streaming']>,
): Promise<'next' | 'stop'> {
  const { profile, opts, outcome } = sweep;
  const { plan } = streaming;
  // A resumed streaming scale is measured again whole: records of its cells from before the interruption go.
  if (outcome.records.some((x) => x.scale === scale))
    outcome.records = outcome.records.filter((x) => x.scale !== scale);
  const head = sweep.stages.slice(0, plan.streamed);
  let data: PipelineData | undefined;
  let input: Omit<ScaleInput, 'data'> = { intents: [], stats: {} };
  if (head.some((st) => st.brokeAt !== undefined)) {
    for (const st of head) data = await runCell(sweep, st, scale, undefined);
  } else {
    const tIn = performance.now();
    for (const st of head) opts.progress.stageStarted(scale, st.label);
    const pass = await runStreamedStages(profile, streaming.cells, scale, plan, {
      repeats: profile.repeats,
      warmup: profile.warmup,
    });
    opts.progress.log(
      `scale ${scale}: ${plan.streamed} stage(s) streamed in ${pass.batches} record batches of ${executionOf(profile).batchSize} in ${formatMs(performance.now() - tIn)}; at most ${formatBytes(pass.peakTextBytes)} of text held (${pass.peakTextRows} conversations)`,
    );
    input = { intents: pass.intents, stats: pass.stats };
    data = pass.data;
    for (const st of head) {
      const records = pass.records[st.index];
      const ok = records.length === profile.repeats && records.every((x) => x.status === 'ok');
      data = await runCell(sweep, st, scale, ok ? data : undefined, { records, data: ok ? data : undefined });
      if (!ok) data = undefined;
    }
  }
  for (const st of sweep.stages.slice(plan.streamed)) data = await runCell(sweep, st, scale, data);
  return finishScale(sweep, scale, data, input);
}

/**
 * One stage at one scale: warm-ups and repeats, breaking points; returns the data with its output (undefined if it
 * failed). `measured`: the cell already ran (a streamed stage over record batches); its records are accepted as they are.
 */
async function runCell(
  sweep: Sweep,
  st: StageState,
  scale: number,
  data: PipelineData | undefined,
  measured?: { records: StageRecord[]; data?: PipelineData },
): Promise<PipelineData | undefined> {
  const { profile, opts, outcome } = sweep;
  const cellDone = (out?: PipelineData): Promise<void> | void =>
    opts.hooks?.cellDone?.({ scale, stageIndex: st.index, spec: st.spec, data: out, outcome });
  if (measured && measured.records.length > 0) {
    for (const record of measured.records) {
      outcome.records.push(record);
      opts.progress.stageFinished(scale, st.label, recordSummary(record, false));
      if (record.status !== 'ok' && record.status !== 'skipped') {
        st.brokeAt = scale;
        outcome.breakingPoints.push({
          stage: st.spec.stage,
          method: st.spec.method,
          kind: record.status,
          lastPassingScale: st.lastPassed,
          firstFailingScale: scale,
          reason: record.reason ?? '',
        });
      }
    }
    if (!measured.data) {
      await cellDone();
      return undefined;
    }
    return acceptCell(sweep, st, scale, measured.data, measured.data);
  }
  if (st.brokeAt !== undefined || !data) {
    const reason =
      st.brokeAt !== undefined ? `broke at smaller scale ${st.brokeAt}` : 'an earlier stage failed at this scale';
    for (let r = 0; r < profile.repeats; r++) outcome.records.push(emptyRecord(scale, st.spec, r, 'skipped', reason));
    opts.progress.log(`  n=${scale} ${st.label}: skipped (${reason})`);
    await cellDone();
    return undefined;
  }
  let current: PipelineData | undefined = data;
  const recordRun = (record: StageRecord, warmup: boolean): void => {
    if (!warmup || record.status !== 'ok') outcome.records.push(record);
    opts.progress.stageFinished(scale, st.label, recordSummary(record, warmup));
    if (record.status !== 'ok') {
      st.brokeAt = scale;
      outcome.breakingPoints.push({
        stage: st.spec.stage,
        method: st.spec.method,
        kind: record.status as BreakingPoint['kind'],
        lastPassingScale: st.lastPassed,
        firstFailingScale: scale,
        reason: record.reason ?? '',
      });
    }
  };
  if (sweep.cells.runRepeats) {
    // Repeats at once (a distributed sweep). Warm-ups are not sent: each cell starts fresh on its worker, so a warm-up
    // would warm nothing the repeat uses. Records stop at the first failing repeat, as a sequential run stops there.
    opts.progress.stageStarted(scale, st.label);
    const runs = await sweep.cells.runRepeats(st.index, current, scale, profile.repeats);
    const failed = runs.findIndex((x) => x.record.status !== 'ok');
    for (const x of failed < 0 ? runs : runs.slice(0, failed + 1)) recordRun(x.record, false);
    current = failed < 0 ? runs[runs.length - 1]?.data : undefined;
  } else {
    for (let r = -profile.warmup; r < profile.repeats && current; r++) {
      opts.progress.stageStarted(scale, st.label);
      const { record, data: out } = await sweep.cells.run(st.index, current, scale, Math.max(r, 0));
      current = out;
      recordRun(record, r < 0);
    }
  }
  if (!current) {
    await cellDone();
    return undefined;
  }
  return acceptCell(sweep, st, scale, data, current);
}

/** After a cell's runs ended ok: the super-linear check, API bookkeeping, the cellDone hooks; returns the merged data. */
async function acceptCell(
  sweep: Sweep,
  st: StageState,
  scale: number,
  data: PipelineData,
  current: PipelineData,
): Promise<PipelineData> {
  const { profile, opts, outcome } = sweep;
  const cell = measuredCell(sweep, st, scale);
  const medianMs = median(cell.map((x) => x.wallMs));
  const bp = superlinearBreak(st.spec, profile, st.prevMedian, scale, medianMs);
  st.prevMedian = { scale, medianMs };
  if (bp) softBreak(sweep, st, bp, cell);
  st.lastPassed = scale;
  const merged = { ...data, ...current };
  await sweep.api.afterStage(st.index, st.spec, scale, merged);
  await opts.hooks?.cellDone?.({ scale, stageIndex: st.index, spec: st.spec, data: merged, outcome });
  return merged;
}

function recordSummary(record: StageRecord, warmup: boolean): string {
  return record.status === 'ok'
    ? `${formatMs(record.wallMs)}, peak RSS ${formatBytes(record.peakRssBytes)} (+${formatBytes(record.peakRssDeltaBytes ?? 0)}), heap ${formatBytes(record.peakHeapUsedBytes)}, ${Math.round(record.itemsPerSec)} items/s${warmup ? ' (warm-up)' : ''}`
    : `${record.status.toUpperCase()} after ${formatMs(record.wallMs)}: ${record.reason}`;
}

/** Soft breaking points (superlinear, degraded): the cell's ok records take the kind; recorded once per stage and kind. */
function softBreak(sweep: Sweep, st: StageState, bp: BreakingPoint, cell: StageRecord[]): void {
  for (const x of cell) if (x.status === 'ok') Object.assign(x, { status: bp.kind, reason: bp.reason });
  if (!st.softBroken.has(bp.kind)) sweep.outcome.breakingPoints.push(bp);
  st.softBroken.add(bp.kind);
  sweep.opts.progress.log(`  n=${bp.firstFailingScale} ${st.label}: ${bp.kind.toUpperCase()}: ${bp.reason}`);
}

/** The quality floor, judged against the stage that wrote the labels. */
function judgeQuality(sweep: Sweep, scale: number, data: PipelineData | undefined): void {
  const scaleSummary = sweep.outcome.scales[sweep.outcome.scales.length - 1];
  const breach = data && sweep.labelsStage >= 0 ? qualityFloorBreach(scaleSummary.quality, sweep.profile) : undefined;
  if (breach) {
    const st = sweep.stages[sweep.labelsStage];
    softBreak(
      sweep,
      st,
      {
        stage: st.spec.stage,
        method: st.spec.method,
        kind: 'degraded',
        lastPassingScale: sweep.lastQualityPass,
        firstFailingScale: scale,
        ...breach,
        reason: `${breach.metric} ${breach.value.toFixed(3)} < floor ${breach.floor}`,
      },
      measuredCell(sweep, st, scale),
    );
  } else if (data) sweep.lastQualityPass = scale;
}

/** Escalation (breaking-point mode): stop once every stage of interest broke, or cannot run (an upstream one broke). */
function escalationDone(sweep: Sweep, scale: number): boolean {
  const escalate = breakingPointsSpec(sweep.profile).escalate;
  if (!escalate) return false;
  const names = escalate.stages ?? sweep.stages.map((s) => s.label);
  const done = (st: StageState): boolean =>
    sweep.stages.some((u) => u.index <= st.index && u.brokeAt !== undefined) ||
    [...st.softBroken].some((k) => !escalate.until || escalate.until.includes(k as BreakingPoint['kind']));
  if (!sweep.stages.every((st) => !stageNamed(st.spec, names) || done(st))) return false;
  sweep.opts.progress.log(`every stage of interest (${names.join(', ')}) broke by n=${scale}; stopping the escalation`);
  return true;
}

async function bisectBreakingPoints(sweep: Sweep): Promise<void> {
  for (const bp of sweep.outcome.breakingPoints) {
    const idx = sweep.profile.stages.findIndex((s) => s.stage === bp.stage && s.method === bp.method);
    const bisection = await bisectStageBreak(bp, idx, sweep.profile, sweep.cells, (line) =>
      sweep.opts.progress.log(line),
    );
    if (bisection) {
      bp.bisection = bisection;
      sweep.opts.progress.log(
        `${bp.stage}/${bp.method} ${bp.kind}: passes at ${bisection.passScale}, breaks at ${bisection.failScale} (${(bisection.relativeWidth * 100).toFixed(1)}% bracket, ${bisection.steps.length} runs)`,
      );
    }
  }
}
