/**
 * Streaming mode (profile `execution: { mode: streaming, batchSize }`, issue 11): the row-wise stages at the head of
 * the pipeline (StageDefinition.splittable, or rowBatches such as embed/static's centring) take the scale in record
 * batches of batchSize rows: generate a batch, run each streamed stage on it, keep only the per-row fields the later
 * stages read (and truth and ids for scoring), drop the batch's text, go on. The stages that need all rows (cluster,
 * reduce, meta-cluster, label) then run once, as in batch mode, on the kept fields. A streamed stage's record sums its
 * batches' wall and CPU time and takes the largest peak RSS, so records read as they do in batch mode.
 *
 * Row-wise stages give each row the output its own input row gives, so both modes produce the same bits
 * (test/streaming-mode.test.ts); the counter `stream.peakTextBytes` is the most conversation and summary text held at once.
 */
import { performance } from 'node:perf_hooks';
import type { Matrix, PipelineData, PipelineField, StageDefinition, StageRecord, TextColumn } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { executionOf } from '../profile/execution-schema.js';
import type { CellExecutor } from './cell-runner.js';
import { ConversationPacker } from './sweep-input.js';
import { createConversationSource } from '../../generators/synthetic-conversations.js';
import { countDistinct } from '../../generators/generation-stats.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { fieldEntries, fieldSpec, isPerRow, setField, type RowEntry } from '../../pipeline/pipeline-fields.js';
import { concatTexts } from '../workers/row-split.js';
import { mergePercentiles } from '../workers/split-stage-run.js';
import { emptyRecord, stageLabel } from './stage-run.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Counters a streamed stage's record carries. */
export const STREAM_COUNTERS = {
  batches: 'stream.batches',
  batchSize: 'stream.batchSize',
  /** Most conversation + summary text bytes held at once (the batch's, plus any kept summaries). */
  peakTextBytes: 'stream.peakTextBytes',
  /** Most conversations whose text was held at once. */
  peakTextRows: 'stream.peakTextRows',
  /** rowBatches.finish time over the joined rows (added to the record's wall time). */
  finishMs: 'stream.finishMs',
} as const;

/** Which stages stream and which fields survive a batch. */
export interface StreamingPlan {
  /** The first `streamed` stages of the profile run per batch. */
  streamed: number;
  /** Per-row fields kept from each batch for the later stages and scoring. */
  keep: PipelineField[];
  defs: StageDefinition<unknown>[];
}

/**
 * The leading row-wise stages: splittable or rowBatches ones (a rowBatches stage ends the run: its rows are final only
 * after finish). Command stages never stream. Kept: what the later stages read, truth and ids, and the streamed
 * stages' non-text outputs (vectors, labels: the data the run is about, small beside the text).
 */
export async function streamingPlan(profile: SweepProfile): Promise<StreamingPlan> {
  const defs = await Promise.all(profile.stages.map((s) => loadStage(s.stage, s.method)));
  let streamed = 0;
  while (
    streamed < defs.length &&
    !profile.stages[streamed].command &&
    (defs[streamed].splittable || defs[streamed].rowBatches)
  ) {
    streamed++;
    if (defs[streamed - 1].rowBatches) break;
  }
  const keep = new Set<PipelineField>(['truth', 'conversationIds']);
  for (const d of defs.slice(streamed)) for (const f of d.reads) keep.add(f);
  for (const d of defs.slice(0, streamed)) for (const f of d.writes) if (fieldSpec(f).layout !== 'text') keep.add(f);
  return { streamed, keep: [...keep].filter(isPerRow), defs };
}

/**
 * Why this run cannot stream, or undefined. Streaming (or compareModes, which runs it too) reads synthetic input only
 * (a file's nested seeded sample is not read batch by batch yet), and runs its record batches on this machine.
 */
export function streamingRefusal(
  profile: SweepProfile,
  where: string,
  flags: { input?: boolean; queue?: boolean },
): string | undefined {
  const exec = executionOf(profile);
  if (exec.mode !== 'streaming' && !exec.compareModes) return undefined;
  const what = exec.mode === 'streaming' ? 'execution.mode streaming' : 'execution.compareModes';
  if (flags.input || profile.input.kind !== 'synthetic') {
    return `${where}: ${what} is not supported with ${flags.input ? '--input FILE' : `input.kind ${profile.input.kind}`} yet (it streams synthetic conversations only); set execution.mode: batch (and compareModes: false) in the profile, or drop ${flags.input ? '--input' : 'the file input'}`;
  }
  if (flags.queue)
    return `${where}: ${what} is not supported with --queue yet (record batches run on this machine); drop --queue, or set execution.mode: batch (and compareModes: false)`;
  return undefined;
}

