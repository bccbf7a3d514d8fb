/**
 * Step detection in a benchmark history, in the spirit of asv's step_detect: fit the series with a piecewise
 * constant function under an L1 (robust) cost plus a penalty per segment, solved exactly by dynamic programming
 * (optimal partitioning, O(n^2) segment costs, each O(1) from a running sorted segment), minimum segment length 2. The L1 cost and the minimum
 * length are what make a single noisy point never a step: a lone outlier costs the same inside its neighbours'
 * segment as in a segment of its own, and a persistent change is cheaper to model as a new level.
 *
 * The penalty is beta * sigma * ln(n) per extra segment (default beta 3), where sigma is a robust noise estimate:
 * 1.4826 * MAD of the first differences / sqrt(2), floored at `relativeFloor` (1%) of the series median so that a
 * perfectly flat series does not turn tiny changes into steps.
 */
import { median } from 'simple-statistics';

/** A detected step: the level changes between `index - 1` and `index`. */
export interface Step {
  /** First index of the new level. */
  index: number;
  before: number;
  after: number;
  /** after / before. */
  ratio: number;
}

/** Step detection knobs. */
export interface StepOptions {
  /** Penalty multiplier (higher: fewer steps). */
  beta: number;
  /** Minimum points per level. */
  minSize: number;
  /** Noise floor as a fraction of the series median. */
  relativeFloor: number;
}

/** Defaults used by `clusterbench history`. */
export const defaultStepOptions: StepOptions = { beta: 3, minSize: 2, relativeFloor: 0.01 };

/** Robust noise scale of a series (ignores level shifts, which are rare among the differences). */
export function noiseScale(y: readonly number[]): number {
  if (y.length < 3) return 0;
  const diffs: number[] = [];
  for (let i = 1; i < y.length; i++) diffs.push(y[i] - y[i - 1]);
  const m = median(diffs);
  return (1.4826 * median(diffs.map((d) => Math.abs(d - m)))) / Math.SQRT2;
}

function l1Cost(y: readonly number[], from: number, to: number): { cost: number; level: number } {
  const seg = y.slice(from, to);
  const level = median(seg);
  let cost = 0;
  for (const v of seg) cost += Math.abs(v - level);
  return { cost, level };
}

/** Segment the series; returns the levels (one per segment, with its start index) and the steps between them. */
export function detectSteps(
  y: readonly number[],
  options: Partial<StepOptions> = {},
): { steps: Step[]; segments: { start: number; end: number; level: number }[]; sigma: number } {
  const o = { ...defaultStepOptions, ...options };
  const n = y.length;
  if (n === 0) return { steps: [], segments: [], sigma: 0 };
  const sigma = Math.max(noiseScale(y), o.relativeFloor * Math.abs(median([...y])), 1e-12);
  const penalty = o.beta * sigma * Math.log(Math.max(n, 2));
  if (n < 2 * o.minSize) return { steps: [], segments: [{ start: 0, end: n, level: median([...y]) }], sigma };
  // best[j]: least cost of y[0..j) split into segments of at least minSize; prev[j]: start of the last segment.
  // For each end j the segment grows leftwards one point at a time, kept sorted with the sum of its lower half, so
  // each segment's L1 cost is O(1) after an O(log n) search and a short memmove: O(n^2) costs in all.
  const best = new Float64Array(n + 1).fill(Infinity);
  const prev = new Int32Array(n + 1).fill(-1);
  best[0] = -penalty; // the first segment pays no penalty
  const sorted = new Float64Array(n);
  for (let j = o.minSize; j <= n; j++) {
    let len = 0,
      total = 0,
      sumLower = 0;
    for (let i = j - 1; i >= 0; i--) {
      const v = y[i];
      let lo = 0,
        hi = len;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      const h = len >> 1,
        h2 = (len + 1) >> 1;
      // Sum of the new lower half (the h2 smallest) from the old array's prefix sums.
      const oldPrefix = (k: number): number =>
        k === h ? sumLower : k === h - 1 ? sumLower - sorted[h - 1] : sumLower + sorted[h];
      sumLower = lo < h2 ? oldPrefix(h2 - 1) + v : oldPrefix(h2);
      sorted.copyWithin(lo + 1, lo, len);
      sorted[lo] = v;
      len++;
      total += v;
      if (j - i < o.minSize || !Number.isFinite(best[i])) continue;
      const med = sorted[h2];
      const cost = total - 2 * sumLower - med * (len - 2 * h2);
      const c = best[i] + penalty + cost;
      if (c < best[j]) {
        best[j] = c;
        prev[j] = i;
      }
    }
  }
  const bounds: number[] = [];
  for (let j = n; j > 0; j = prev[j]) bounds.unshift(prev[j]);
  const segments = bounds.map((start, k) => {
    const end = k + 1 < bounds.length ? bounds[k + 1] : n;
    return { start, end, level: l1Cost(y, start, end).level };
  });
  const steps: Step[] = [];
  for (let k = 1; k < segments.length; k++) {
    const before = segments[k - 1].level,
      after = segments[k].level;
    steps.push({ index: segments[k].start, before, after, ratio: before !== 0 ? after / before : Infinity });
  }
  return { steps, segments, sigma };
}
