/**
 * `sweep --queue`: connects the sweep to the queue and the shared store, and collects which workers and machines
 * measured its cells for results.json (`sections.workers`). The section is live: it rides in every partial
 * results.json, so `sweep --resume` finds the store, prefix and sweep id again (never the password: the queue URL
 * is stored redacted and has to be given again). The password in the queue URL never leaves this file.
 */
import type { MachineInfo, WorkersSection } from '../types.js';
export type { WorkersSection } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { CellExecutor, CellResult } from '../sweep/cell-runner.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import { CellQueue, sweepJobId } from './cell-queue.js';
import { openCellStore } from './open-cell-store.js';
import { queueCellExecutor, type QueuedCellSpec } from './queue-cell-executor.js';

/** Where a distributed sweep's cells go. */
export interface DistributedSweepOptions {
  queue: string;
  store: string;
  s3Endpoint?: string;
  prefix?: string;
  sweepId: string;
  /** The section of the interrupted run being resumed: its machines and cell counts carry over. */
  prior?: WorkersSection;
}

/** An open distributed sweep. */
export interface DistributedSweep {
  executor: CellExecutor;
  /** The live sections.workers. */
  section: WorkersSection;
  /** Read the parent job's counts into the section, then close the queue connection (the executor's close leaves it open). */
  close(): Promise<void>;
}

/** Open the queue and store for a distributed sweep. */
export async function openDistributedSweep(
  profile: SweepProfile,
  o: DistributedSweepOptions,
  progress: ProgressReporter,
): Promise<DistributedSweep> {
  const store = openCellStore(o.store, o.s3Endpoint !== undefined ? { endpoint: o.s3Endpoint } : {});
  const queue = await CellQueue.open<QueuedCellSpec, CellResult>(o.queue, { prefix: o.prefix });
  const section: WorkersSection = {
    queue: queue.url,
    store: store.location,
    sweepId: o.sweepId,
    ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
    machines: structuredClone(o.prior?.machines ?? {}),
    cells: { ...(o.prior?.cells ?? {}) },
  };
  progress.log(
    `distributed sweep ${o.sweepId}: cells go to ${queue.url}, store ${store.location}; start workers with: clusterbench worker --queue <url> --store ${store.location}${o.prefix !== undefined ? ` --prefix ${o.prefix}` : ''}`,
  );
  const base = queueCellExecutor(profile, o.sweepId, queue, store, (worker, machine) => {
    const m = (section.machines[worker.label] ??= { ...(machine as unknown as MachineInfo), hosts: [] });
    if (!m.hosts.includes(worker.host)) m.hosts.push(worker.host);
    section.cells[worker.label] = (section.cells[worker.label] ?? 0) + 1;
  });
  let closed = false;
  return {
    executor: { ...base, close: async () => {} },
    section,
    async close() {
      if (closed) return;
      closed = true;
      try {
        const c = await queue.sweepCounts(o.sweepId);
        if (c) section.sweepJob = { id: sweepJobId(o.sweepId), ...c };
      } finally {
        await queue.close();
      }
    },
  };
}