/** What a streamed pass gives back. */
export interface StreamedScale {
  /** Per streamed stage, its measured repeats in order; a failed run is the last record (later repeats not run). */
  records: StageRecord[][];
  /** The kept fields of every row; undefined when a stage failed. */
  data?: PipelineData;
  intents: string[];
  stats: Record<string, number>;
  peakTextBytes: number;
  peakTextRows: number;
  batches: number;
}

/** Options of one streamed pass. */
export interface StreamOptions {
  repeats: number;
  /** Unmeasured runs of each stage on the first batch. */
  warmup: number;
  log?: (line: string) => void;
}

const textBytes = (t: TextColumn | undefined): number => (t ? t.offsets[t.offsets.length - 1] - t.offsets[0] : 0);

/**
 * Run the profile's streamed stages over one scale in record batches. `cells` runs one stage on one batch (its
 * profile has the streamed stages' batch options: streamingCellProfile). Never throws for a stage that fails.
 */
export async function runStreamedStages(
  profile: SweepProfile,
  cells: CellExecutor,
  scale: number,
  plan: StreamingPlan,
  opts: StreamOptions,
): Promise<StreamedScale> {
  if (profile.input.kind !== 'synthetic')
    throw new UserError(
      `execution.mode streaming: input.kind "${profile.input.kind}" cannot be streamed yet (synthetic input only); use execution.mode batch`,
    );
  const { batchSize } = executionOf(profile);
  const source = createConversationSource({ ...(profile.input.options as object), n: scale, seed: profile.seed });
  const ids = new Map<string, number>();
  const digests = new Float64Array(scale);
  const kept = new RowAccumulator(scale);
  const records: StageRecord[][] = plan.defs.slice(0, plan.streamed).map(() => []);
  const runs: StageRecord[][][] = records.map(() => Array.from({ length: opts.repeats }, () => []));
  const batches = Math.ceil(scale / batchSize);
  let totalBytes = 0;
  let peakTextBytes = 0;
  let peakTextRows = 0;
  let failed = false;
  let failedAt: { stage: number; batch: number } | undefined;
  for (let b = 0; b < batches && !failed; b++) {
    const from = b * batchSize;
    const to = Math.min(scale, from + batchSize);
    const packer = new ConversationPacker(Infinity, ids);
    for (let i = from; i < to; i++) packer.add(source.at(i));
    digests.set(packer.digests48(), from);
    let current: PipelineData = packer.finish().data;
    totalBytes += textBytes(current.conversations);
    for (let s = 0; s < plan.streamed && !failed; s++) {
      for (let r = b === 0 ? -opts.warmup : 0; r < opts.repeats; r++) {
        const { record, data: out } = await cells.run(s, current, scale, Math.max(r, 0), `b${b}`);
        if (r >= 0) runs[s][r].push(record);
        if (record.status !== 'ok' || !out) {
          record.reason = `record batch ${b + 1}/${batches} (rows ${from}-${to - 1}): ${record.reason ?? 'no output'}`;
          if (r < 0) runs[s][0].push(record); // a failing warm-up is the cell's result, as in batch mode
          failed = true;
          failedAt = { stage: s, batch: b };
          break;
        }
        current = { ...current, ...out };
      }
    }
    const held = textBytes(current.conversations) + textBytes(current.summaries) + kept.textBytes();
    if (held > peakTextBytes) peakTextBytes = held;
    if (to - from > peakTextRows) peakTextRows = to - from;
    if (!failed) kept.add(current, plan.keep);
    opts.log?.(`  n=${scale} record batch ${b + 1}/${batches}: rows ${from}-${to - 1}${failed ? ' (failed)' : ''}`);
  }
  const data: PipelineData | undefined = failed ? undefined : kept.finish();
  // rowBatches stages: the pass across all rows, once, over the joined outputs.
  const finishMs = new Array<number>(plan.streamed).fill(0);
  const finishCpuMs = new Array<number>(plan.streamed).fill(0);
  for (let s = 0; s < plan.streamed && data; s++) {
    const rb = plan.defs[s].rowBatches;
    if (!rb) continue;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    rb.finish(data, profile.stages[s].options);
    const c = process.cpuUsage(c0);
    finishMs[s] = performance.now() - t0;
    finishCpuMs[s] = (c.user + c.system) / 1000;
  }
  for (let s = 0; s < plan.streamed; s++) {
    if (failedAt && s !== failedAt.stage) {
      // The stages run batch by batch together: when one fails, the others stop with it, short of the scale.
      const reason = `streaming: ${stageLabel(profile.stages[failedAt.stage])} failed in record batch ${failedAt.batch + 1}/${batches}, so this stage's batches stopped there`;
      records[s] = Array.from({ length: opts.repeats }, (_, r) =>
        emptyRecord(scale, profile.stages[s], r, 'skipped', reason),
      );
      continue;
    }
    for (const parts of runs[s]) {
      if (parts.length === 0) continue;
      const rec = mergeBatchRecords(parts, scale);
      rec.counters[STREAM_COUNTERS.batches] = parts.length;
      rec.counters[STREAM_COUNTERS.batchSize] = batchSize;
      rec.counters[STREAM_COUNTERS.peakTextBytes] = peakTextBytes;
      rec.counters[STREAM_COUNTERS.peakTextRows] = peakTextRows;
      if (plan.defs[s].rowBatches && rec.status === 'ok') {
        rec.counters[STREAM_COUNTERS.finishMs] = finishMs[s];
        rec.wallMs += finishMs[s];
        rec.cpuUserMs += finishCpuMs[s];
        rec.itemsPerSec = scale / Math.max(rec.wallMs / 1000, 1e-9);
      }
      records[s].push(rec);
    }
  }
  const stats = {
    conversations: scale,
    uniqueFraction: scale ? countDistinct(digests, scale) / scale : 1,
    meanBytes: scale ? totalBytes / scale : 0,
    intents: ids.size,
  };
  return { records, data, intents: [...ids.keys()], stats, peakTextBytes, peakTextRows, batches };
}

