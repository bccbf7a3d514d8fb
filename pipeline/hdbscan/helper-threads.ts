/**
 * Start helper worker_threads for a lockstep phase (Prim, Borůvka) and wait, without blocking, until each has loaded
 * and said "ready". The caller then blocks in Atomics.wait, where a helper's load error could no longer be
 * delivered; checking first turns a missing or broken worker file into an error instead of a hang.
 */
import { Worker } from 'node:worker_threads';

/** Start `count` workers of `url`, each with its own workerData; resolves once all are ready. */
export async function startReadyWorkers(url: URL, data: unknown[]): Promise<Worker[]> {
  const workers = data.map((workerData) => new Worker(url, { workerData }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', (code) =>
              reject(new Error(`helper thread ${url.pathname} exited with code ${code} before it was ready`)),
            );
          }),
      ),
    );
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  return workers;
}
