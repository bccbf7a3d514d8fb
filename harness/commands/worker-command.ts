/**
 * `clusterbench worker --queue redis://HOST:PORT --store DIR [--concurrency N] [--label NAME]`: run sweep cells from
 * the queue on this machine until interrupted. Every machine of a distributed sweep runs one; `--label` names the
 * machine kind in the report's hardware table (default: the host name).
 */
import { startCellWorker } from '../queue/queue-worker.js';
import { openCellStore } from '../queue/open-cell-store.js';
import { redactRedisUrl } from '../queue/redis-url.js';
import { queuedCellRunner } from '../queue/queued-cell-run.js';
import type { QueuedCellSpec } from '../queue/queue-cell-executor.js';
import type { CellResult } from '../sweep/cell-runner.js';
import { machineInfo } from '../io/machine-info.js';
import { parseOneCount } from '../profile/count-flag.js';

/** Options of the worker command (strings as commander gives them). */
export interface WorkerCommandOptions {
  queue: string;
  store: string;
  s3Endpoint?: string;
  concurrency?: string;
  label?: string;
  lockMs?: string;
  prefix?: string;
  quiet?: boolean;
}

/** Start a worker; resolves with a close function once it is connected. */
export async function workerCommand(o: WorkerCommandOptions): Promise<{ close: () => Promise<void>; label: string }> {
  const store = openCellStore(o.store, o.s3Endpoint !== undefined ? { endpoint: o.s3Endpoint } : {});
  const concurrency = o.concurrency === undefined ? 1 : parseOneCount('--concurrency', o.concurrency, '2');
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const machine = machineInfo();
  const cells = queuedCellRunner(store);
  const w = await startCellWorker<QueuedCellSpec, CellResult>(o.queue, (job) => cells.run(job), {
    concurrency,
    label: o.label,
    lockMs: o.lockMs === undefined ? 30_000 : parseOneCount('--lock-ms', o.lockMs, '30000'),
    prefix: o.prefix,
    machine: { ...machine },
    log,
    onClose: () => cells.close(),
  });
  log(
    `worker ${w.identity.label} (${w.identity.host}, pid ${w.identity.pid}): ${concurrency} cell(s) at a time from ${redactRedisUrl(o.queue)}, store ${store.location}`,
  );
  return { close: w.close, label: w.identity.label };
}
