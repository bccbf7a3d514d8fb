/**
 * Compare two runs cell by cell (stage x method x scale) and per-scale quality, with a verdict per metric:
 *  - significance, as asv decides it: a two-sided Mann-Whitney U test (p < alpha, default 0.002) when both sides
 *    have enough repeats for the test to be able to reach alpha; otherwise whether the two intervals overlap. A side's
 *    interval is its [min, max] over repeats widened to at least median x (1 +/- noise); a single sample is
 *    value x (1 +/- noise). `noise` is a floor for run-to-run noise that one sample cannot show (default 5% for
 *    stage metrics, 0.5% for quality, which a seeded run reproduces exactly);
 *  - a threshold (threshold-expression.ts) on the ratio NEW/BASE.
 * Verdicts: ✖ significant and beyond its threshold (a regression), ✔ within thresholds, ~ not significant.
 * A cell that was ok in BASE and broke in NEW (oom, timeout, error...) is always a regression.
 */
import type { RunResults } from '../types.js';
import { cellSamples, lowerIsBetterQuality, medianOf, qualityFigures, runCells, stageMetrics, type Cell, type StageMetricName } from '../analysis/cell-metrics.js';
import { mannWhitneyU, minimumPValue } from '../analysis/mann-whitney-u.js';
import { findThreshold, formatThreshold, resolveThresholds, thresholdHolds, type ThresholdExpression, type ThresholdMap } from './threshold-expression.js';

/** ✔ pass, ✖ significant regression beyond a threshold, ~ not significant. */
export type Verdict = '✔' | '✖' | '~';

/** One compared metric of one cell. */
export interface ComparisonRow {
  /** "cluster/kmeans@5000" or "quality@5000". */
  cell: string;
  scale: number;
  metric: string;
  unit: string;
  base: number;
  new: number;
  ratio: number;
  baseSamples: number;
  newSamples: number;
  test: 'mann-whitney' | 'interval-overlap' | 'status';
  p?: number;
  significant: boolean;
  threshold?: ThresholdExpression;
  verdict: Verdict;
  /** Why, in words, when the verdict needs one (status change, regression, no threshold). */
  note?: string;
}

/** Everything compare found. */
export interface Comparison {
  rows: ComparisonRow[];
  /** Machine or configuration differences between the runs. */
  warnings: string[];
  /** Rows with verdict ✖. */
  regressions: ComparisonRow[];
  onlyInBase: string[];
  onlyInNew: string[];
  thresholds: ThresholdExpression[];
}

/** Knobs of the decision. */
export interface ComparisonOptions {
  /** Mann-Whitney significance level (asv: 0.002). */
  alpha: number;
  /** Relative noise floor for stage metrics. */
  noise: number;
  /** Relative noise floor for quality figures. */
  qualityNoise: number;
  /** Thresholds (merged over the defaults unless useDefaults is false). */
  thresholds?: ThresholdMap;
  useDefaults?: boolean;
}

/** Quality figures with no better direction (counts and sizes): reported by reports, not judged here. */
const undirectedQuality = new Set(['clusterCount', 'hierarchyDepth', 'silhouetteSampleSize']);

/** asv's significance level and our noise floors. */
export const defaultComparisonOptions: ComparisonOptions = { alpha: 0.002, noise: 0.05, qualityNoise: 0.005 };

function interval(samples: number[], noise: number): [number, number] {
  const med = medianOf(samples);
  const band: [number, number] = [med * (1 - noise), med * (1 + noise)];
  return [Math.min(band[0], ...samples), Math.max(band[1], ...samples)];
}

/** Is the difference between two samples real? (asv's is_different, with our interval fallback.) */
export function isSignificant(a: number[], b: number[], alpha: number, noise: number): { significant: boolean; test: ComparisonRow['test']; p?: number } {
  if (a.length >= 2 && b.length >= 2 && minimumPValue(a.length, b.length) < alpha) {
    const { p } = mannWhitneyU(a, b);
    return { significant: p < alpha, test: 'mann-whitney', p };
  }
  const [alo, ahi] = interval(a, noise);
  const [blo, bhi] = interval(b, noise);
  return { significant: ahi < blo || bhi < alo, test: 'interval-overlap' };
}

function decide(row: Omit<ComparisonRow, 'verdict' | 'significant' | 'test' | 'p'>, a: number[], b: number[], alpha: number, noise: number, lowerBetter: boolean): ComparisonRow {
  if (!(row.base !== 0 && Number.isFinite(row.ratio))) return { ...row, test: 'interval-overlap', significant: false, verdict: '~', note: 'BASE is zero or missing: no ratio' };
  const sig = isSignificant(a, b, alpha, noise);
  const worse = lowerBetter ? row.ratio > 1 : row.ratio < 1;
  if (!sig.significant) return { ...row, ...sig, verdict: '~' };
  if (row.threshold && !thresholdHolds(row.threshold, row.ratio)) {
    return { ...row, ...sig, verdict: '✖', note: `${row.ratio.toFixed(3)}x breaks threshold ${formatThreshold(row.threshold)}` };
  }
  return { ...row, ...sig, verdict: '✔', ...(worse && !row.threshold ? { note: 'worse, but no threshold is set for this metric' } : {}) };
}

