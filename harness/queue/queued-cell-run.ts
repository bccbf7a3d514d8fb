/**
 * The worker's side of one queued cell: fetch the input from the shared store, run the cell with the same runCell a
 * local sweep uses, put the output into the store. The profile's isolation decides where the cell runs, as it does
 * locally: `process` (the default) in a child process per cell, so a cell's memory is its own and an OOM ends only
 * that child; `thread` in this process, on a warm pool per stage kept across cells (quick runs, many tiny cells).
 * Failures of the machinery around the cell (input not in the store, a child that cannot start) are infrastructure
 * failures and are retried by the queue; everything the stage itself did is a result.
 */
import { rmSync } from 'node:fs';
import type { Piscina } from 'piscina';
import { runCell, runCellHere, type CellResult, type CellSpec } from '../sweep/cell-runner.js';
import { warmPool } from '../sweep/stage-run.js';
import { createStagePool } from '../workers/worker-pool.js';
import type { CellStore } from './cell-store.js';
import type { QueuedCellSpec } from './queue-cell-executor.js';
import type { CellExecution } from './queue-worker.js';

// Error records that say the cell never ran its stage: worth a retry on another attempt or machine.
const INFRASTRUCTURE =
  /cannot start the cell's child process|cannot read the cell's input checkpoint|the stage's worker did not start/;

// Warm pools kept for thread-isolated cells: a handful of profiles' stages at most, the oldest ended first.
const MAX_WARM_POOLS = 8;

/** Runs queued cells on one worker; `close` ends its warm pools. */
export interface QueuedCellRunner {
  run(job: QueuedCellSpec): Promise<CellExecution<CellResult>>;
  close(): Promise<void>;
}

/** A runner for the cells a worker takes from the queue. */
export function queuedCellRunner(store: CellStore): QueuedCellRunner {
  const pools = new Map<string, Promise<Piscina>>();
  const warm = (cell: Omit<CellSpec, 'inputPath' | 'outputPath'>): Promise<Piscina> => {
    const key = `${cell.profileDigest}/${cell.stageIndex}`;
    let p = pools.get(key);
    if (!p) {
      const spec = cell.profile.stages[cell.stageIndex];
      const pool = createStagePool(spec, cell.profile);
      p = warmPool(pool, spec).then(() => pool);
      p.catch(() => pools.delete(key)); // a pool that did not start is not kept: the cell's record says why
      pools.set(key, p);
      if (pools.size > MAX_WARM_POOLS) {
        const [oldest, old] = pools.entries().next().value!;
        pools.delete(oldest);
        void old.then(
          (x) => x.destroy(),
          () => {},
        );
      }
    }
    return p;
  };
  return {
    async run(job) {
      let inputPath: string;
      try {
        inputPath = await store.get(job.inputKey);
      } catch (err) {
        return { retry: (err as Error).message };
      }
      const scratch = store.scratchPath(job.outputKey);
      try {
        const cell: CellSpec = { ...job.cell, inputPath, outputPath: scratch };
        const thread = cell.profile.isolation === 'thread' && !cell.profile.stages[cell.stageIndex]?.command;
        let result: CellResult;
        if (thread) {
          let pool: Piscina;
          try {
            pool = await warm(job.cell);
          } catch (err) {
            return { retry: `the stage's worker did not start: ${(err as Error).message}` };
          }
          result = await runCellHere(cell, 'thread', pool);
        } else {
          result = await runCell(cell, 'process');
        }
        const { record, outputPath } = result;
        if (record.status === 'error' && INFRASTRUCTURE.test(record.reason ?? ''))
          return { retry: record.reason ?? 'error' };
        if (!outputPath) return { result: { record } };
        await store.put(job.outputKey, outputPath);
        return { result: { record, outputPath: job.outputKey } };
      } finally {
        rmSync(scratch, { force: true });
      }
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.allSettled(all.map(async (p) => (await p).destroy()));
    },
  };
}
