/** Samples process RSS from the main thread on a timer while a stage runs in a worker. */
import { performance } from 'node:perf_hooks';
import type { RssSample } from '../types.js';

/** A running sampler; stop() returns the timeline and its peak. */
export interface RssSampler {
  stop(): { timeline: RssSample[]; peakRss: number };
}

/**
 * Start sampling every intervalMs. The first sample is taken at once, the last one at stop(). `onSample` sees each
 * reading; with intervalMs 0 (no timeline) it still sees one every `checkMs`, so a ceiling on it always holds.
 */
export function startRssSampler(intervalMs: number, onSample?: (rss: number) => void, checkMs = 100): RssSampler {
  const t0 = performance.now();
  const timeline: RssSample[] = [];
  let peak = 0;
  const take = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    timeline.push({ tMs: performance.now() - t0, rss });
    onSample?.(rss);
  };
  take();
  // intervalMs 0 = no timer: start and end readings only (to measure the sampler's own cost).
  const timer = intervalMs > 0 ? setInterval(take, intervalMs) : undefined;
  const check = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    onSample?.(rss);
  };
  const checker = intervalMs > 0 || !onSample ? undefined : setInterval(check, checkMs);
  return {
    stop() {
      clearInterval(timer);
      clearInterval(checker);
      take();
      return { timeline, peakRss: peak };
    },
  };
}
