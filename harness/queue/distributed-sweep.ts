/**
 * `sweep --queue`: connects the sweep to the queue and the shared store, and collects which workers and machines
 * measured its cells for results.json (`sections.workers`). The password in the queue URL never leaves this file.
 */
import type { MachineInfo, WorkersSection } from '../types.js';
export type { WorkersSection } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { CellExecutor, CellResult } from '../sweep/cell-runner.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import { CellQueue } from './cell-queue.js';
import { openCellStore } from './cell-store.js';
import { queueCellExecutor, type QueuedCellSpec } from './queue-cell-executor.js';


/** Open the queue and store for a distributed sweep. */
export async function openDistributedSweep(
  profile: SweepProfile,
  o: { queue: string; store: string; prefix?: string; sweepId: string },
  progress: ProgressReporter,
): Promise<{ executor: CellExecutor; section: () => WorkersSection }> {
  const store = openCellStore(o.store);
  const queue = await CellQueue.open<QueuedCellSpec, CellResult>(o.queue, { prefix: o.prefix });
  const machines: WorkersSection['machines'] = {};
  const cells: Record<string, number> = {};
  progress.log(`distributed sweep ${o.sweepId}: cells go to ${queue.url}, store ${store.location}; start workers with: clusterbench worker --queue <url> --store ${store.location}`);
  const executor = queueCellExecutor(profile, o.sweepId, queue, store, (worker, machine) => {
    const m = (machines[worker.label] ??= { ...(machine as unknown as MachineInfo), hosts: [] });
    if (!m.hosts.includes(worker.host)) m.hosts.push(worker.host);
    cells[worker.label] = (cells[worker.label] ?? 0) + 1;
  });
  return { executor, section: () => ({ queue: queue.url, store: store.location, sweepId: o.sweepId, machines, cells }) };
}