/** The profile a streamed stage's cells run with: rowBatches stages get their batch options. */
export function streamingCellProfile(profile: SweepProfile, plan: StreamingPlan): SweepProfile {
  return {
    ...profile,
    stages: profile.stages.map((s, i) => {
      const rb = i < plan.streamed ? plan.defs[i].rowBatches : undefined;
      return rb ? { ...s, options: rb.batchOptions(s.options) } : s;
    }),
  };
}

/** One record from a stage's runs over every batch: times and counters summed, peaks the largest, timelines in sequence. */
export function mergeBatchRecords(parts: StageRecord[], scale: number): StageRecord {
  const first = parts[0];
  const last = parts[parts.length - 1];
  const sum = (f: (r: StageRecord) => number): number => parts.reduce((a, r) => a + f(r), 0);
  const max = (f: (r: StageRecord) => number | undefined): number => Math.max(0, ...parts.map((r) => f(r) ?? 0));
  const wallMs = sum((r) => r.wallMs);
  const counters: Record<string, number> = {};
  for (const r of parts) for (const [k, v] of Object.entries(r.counters)) counters[k] = (counters[k] ?? 0) + v;
  const observations: StageRecord['observations'] = {};
  for (const k of new Set(parts.flatMap((r) => Object.keys(r.observations))))
    observations[k] = mergePercentiles(parts.flatMap((r) => (r.observations[k] ? [r.observations[k]] : [])));
  const rssTimeline: StageRecord['rssTimeline'] = [];
  const workerMemory: StageRecord['workerMemory'] = [];
  let at = 0;
  parts.forEach((r, b) => {
    for (const p of r.rssTimeline) rssTimeline.push({ ...p, tMs: p.tMs + at });
    for (const m of r.workerMemory)
      workerMemory.push({ ...m, tMs: m.tMs + at, label: `b${b}${m.label ? ` ${m.label}` : ''}` });
    at += r.wallMs;
  });
  const gcs = parts.flatMap((r) => (r.gc ? [r.gc] : []));
  const elus = parts.flatMap((r) => (r.eventLoopUtilization !== undefined ? [r.eventLoopUtilization] : []));
  const vmHwm = max((r) => r.vmHwmBytes);
  return {
    ...first,
    status: last.status,
    ...(last.reason !== undefined ? { reason: last.reason } : {}),
    items: last.status === 'ok' ? scale : sum((r) => (r.status === 'ok' ? r.items : 0)),
    wallMs,
    cpuUserMs: sum((r) => r.cpuUserMs),
    cpuSystemMs: sum((r) => r.cpuSystemMs),
    peakRssBytes: max((r) => r.peakRssBytes),
    baselineRssBytes: first.baselineRssBytes,
    peakRssDeltaBytes: max((r) => r.peakRssDeltaBytes),
    ...(vmHwm ? { vmHwmBytes: vmHwm } : {}),
    peakWorkerExternalBytes: max((r) => r.peakWorkerExternalBytes),
    peakHeapUsedBytes: max((r) => r.peakHeapUsedBytes),
    peakArrayBuffersBytes: max((r) => r.peakArrayBuffersBytes),
    itemsPerSec: scale / Math.max(wallMs / 1000, 1e-9),
    ...(elus.length ? { eventLoopUtilization: elus.reduce((a, x) => a + x, 0) / elus.length } : {}),
    ...(gcs.length
      ? {
          gc: {
            count: gcs.reduce((a, g) => a + g.count, 0),
            totalMs: gcs.reduce((a, g) => a + g.totalMs, 0),
            maxMs: Math.max(...gcs.map((g) => g.maxMs)),
          },
        }
      : {}),
    rssTimeline,
    workerMemory,
    counters,
    observations,
  };
}