function machineWarnings(base: RunResults, next: RunResults): string[] {
  const a = base.machine, b = next.machine;
  const out: string[] = [];
  const diff = (name: string, x: unknown, y: unknown): void => { if (x !== y) out.push(`different ${name}: BASE ${String(x)} vs NEW ${String(y)}`); };
  diff('machine (hostname)', a.hostname, b.hostname);
  diff('CPU', a.cpuModel, b.cpuModel);
  diff('core count', a.cores, b.cores);
  diff('memory', a.totalMemBytes, b.totalMemBytes);
  diff('Node version', a.nodeVersion, b.nodeVersion);
  const pa = (base.profile ?? {}) as Record<string, unknown>, pb = (next.profile ?? {}) as Record<string, unknown>;
  for (const k of ['stages', 'input', 'seed', 'repeats', 'warmup', 'limits']) {
    if (JSON.stringify(pa[k]) !== JSON.stringify(pb[k])) out.push(`different configuration: profile "${k}" differs between BASE and NEW; the comparison mixes code and config changes`);
  }
  return out;
}

/** Compare NEW against BASE. */
export function compareRuns(base: RunResults, next: RunResults, options: Partial<ComparisonOptions> = {}): Comparison {
  const opts = { ...defaultComparisonOptions, ...options };
  const thresholds = resolveThresholds(opts.thresholds, opts.useDefaults ?? true);
  const rows: ComparisonRow[] = [];
  const baseCells = new Map(runCells(base).map((c) => [c.key, c]));
  const newCells = new Map(runCells(next).map((c) => [c.key, c]));
  const onlyInBase = [...baseCells.keys()].filter((k) => !newCells.has(k));
  const onlyInNew = [...newCells.keys()].filter((k) => !baseCells.has(k));
  for (const [key, nc] of newCells) {
    const bc: Cell | undefined = baseCells.get(key);
    if (!bc) continue;
    if (bc.status !== nc.status && (bc.status === 'ok' || nc.status === 'ok')) {
      const broke = bc.status === 'ok';
      rows.push({ cell: key, scale: nc.scale, metric: 'status', unit: '', base: NaN, new: NaN, ratio: NaN, baseSamples: bc.records.length, newSamples: nc.records.length, test: 'status', significant: true, verdict: broke ? '✖' : '✔', note: `status ${bc.status} -> ${nc.status}${broke ? `: ${nc.records.find((r) => r.reason)?.reason ?? ''}` : ''}` });
      continue;
    }
    if (bc.status !== 'ok' || nc.status !== 'ok') continue;
    for (const metric of Object.keys(stageMetrics) as StageMetricName[]) {
      const a = cellSamples(bc, metric), b = cellSamples(nc, metric);
      if (a.length === 0 || b.length === 0) continue;
      const baseV = medianOf(a), newV = medianOf(b);
      const threshold = findThreshold(thresholds, nc.stage, nc.method, metric);
      rows.push(decide({ cell: key, scale: nc.scale, metric, unit: stageMetrics[metric].unit, base: baseV, new: newV, ratio: newV / baseV, baseSamples: a.length, newSamples: b.length, threshold }, a, b, opts.alpha, opts.noise, stageMetrics[metric].better === 'lower'));
    }
  }
  const baseQ = new Map(base.scales.map((s) => [s.scale, s.quality]));
  for (const s of next.scales) {
    const bq = baseQ.get(s.scale);
    if (!bq) continue;
    const a = qualityFigures(bq), b = qualityFigures(s.quality);
    for (const metric of Object.keys(b)) {
      if (a[metric] === undefined || undirectedQuality.has(metric)) continue;
      const threshold = findThreshold(thresholds, 'quality', undefined, metric);
      rows.push(decide({ cell: `quality@${s.scale}`, scale: s.scale, metric, unit: '', base: a[metric], new: b[metric], ratio: b[metric] / a[metric], baseSamples: 1, newSamples: 1, threshold }, [a[metric]], [b[metric]], opts.alpha, opts.qualityNoise, lowerIsBetterQuality.has(metric)));
    }
  }
  return { rows, warnings: machineWarnings(base, next), regressions: rows.filter((r) => r.verdict === '✖'), onlyInBase, onlyInNew, thresholds };
}
