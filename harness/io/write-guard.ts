/**
 * Writes in flight, so an interrupt can let the current one finish before the process exits (the run stays
 * resumable: every file is renamed into place whole or not at all). Sync writes need no tracking: a signal
 * handler cannot run in the middle of one.
 */
let inFlight = 0;
const idleWaiters: (() => void)[] = [];

/** Track an async write until it settles. */
export async function trackWrite<T>(write: () => Promise<T>): Promise<T> {
  inFlight++;
  try {
    return await write();
  } finally {
    if (--inFlight === 0) for (const w of idleWaiters.splice(0)) w();
  }
}

/** Resolves once no tracked write is in flight. */
export function writesIdle(): Promise<void> {
  return inFlight === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r));
}

let shuttingDown = false;

/** After an interrupt: no new results are recorded (a cell whose child died of the same Ctrl-C is not a failure). */
export function beginShutdown(): void {
  shuttingDown = true;
}

/** Whether an interrupt is stopping the process. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}
