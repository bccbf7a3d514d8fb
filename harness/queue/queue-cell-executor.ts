/**
 * The sweep's cells on the queue: a CellExecutor (harness/sweep/cell-runner.ts) whose `run` writes the cell's input
 * into the shared store, enqueues the cell spec as a BullMQ job, and reads the output back from the store when a
 * worker has measured it. The sweep loop itself is unchanged, so stage order, skip-after-break, quality scoring,
 * checkpoints and bisection behave exactly as in a local run; only where a cell runs differs.
 *
 * Job ids come from the spec (sweep id, profile digest, scale, stage, repeat, seed, input key): enqueueing the same
 * sweep again, or resuming it, re-uses the jobs already finished instead of running them twice.
 */
import { rmSync } from 'node:fs';
import type { PipelineData, StageRecord } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { cellSpec, profileDigest, readCellFile, writeCellInput, type CellExecutor, type CellResult, type CellSpec } from '../sweep/cell-runner.js';
import { emptyRecord } from '../sweep/stage-run.js';
import { pickFields } from '../../pipeline/pipeline-fields.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import type { CellQueue } from './cell-queue.js';
import type { CellStore } from './cell-store.js';
import type { WorkerIdentity } from './queue-worker.js';

/** A cell as it travels on the queue: the local spec with store keys instead of paths. */
export interface QueuedCellSpec {
  sweepId: string;
  cell: Omit<CellSpec, 'inputPath' | 'outputPath'>;
  inputKey: string;
  outputKey: string;
}

/** Build the executor; `onMachine` receives each worker's machine facts once per label. */
export function queueCellExecutor(
  profile: SweepProfile,
  sweepId: string,
  queue: CellQueue<QueuedCellSpec, CellResult>,
  store: CellStore,
  onMachine: (worker: WorkerIdentity, machine: Record<string, unknown>) => void,
): CellExecutor {
  const digest = profileDigest(profile);
  const writtenInputs = new Set<string>();
  return {
    isolation: 'process',
    async run(i, data, scale, repeat) {
      const spec = profile.stages[i];
      const def = await loadStage(spec.stage, spec.method);
      const base = `${sweepId}/n${scale}/s${String(i).padStart(2, '0')}-${spec.stage}-${spec.method}`;
      const inputKey = `${base}.in.arrow`;
      if (!writtenInputs.has(inputKey) && !(await store.has(inputKey))) {
        const scratch = store.scratchPath(inputKey);
        try {
          await writeCellInput(scratch, data, def.reads);
          await store.put(inputKey, scratch);
        } finally {
          rmSync(scratch, { force: true });
        }
      }
      writtenInputs.add(inputKey);
      const { inputPath: _i, outputPath: _o, ...cell } = cellSpec(profile, digest, scale, i, repeat, '', '');
      const job: QueuedCellSpec = { sweepId, cell, inputKey, outputKey: `${base}.r${repeat}.out.arrow` };
      const out = await queue.run(job, `${spec.stage}/${spec.method} n=${scale} r${repeat}`);
      if (!out.ok) {
        const reason = `queue: cell ${out.jobId} failed after ${out.attemptsMade} attempt(s): ${out.reason}`;
        return { record: { ...emptyRecord(scale, spec, repeat, 'error', reason), isolation: 'process' } };
      }
      const { result, worker, machine } = out.value;
      onMachine(worker, machine);
      const record: StageRecord = { ...result.record, worker: { label: worker.label, host: worker.host, jobId: out.jobId, attempts: out.attemptsMade } };
      if (record.status !== 'ok' || !result.outputPath) return { record };
      try {
        const fields = await readCellFile(await store.get(job.outputKey), 'output');
        return { record, data: { ...data, ...pickFields(fields, def.writes) } };
      } catch (err) {
        return { record: { ...record, status: 'error', reason: (err as Error).message } };
      }
    },
    async close() {
      await queue.close();
    },
  };
}
