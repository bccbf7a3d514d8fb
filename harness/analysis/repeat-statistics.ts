/**
 * Repeats and statistics (issue 6): per cell (stage x method x scale) over its measured repeats, the median, min, max,
 * MAD, a seeded 95% percentile-bootstrap CI of the median, and outliers by modified z-score (Iglewicz and Hoaglin,
 * |z| > 3.5; hyperfine flags outliers the same way). Medians, MAD and resampling come from simple-statistics.
 */
import { max, median, medianAbsoluteDeviation, min, quantileSorted, sampleWithReplacement } from 'simple-statistics';
import type { RunResults, StageRecord } from '../types.js';
import { isMeasuredStatus } from '../sweep/cell-status.js';
import { runCells } from './cell-metrics.js';
import { deriveSeed, mulberry32 } from '../../pipeline/support/seeded-random.js';
import { scalingSpecOf } from './scaling-law-fit.js';
import type { SampleStats, RepeatCellStats, RepeatStatsSection } from '../types.js';
export type { SampleStats, RepeatCellStats, RepeatStatsSection } from '../types.js';

/** Modified z-scores; when MAD is 0 a value off the median scores ±Infinity (it is an outlier) and one on it 0. */
export function modifiedZScores(values: number[]): number[] {
  if (values.length === 0) return [];
  const m = median(values);
  const mad = medianAbsoluteDeviation(values);
  return values.map((x) => (x === m ? 0 : mad > 0 ? (0.6745 * (x - m)) / mad : Math.sign(x - m) * Infinity));
}

/** Percentile-bootstrap CI of the median, reproducible for a given seed. */
export function bootstrapMedianCi(
  values: number[],
  opts: { resamples: number; confidence?: number; seed: number },
): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  if (values.length === 1) return [values[0], values[0]];
  const rand = mulberry32(opts.seed);
  const meds = new Float64Array(opts.resamples);
  for (let i = 0; i < opts.resamples; i++) meds[i] = median(sampleWithReplacement(values, values.length, rand));
  meds.sort();
  const alpha = 1 - (opts.confidence ?? 0.95);
  const sorted = Array.from(meds);
  return [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)];
}

/** All statistics of one list of repeat values. */
export function sampleStats(
  values: number[],
  opts: { resamples: number; seed: number; outlierZ: number },
): SampleStats {
  if (values.length === 0)
    return { n: 0, median: NaN, min: NaN, max: NaN, mad: NaN, ci95: [NaN, NaN], modifiedZ: [], outliers: [] };
  const modifiedZ = values.length >= 3 ? modifiedZScores(values) : values.map(() => 0);
  return {
    n: values.length,
    median: median(values),
    min: min(values),
    max: max(values),
    mad: medianAbsoluteDeviation(values),
    ci95: bootstrapMedianCi(values, { resamples: opts.resamples, seed: opts.seed }),
    modifiedZ,
    outliers: modifiedZ.flatMap((z, i) => (Math.abs(z) > opts.outlierZ ? [i] : [])),
  };
}

/** Build `sections.repeatStats`: one entry per cell with at least one measured repeat. */
export function repeatStatsSection(results: RunResults): RepeatStatsSection {
  const spec = scalingSpecOf(results);
  const profile = results.profile as { seed?: number; warmup?: number; repeats?: number } | null;
  const seed = profile?.seed ?? 42;
  const cells: RepeatCellStats[] = [];
  for (const cell of runCells(results)) {
    const ok = cell.records.filter((x) => isMeasuredStatus(x.status));
    if (!ok.length) continue;
    const stats = (metric: string, pick: (r: StageRecord) => number): SampleStats =>
      sampleStats(ok.map(pick), {
        resamples: spec.bootstrapResamples,
        seed: deriveSeed(seed, `${cell.key}:${metric}`),
        outlierZ: spec.outlierZ,
      });
    cells.push({
      stage: cell.stage,
      method: cell.method,
      scale: cell.scale,
      repeats: ok.length,
      wallMs: stats('wallMs', (r) => r.wallMs),
      cpuMs: stats('cpuMs', (r) => r.cpuUserMs + r.cpuSystemMs),
      peakRssBytes: stats('peakRssBytes', (r) => r.peakRssBytes),
      peakHeapUsedBytes: stats('peakHeapUsedBytes', (r) => r.peakHeapUsedBytes),
    });
  }
  return {
    warmup: profile?.warmup ?? 0,
    repeats: profile?.repeats ?? 1,
    bootstrapResamples: spec.bootstrapResamples,
    outlierZ: spec.outlierZ,
    cells,
  };
}
