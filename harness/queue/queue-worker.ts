/**
 * A clusterbench worker: takes cell jobs from the queue and runs each with the same cell runner a local sweep uses.
 * Fault tolerance comes from BullMQ: a worker killed mid-cell stops renewing its job lock, another worker's stalled
 * check moves the job back to waiting after `lockMs`, and it runs again elsewhere. Infrastructure failures (a child
 * that cannot start, a missing store object) throw, so BullMQ retries them with backoff; oom and timeout are results
 * and come back as values, never retried.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { CELL_QUEUE_NAME } from './queue-name.js';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Who measured a cell. */
export interface WorkerIdentity {
  /** `--label`: the machine kind, e.g. "c7i.2xlarge"; defaults to the host name. */
  label: string;
  host: string;
  pid: number;
}

/** What a worker stores as the job's return value. */
export interface QueuedCellResult<R> {
  result: R;
  worker: WorkerIdentity;
  /** Extra facts about the worker's machine (CPU, cores, RAM, Node), merged into results.json once per label. */
  machine: Record<string, unknown>;
  /** Which start of the job this was (1 = first; a stalled or retried job counts each start). */
  attempt?: number;
}

/** What the executor returns: a result, or an infrastructure failure to retry. */
export type CellExecution<R> = { result: R } | { retry: string };

/** Options for `clusterbench worker`. */
export interface CellWorkerOptions {
  concurrency?: number;
  label?: string;
  prefix?: string;
  /** Job lock time: a killed worker's cell is re-queued after about this long (default 30 s). */
  lockMs?: number;
  /** How often to look for stalled jobs (default lockMs / 2). */
  stalledCheckMs?: number;
  machine?: Record<string, unknown>;
  log?: (line: string) => void;
  /** Called after the worker stopped taking jobs (e.g. to end warm pools). */
  onClose?: () => Promise<void>;
}

/** Start a worker; resolves once it is connected. */
export async function startCellWorker<S, R>(
  queueUrl: string,
  execute: (spec: S, job: Job) => Promise<CellExecution<R>>,
  opts: CellWorkerOptions = {},
): Promise<{ identity: WorkerIdentity; close: () => Promise<void> }> {
  const identity: WorkerIdentity = { label: opts.label ?? hostname(), host: hostname(), pid: process.pid };
  const lockMs = opts.lockMs ?? 30_000;
  const log = opts.log ?? (() => {});
  const worker = new Worker<{ spec: S }, QueuedCellResult<R>>(
    CELL_QUEUE_NAME,
    async (job) => {
      log(`${identity.label}: ${job.id} attempt ${job.attemptsMade + 1} started`);
      const out = await execute(job.data.spec, job);
      if ('retry' in out)
        throw new Error(`infrastructure failure on ${identity.label} (${identity.host}): ${out.retry}`);
      log(`${identity.label}: ${job.id} done`);
      return {
        result: out.result,
        worker: identity,
        machine: opts.machine ?? {},
        attempt: Math.max(1, job.attemptsStarted),
      };
    },
    {
      connection: parseRedisUrl(queueUrl),
      prefix: opts.prefix ?? 'clusterbench',
      concurrency: opts.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: opts.stalledCheckMs ?? Math.max(500, Math.floor(lockMs / 2)),
      // A cell may be interrupted by more than one dying worker before it completes.
      maxStalledCount: 3,
      autorun: true,
    },
  );
  worker.on('error', (e) => log(`${identity.label}: queue error: ${e.message}`));
  try {
    await worker.waitUntilReady();
  } catch (e) {
    await worker.close(true);
    throw new UserError(`cannot reach the queue at ${redactRedisUrl(queueUrl)}: ${(e as Error).message}`);
  }
  return {
    identity,
    close: async () => {
      await worker.close();
      await opts.onClose?.();
    },
  };
}
