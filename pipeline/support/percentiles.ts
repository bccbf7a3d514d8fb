/** p50/p95/p99 of a list of observations (nearest-rank on the sorted values). */
import { quantileSorted } from 'simple-statistics';
import type { Percentiles } from '../contracts.js';

export function summarisePercentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, mean: 0, max: 0 };
  const s = Float64Array.from(values).sort();
  const arr = Array.from(s);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    count: arr.length,
    p50: quantileSorted(arr, 0.5),
    p95: quantileSorted(arr, 0.95),
    p99: quantileSorted(arr, 0.99),
    mean: sum / arr.length,
    max: arr[arr.length - 1],
  };
}
