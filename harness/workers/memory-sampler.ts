/**
 * Samples memory on a timer from the thread that hosts a stage's pool while the stage runs in a worker: process RSS,
 * this thread's external and arrayBuffers, and (when given the pool's workers) each worker's V8 heap through
 * worker.getHeapStatistics() (Node 24), which answers while the worker is busy, so library-call stages that never
 * reach a batch boundary still get a heap curve. Worker "external" is V8's external memory: typed arrays live there.
 */
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import type { RssSample } from '../types.js';

/** A running sampler; stop() returns the timeline and its peaks. */
export interface RssSampler {
  stop(): { timeline: RssSample[]; peakRss: number; peakWorkerHeap: number; peakWorkerExternal: number };
}

/** What to sample besides RSS. */
export interface SamplerOptions {
  /** The workers to read heap statistics from (the stage's pool threads), read at each tick. */
  workers?: () => readonly Worker[];
  /** Sees each RSS reading (the RSS ceiling check); with intervalMs 0 (no timeline) still one every `checkMs`. */
  onSample?: (rss: number) => void;
  /** Ceiling-check period when intervalMs is 0, ms (default 100): a ceiling holds whatever the sampling interval. */
  checkMs?: number;
}

/** Start sampling every intervalMs. The first sample is taken at once, the last one at stop(). */
export function startRssSampler(intervalMs: number, opts: SamplerOptions | ((rss: number) => void) = {}): RssSampler {
  const o: SamplerOptions = typeof opts === 'function' ? { onSample: opts } : opts;
  const t0 = performance.now();
  const timeline: RssSample[] = [];
  let peak = 0;
  let peakHeap = 0;
  let peakExternal = 0;
  let stopped = false;
  let heapPending = false;
  const take = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peak) peak = m.rss;
    const s: RssSample = {
      tMs: performance.now() - t0,
      rss: m.rss,
      hostExternal: m.external,
      hostArrayBuffers: m.arrayBuffers,
    };
    timeline.push(s);
    o.onSample?.(m.rss);
    const workers = o.workers?.() ?? [];
    // One heap request in flight at a time; a reply that arrives after stop() is dropped (the record is built).
    if (workers.length === 0 || heapPending || stopped) return;
    heapPending = true;
    Promise.all(workers.map((w) => w.getHeapStatistics())).then(
      (hs) => {
        heapPending = false;
        if (stopped) return;
        s.workerHeapUsed = hs.reduce((a, h) => a + h.used_heap_size, 0);
        s.workerExternal = hs.reduce((a, h) => a + ((h as { external_memory?: number }).external_memory ?? 0), 0);
        peakHeap = Math.max(peakHeap, s.workerHeapUsed);
        peakExternal = Math.max(peakExternal, s.workerExternal);
      },
      () => {
        heapPending = false;
      },
    ); // a worker that exits mid-request (abort, OOM) has no heap to report
  };
  take();
  // intervalMs 0 = no timer: start and end readings only (to measure the sampler's own cost).
  const timer = intervalMs > 0 ? setInterval(take, intervalMs) : undefined;
  const check = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    o.onSample?.(rss);
  };
  const checker = intervalMs > 0 || !o.onSample ? undefined : setInterval(check, o.checkMs ?? 100);
  return {
    stop() {
      clearInterval(timer);
      clearInterval(checker);
      take();
      stopped = true;
      return { timeline, peakRss: peak, peakWorkerHeap: peakHeap, peakWorkerExternal: peakExternal };
    },
  };
}
