/**
 * The worker's side of one queued cell: fetch the input from the shared store, run the cell with the same runCell a
 * local sweep uses (in a child process, so a cell's memory is its own and an OOM ends only that child), put the
 * output into the store. Failures of the machinery around the cell (input not in the store, a child that cannot
 * start) are infrastructure failures and are retried by the queue; everything the stage itself did is a result.
 */
import { rmSync } from 'node:fs';
import { runCell, type CellResult } from '../sweep/cell-runner.js';
import type { CellStore } from './cell-store.js';
import type { QueuedCellSpec } from './queue-cell-executor.js';
import type { CellExecution } from './queue-worker.js';

// Error records that say the cell never ran its stage: worth a retry on another attempt or machine.
const INFRASTRUCTURE = /cannot start the cell's child process|cannot read the cell's input checkpoint|the stage's worker did not start/;

/** Run one queued cell; its record's outputPath (when ok) is the store key of the output. */
export async function runQueuedCell(job: QueuedCellSpec, store: CellStore): Promise<CellExecution<CellResult>> {
  let inputPath: string;
  try {
    inputPath = await store.get(job.inputKey);
  } catch (err) {
    return { retry: (err as Error).message };
  }
  const scratch = store.scratchPath(job.outputKey);
  try {
    const { record, outputPath } = await runCell({ ...job.cell, inputPath, outputPath: scratch }, 'process');
    if (record.status === 'error' && INFRASTRUCTURE.test(record.reason ?? '')) return { retry: record.reason ?? 'error' };
    if (!outputPath) return { result: { record } };
    await store.put(job.outputKey, outputPath);
    return { result: { record, outputPath: job.outputKey } };
  } finally {
    rmSync(scratch, { force: true });
  }
}
