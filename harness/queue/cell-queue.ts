/**
 * The coordinator's side of a distributed sweep: each cell is one BullMQ job on Redis. The job id comes from the cell
 * spec (cell-job-id.ts), so enqueueing a cell that is already queued, running or finished is a no-op and its result is
 * read back instead: that is what makes a second enqueue of the same sweep, and `sweep --resume`, run nothing twice.
 * Finished jobs are kept (removeOnComplete: false) for as long as the sweep may be resumed.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { cellJobId } from './cell-job-id.js';
import { CELL_QUEUE_NAME } from './queue-name.js';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';
import type { QueuedCellResult } from './queue-worker.js';


/** How a queued cell ended from the coordinator's point of view. */
export type CellJobOutcome<R> =
  | { ok: true; jobId: string; value: QueuedCellResult<R>; attemptsMade: number }
  /** Every attempt failed with an infrastructure error (retries exhausted), or the job vanished. */
  | { ok: false; jobId: string; reason: string; attemptsMade: number };

/** Options for a coordinator connection. */
export interface CellQueueOptions {
  /** Redis key prefix (default "clusterbench"); tests use their own. */
  prefix?: string;
  /** Attempts for infrastructure failures (default 3), exponential backoff from `backoffMs` (default 1000). */
  attempts?: number;
  backoffMs?: number;
}

/** A connection to the cell queue for enqueueing cells and waiting on their results. */
export class CellQueue<S, R> {
  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    /** The queue URL without its password. */
    readonly url: string,
    private readonly opts: Required<CellQueueOptions>,
  ) {}

  static async open<S, R>(queueUrl: string, opts: CellQueueOptions = {}): Promise<CellQueue<S, R>> {
    const connection = parseRedisUrl(queueUrl);
    const o = { prefix: opts.prefix ?? 'clusterbench', attempts: opts.attempts ?? 3, backoffMs: opts.backoffMs ?? 1000 };
    const queue = new Queue(CELL_QUEUE_NAME, { connection, prefix: o.prefix });
    // One waiter per in-flight cell: many at once is normal here, not a leak.
    queue.setMaxListeners(0);
    const events = new QueueEvents(CELL_QUEUE_NAME, { connection, prefix: o.prefix });
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    } catch (e) {
      await Promise.allSettled([queue.close(), events.close()]);
      throw new Error(`cannot reach the queue at ${redactRedisUrl(queueUrl)}: ${(e as Error).message}`);
    }
    return new CellQueue<S, R>(queue, events, redactRedisUrl(queueUrl), o);
  }

  /** The job id a spec maps to. */
  jobIdOf(spec: S): string {
    return cellJobId(spec);
  }

  /** Enqueue one cell (a no-op when a job with its id exists) and wait until it finishes. */
  async run(spec: S, name = 'cell'): Promise<CellJobOutcome<R>> {
    const jobId = cellJobId(spec);
    const job: Job = await this.queue.add(name, { spec }, {
      jobId,
      attempts: this.opts.attempts,
      backoff: { type: 'exponential', delay: this.opts.backoffMs },
      removeOnComplete: false,
      removeOnFail: false,
    });
    try {
      const value = (await job.waitUntilFinished(this.events)) as QueuedCellResult<R>;
      const done = await this.queue.getJob(jobId);
      return { ok: true, jobId, value, attemptsMade: done?.attemptsMade ?? 1 };
    } catch (e) {
      const failed = await this.queue.getJob(jobId);
      return { ok: false, jobId, reason: failed?.failedReason || (e as Error).message, attemptsMade: failed?.attemptsMade ?? 0 };
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}
