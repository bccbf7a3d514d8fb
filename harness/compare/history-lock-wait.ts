/**
 * DuckDB lets one process write a database file at a time and fails the others at once ("Could not set lock on
 * file"). Concurrent `history` appends (nightly jobs, parallel CI) wait for the lock instead, up to a timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../pipeline/support/user-error.js';

/** Default wait for the history database's lock, ms (CLUSTERBENCH_HISTORY_LOCK_TIMEOUT_MS overrides). */
export const HISTORY_LOCK_TIMEOUT_MS = 120_000;

/** Whether an error is DuckDB's "another process holds the file" error. */
export function isLockConflict(err: unknown): boolean {
  return /Could not set lock on file|Conflicting lock is held/i.test(String((err as Error)?.message ?? err));
}

/** Run `open` until it does not fail on the lock, with backoff up to `timeoutMs`; then throw saying who waited how long. */
export async function waitForLock<T>(
  path: string,
  open: () => Promise<T>,
  timeoutMs = Number(process.env.CLUSTERBENCH_HISTORY_LOCK_TIMEOUT_MS ?? HISTORY_LOCK_TIMEOUT_MS),
): Promise<T> {
  const t0 = Date.now();
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await open();
    } catch (e) {
      if (!isLockConflict(e)) throw e;
      if (Date.now() - t0 + delay > timeoutMs) {
        throw new UserError(
          `${path}: another process held the history database's lock for ${((Date.now() - t0) / 1000).toFixed(1)} s (timeout ${(timeoutMs / 1000).toFixed(0)} s); try again when it finishes`,
        );
      }
      await sleep(delay + Math.floor(Math.random() * delay)); // jitter: waiters do not retry in lockstep
    }
  }
}
