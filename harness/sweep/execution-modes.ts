/**
 * execution.compareModes (issue 11): after a scale ran in the profile's own mode, run it once more in the other mode
 * (batch: the whole scale in memory; streaming: record batches, harness/sweep/streaming-scale.ts) and put both modes'
 * time and peak RSS per stage side by side in `sections.executionModes`, with whether their labels and vectors agree
 * bit for bit. The extra run is measured like a cell but not recorded as one (repeat statistics stay the profile's).
 */
import type { ExecutionModeFigures, ExecutionModesSection, PipelineData, StageRecord, TextColumn } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { CellExecutor } from './cell-runner.js';
import { buildScaleInput, InputTooLargeError } from './sweep-input.js';
import { runStreamedStages, type StreamingPlan } from './streaming-scale.js';
import { stageLabel } from './stage-run.js';

/** One run of a scale in one mode. */
export interface ModeRun {
  /** Per stage of the profile; undefined where it did not run (an earlier stage failed). */
  stages: (ExecutionModeFigures | undefined)[];
  data?: PipelineData;
  peakTextBytes?: number;
}

const figures = (r: StageRecord): ExecutionModeFigures => ({
  status: r.status,
  wallMs: r.wallMs,
  cpuMs: r.cpuUserMs + r.cpuSystemMs,
  peakRssBytes: r.peakRssBytes,
});
const textBytes = (t: TextColumn | undefined): number => (t ? t.offsets[t.offsets.length - 1] - t.offsets[0] : 0);

/** Run `scale` once in `mode`: each stage once (repeat 0), stopping at the first stage that fails. */
export async function measureOtherMode(
  mode: 'batch' | 'streaming',
  profile: SweepProfile,
  cells: CellExecutor,
  streaming: { plan: StreamingPlan; cells: CellExecutor },
  scale: number,
): Promise<ModeRun> {
  const stages: (ExecutionModeFigures | undefined)[] = profile.stages.map(() => undefined);
  let data: PipelineData | undefined;
  let first = 0;
  let peakTextBytes: number | undefined;
  if (mode === 'batch') {
    try {
      data = (await buildScaleInput(profile, scale)).data;
      peakTextBytes = textBytes(data.conversations);
    } catch (err) {
      if (!(err instanceof InputTooLargeError)) throw err;
      stages[0] = { status: 'error', wallMs: 0, cpuMs: 0, peakRssBytes: 0 };
      return { stages };
    }
  } else {
    const pass = await runStreamedStages(profile, streaming.cells, scale, streaming.plan, { repeats: 1, warmup: 0 });
    pass.records.forEach((rs, i) => {
      if (rs[0]) stages[i] = figures(rs[0]);
    });
    data = pass.data;
    first = streaming.plan.streamed;
    peakTextBytes = pass.peakTextBytes;
  }
  for (let i = first; i < profile.stages.length && data; i++) {
    const { record, data: out } = await cells.run(i, data, scale, 0);
    stages[i] = figures(record);
    data = record.status === 'ok' && out ? { ...data, ...out } : undefined;
  }
  return { stages, data, peakTextBytes };
}

/** True when both have the field and its bytes are equal (false when only one has it). */
function sameBits(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean | undefined {
  if (!a && !b) return undefined;
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

/** The section row of one scale: the run's own records (repeat 0) beside the other mode's run. */
export function modeComparisonRow(
  profile: SweepProfile,
  scale: number,
  primary: 'batch' | 'streaming',
  records: StageRecord[],
  primaryData: PipelineData | undefined,
  other: ModeRun,
  streamed: number,
): ExecutionModesSection['scales'][number] {
  const own = profile.stages.map((spec) =>
    records.find((r) => r.scale === scale && r.stage === spec.stage && r.method === spec.method && r.repeat === 0),
  );
  const otherMode = primary === 'batch' ? 'streaming' : 'batch';
  const stages = profile.stages.map((spec, i) => {
    const mine = own[i] && own[i].status !== 'skipped' ? figures(own[i]) : undefined;
    return {
      stage: stageLabel(spec),
      streamed: i < streamed,
      ...(mine ? { [primary]: mine } : {}),
      ...(other.stages[i] ? { [otherMode]: other.stages[i] } : {}),
    };
  });
  const ownText =
    primary === 'streaming'
      ? own.find((r) => r?.counters['stream.peakTextBytes'] !== undefined)?.counters['stream.peakTextBytes']
      : undefined;
  const peakTextBytes =
    primary === 'batch'
      ? {
          ...(other.peakTextBytes !== undefined ? { streaming: other.peakTextBytes } : {}),
          ...(primaryData?.conversations ? { batch: textBytes(primaryData.conversations) } : {}),
        }
      : {
          ...(other.peakTextBytes !== undefined ? { batch: other.peakTextBytes } : {}),
          ...(ownText !== undefined ? { streaming: ownText } : {}),
        };
  let identical: boolean | undefined;
  if (primaryData && other.data) {
    const checks = [
      sameBits(primaryData.labels, other.data.labels),
      sameBits(primaryData.embeddings?.data, other.data.embeddings?.data),
      sameBits(primaryData.reduced?.data, other.data.reduced?.data),
    ];
    identical = checks.every((c) => c !== false);
  }
  return { scale, stages, peakTextBytes, ...(identical !== undefined ? { identical } : {}) };
}
