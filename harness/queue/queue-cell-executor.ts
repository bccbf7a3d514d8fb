/**
 * The sweep's cells on the queue: a CellExecutor (harness/sweep/cell-runner.ts) that writes a cell's input into the
 * shared store, enqueues the cell's repeats together as child jobs of the sweep's parent job (so free workers run
 * them at once), and reads the output back from the store when the workers have measured them. The sweep loop itself
 * is unchanged, so stage order, skip-after-break, quality scoring, checkpoints and bisection behave exactly as in a
 * local run; only where the cells run differs.
 *
 * Job ids come from the spec (sweep id, profile digest, scale, stage, repeat, seed, input key): enqueueing the same
 * sweep again, or resuming it, re-uses the jobs already finished instead of running them twice.
 */
import { rmSync } from 'node:fs';
import type { PipelineData, StageRecord } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import {
  cellSpec,
  profileDigest,
  readCellFile,
  writeCellInput,
  type CellExecutor,
  type CellResult,
  type CellSpec,
} from '../sweep/cell-runner.js';
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

type CellRun = { record: StageRecord; data?: PipelineData };

/** Build the executor; `onMachine` receives each worker's machine facts with every cell it measured. */
export function queueCellExecutor(
  profile: SweepProfile,
  sweepId: string,
  queue: CellQueue<QueuedCellSpec, CellResult>,
  store: CellStore,
  onMachine: (worker: WorkerIdentity, machine: Record<string, unknown>) => void,
): CellExecutor {
  const digest = profileDigest(profile);
  const writtenInputs = new Set<string>();

  /** Put the stage's input into the store once per scale; returns its key. */
  async function putInput(i: number, data: PipelineData, scale: number, base: string): Promise<string> {
    const inputKey = `${base}.in.arrow`;
    if (!writtenInputs.has(inputKey) && !(await store.has(inputKey))) {
      const def = await loadStage(profile.stages[i].stage, profile.stages[i].method);
      const scratch = store.scratchPath(inputKey);
      try {
        await writeCellInput(scratch, data, def.reads);
        await store.put(inputKey, scratch);
      } finally {
        rmSync(scratch, { force: true });
      }
    }
    writtenInputs.add(inputKey);
    return inputKey;
  }

  /** Repeats `repeats` of stage i at `scale`, all enqueued at once; the output is read back for `readOutputOf` only. */
  async function dispatch(
    i: number,
    data: PipelineData,
    scale: number,
    repeats: number[],
    readOutputOf: number | undefined,
  ): Promise<CellRun[]> {
    const spec = profile.stages[i];
    const base = `${sweepId}/n${scale}/s${String(i).padStart(2, '0')}-${spec.stage}-${spec.method}`;
    const inputKey = await putInput(i, data, scale, base);
    const jobs = repeats.map((repeat): QueuedCellSpec => {
      const { inputPath: _i, outputPath: _o, ...cell } = cellSpec(profile, digest, scale, i, repeat, '', '');
      return { sweepId, cell, inputKey, outputKey: `${base}.r${repeat}.out.arrow` };
    });
    const outs = await queue.runAll(
      sweepId,
      jobs.map((job) => ({ spec: job, name: `${spec.stage}/${spec.method} n=${scale} r${job.cell.repeat}` })),
    );
    const def = await loadStage(spec.stage, spec.method);
    return Promise.all(
      outs.map(async (out, k): Promise<CellRun> => {
        const repeat = repeats[k];
        if (!out.ok) {
          const reason = `queue: cell ${out.jobId} failed after ${out.attemptsMade} attempt(s): ${out.reason}`;
          return { record: { ...emptyRecord(scale, spec, repeat, 'error', reason), isolation: 'process' } };
        }
        const { result, worker, machine } = out.value;
        onMachine(worker, machine);
        const record: StageRecord = {
          ...result.record,
          worker: { label: worker.label, host: worker.host, jobId: out.jobId, attempts: out.attemptsMade },
        };
        if (record.status !== 'ok' || !result.outputPath || repeat !== readOutputOf) return { record };
        try {
          const fields = await readCellFile(await store.get(jobs[k].outputKey), 'output');
          return { record, data: { ...data, ...pickFields(fields, def.writes) } };
        } catch (err) {
          return { record: { ...record, status: 'error', reason: (err as Error).message } };
        }
      }),
    );
  }

  return {
    isolation: profile.isolation,
    async run(i, data, scale, repeat) {
      return (await dispatch(i, data, scale, [repeat], repeat))[0];
    },
    async runRepeats(i, data, scale, repeats) {
      const all = Array.from({ length: repeats }, (_, r) => r);
      return dispatch(i, data, scale, all, repeats - 1);
    },
    async close() {
      await queue.close();
    },
  };
}