/**
 * The kept per-row fields of every batch, in row order. Matrices and numeric columns go into one buffer of the
 * scale's size, allocated at the first batch (no join at the end, so no second copy of the vectors); text is joined.
 */
class RowAccumulator {
  private readonly fixed = new Map<PipelineField, RowEntry>();
  private readonly texts = new Map<PipelineField, TextColumn[]>();
  private rows = 0;
  private heldText = 0;

  constructor(private readonly n: number) {}

  textBytes(): number {
    return this.heldText;
  }

  add(batch: PipelineData, fields: readonly PipelineField[]): void {
    for (const e of fieldEntries(batch, fields)) {
      switch (e.layout) {
        case 'text': {
          const parts = this.texts.get(e.field) ?? [];
          parts.push(e.value);
          this.texts.set(e.field, parts);
          if (e.field !== 'conversationIds') this.heldText += textBytes(e.value);
          break;
        }
        case 'matrix':
          this.put(
            e.field,
            e.value.data,
            () => ({
              field: e.field,
              layout: 'matrix',
              value: {
                rows: this.n,
                cols: e.value.cols,
                data: new Float32Array(this.n * e.value.cols),
              } satisfies Matrix,
            }),
            e.value.cols,
          );
          break;
        case 'int32':
          this.put(e.field, e.value, () => ({ field: e.field, layout: 'int32', value: new Int32Array(this.n) }), 1);
          break;
        case 'float32':
          this.put(e.field, e.value, () => ({ field: e.field, layout: 'float32', value: new Float32Array(this.n) }), 1);
          break;
        default:
          break; // whole-scale fields: a row-wise stage cannot write them (checked for module stages)
      }
    }
    this.rows += batch.n;
  }

  private put(field: PipelineField, values: Int32Array | Float32Array, make: () => RowEntry, width: number): void {
    let entry = this.fixed.get(field);
    if (!entry) {
      entry = make();
      this.fixed.set(field, entry);
    }
    const target = entry.layout === 'matrix' ? entry.value.data : (entry.value as Int32Array | Float32Array);
    (target as Int32Array).set(values, this.rows * width);
  }

  finish(): PipelineData {
    if (this.rows !== this.n) throw new Error(`streaming: ${this.rows} rows kept of ${this.n}`);
    const out: PipelineData = { n: this.n };
    for (const entry of this.fixed.values()) setField(out, entry);
    for (const [field, parts] of this.texts) setField(out, { field, layout: 'text', value: concatTexts(parts) });
    return out;
  }
}
