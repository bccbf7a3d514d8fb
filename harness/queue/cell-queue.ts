/**
 * The coordinator's side of a distributed sweep. The sweep is one parent job (queue `clusterbench-sweeps`, id from
 * the sweep id) and each cell is one child job of it on the cell queue, added as a BullMQ flow: BullMQ keeps every
 * finished child's result under the parent, so the parent counts what the sweep has measured (getDependenciesCount)
 * however many coordinators came and went. Nothing processes the parent: it is the sweep's record on the queue.
 *
 * A cell's job id comes from its spec (cell-job-id.ts), so enqueueing a cell that is already queued, running or
 * finished is a no-op and its result is read back instead: that is what makes a second enqueue of the same sweep, and
 * `sweep --resume`, run nothing twice. Finished jobs are kept (removeOnComplete: false) for as long as the sweep may be
 * resumed. The cells of one call (a cell's repeats) go in one flow, so they wait on the queue together and as many
 * workers as are free take them at once.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { FlowProducer, Queue, QueueEvents, type FlowJob, type Job } from 'bullmq';
import { cellJobId } from './cell-job-id.js';
import { CELL_QUEUE_NAME, SWEEP_QUEUE_NAME } from './queue-name.js';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';
import type { QueuedCellResult } from './queue-worker.js';
import { UserError } from '../../pipeline/support/user-error.js';

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

/** The parent job of a sweep: `sweep-<24 hex of sha256(sweepId)>` (job ids must not contain ':'). */
export function sweepJobId(sweepId: string): string {
  return `sweep-${createHash('sha256').update(sweepId).digest('hex').slice(0, 24)}`;
}

/** Cells of a sweep as BullMQ counts them on its parent job. */
export interface SweepJobCounts {
  /** Cells that finished with a result (each counted once, however often it was enqueued). */
  processed: number;
  /** Cells queued or running, and cells whose every attempt failed. */
  unprocessed: number;
}

/** A connection to the cell queue for enqueueing cells and waiting on their results. */
export class CellQueue<S, R> {
  private constructor(
    private readonly queue: Queue,
    private readonly sweeps: Queue,
    private readonly flows: FlowProducer,
    private readonly events: QueueEvents,
    /** The queue URL without its password. */
    readonly url: string,
    private readonly opts: Required<CellQueueOptions>,
  ) {}

  static async open<S, R>(queueUrl: string, opts: CellQueueOptions = {}): Promise<CellQueue<S, R>> {
    const connection = parseRedisUrl(queueUrl);
    const o = {
      prefix: opts.prefix ?? 'clusterbench',
      attempts: opts.attempts ?? 3,
      backoffMs: opts.backoffMs ?? 1000,
    };
    const queue = new Queue(CELL_QUEUE_NAME, { connection, prefix: o.prefix });
    // One waiter per in-flight cell: many at once is normal here, not a leak.
    queue.setMaxListeners(0);
    const sweeps = new Queue(SWEEP_QUEUE_NAME, { connection, prefix: o.prefix });
    const flows = new FlowProducer({ connection, prefix: o.prefix });
    flows.setMaxListeners(0); // each waiting cell's job listens for its closing
    const events = new QueueEvents(CELL_QUEUE_NAME, { connection, prefix: o.prefix });
    events.setMaxListeners(0);
    try {
      await Promise.all([
        queue.waitUntilReady(),
        sweeps.waitUntilReady(),
        flows.waitUntilReady(),
        events.waitUntilReady(),
      ]);
    } catch (e) {
      await Promise.allSettled([queue.close(), sweeps.close(), flows.close(), events.close()]);
      throw new UserError(`cannot reach the queue at ${redactRedisUrl(queueUrl)}: ${(e as Error).message}`);
    }
    return new CellQueue<S, R>(queue, sweeps, flows, events, redactRedisUrl(queueUrl), o);
  }

  /** The job id a spec maps to. */
  jobIdOf(spec: S): string {
    return cellJobId(spec);
  }

  /**
   * Enqueue cells as children of the sweep's parent job (both no-ops where the job exists) in one round trip, and
   * wait until every one finishes. Outcomes in the order of `cells`.
   */
  async runAll(sweepId: string, cells: { spec: S; name: string }[]): Promise<CellJobOutcome<R>[]> {
    const childOpts = {
      attempts: this.opts.attempts,
      backoff: { type: 'exponential', delay: this.opts.backoffMs },
      removeOnComplete: false,
      removeOnFail: false,
    };
    const flow: FlowJob = {
      name: 'sweep',
      queueName: SWEEP_QUEUE_NAME,
      data: { sweepId, coordinator: hostname() },
      opts: { jobId: sweepJobId(sweepId), removeOnComplete: false, removeOnFail: false },
      children: cells.map(({ spec, name }) => ({
        name,
        queueName: CELL_QUEUE_NAME,
        data: { spec },
        opts: { ...childOpts, jobId: cellJobId(spec) },
      })),
    };
    const tree = await this.flows.add(flow);
    const jobs = (tree.children ?? []).map((c) => c.job);
    return Promise.all(jobs.map((job) => this.outcomeOf(job)));
  }

  /** Enqueue one cell of the sweep and wait until it finishes. */
  async run(sweepId: string, spec: S, name = 'cell'): Promise<CellJobOutcome<R>> {
    return (await this.runAll(sweepId, [{ spec, name }]))[0];
  }

  private async outcomeOf(job: Job): Promise<CellJobOutcome<R>> {
    const jobId = job.id!;
    try {
      const value = (await job.waitUntilFinished(this.events)) as QueuedCellResult<R>;
      return { ok: true, jobId, value, attemptsMade: value.attempt ?? 1 };
    } catch (e) {
      const failed = await this.queue.getJob(jobId);
      return {
        ok: false,
        jobId,
        reason: failed?.failedReason || (e as Error).message,
        attemptsMade: failed?.attemptsMade ?? 0,
      };
    }
  }

  /** What the sweep's parent job counts; undefined before its first cell was enqueued. */
  async sweepCounts(sweepId: string): Promise<SweepJobCounts | undefined> {
    const parent = await this.sweeps.getJob(sweepJobId(sweepId));
    if (!parent) return undefined;
    const c = await parent.getDependenciesCount({ processed: true, unprocessed: true });
    return { processed: c.processed ?? 0, unprocessed: c.unprocessed ?? 0 };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.flows.close(), this.sweeps.close(), this.queue.close()]);
  }
}
