/**
 * Compare two runs cell by cell (stage x method x scale) and per-scale quality, with a verdict per metric:
 *  - significance (significance-test.ts): a Mann-Whitney U test when both sides have the repeats for it to reach
 *    alpha (default 0.002, as asv), a bootstrap interval of the ratio of medians from 5 repeats a side, else whether
 *    the [min, max] intervals widened by a noise floor overlap. Every verdict says which test decided it and, when
 *    the U test could not, why;
 *  - a threshold (threshold-expression.ts) on the ratio NEW/BASE. The default thresholds judge stage CPU time and
 *    peak memory, which a busy shared machine barely moves; wall time and throughput are reported, and judged only
 *    when asked (`judgeWall`, `compare --wall`, or a wall_p50/throughput threshold in the profile).
 * Verdicts: ✖ significant and beyond its threshold (a regression), ✔ within thresholds, ~ not significant.
 * A cell that was ok in BASE and broke in NEW (oom, timeout, error...) is always a regression.
 * Warnings name what differs between the runs besides the code: machine, Node version, isolation mode, profile
 * configuration, and the vectors quality's internal metrics were computed on (those rows are then not judged).
 */
import type { RunResults } from '../types.js';
import {
  cellSamples,
  lowerIsBetterQuality,
  medianOf,
  qualityFigures,
  runCells,
  stageMetrics,
  type Cell,
  type StageMetricName,
} from '../analysis/cell-metrics.js';
import {
  findThreshold,
  formatThreshold,
  resolveThresholds,
  thresholdHolds,
  wallThresholds,
  type ThresholdExpression,
  type ThresholdMap,
} from './threshold-expression.js';
import { describeTests, judgeSignificance, type SignificanceTestName } from './significance-test.js';
import { comparisonWarnings, internalVectorsDiffer } from './comparison-warnings.js';
import { deriveSeed } from '../../pipeline/support/seeded-random.js';

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
  test: SignificanceTestName | 'status';
  p?: number;
  /** bootstrap-ratio: the (1 - alpha) interval of the ratio of medians. */
  ratioCi?: [number, number];
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
  /** Which tests decided the rows, in words (and why the U test did not, where it could not). */
  tests: string[];
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
  /** Also judge wall time and throughput (default thresholds `*.wall_p50: "<1.10x"`, `*.throughput: ">0.91x"`). */
  judgeWall?: boolean;
}

/** Quality figures with no better direction (counts and sizes): reported by reports, not judged here. */
const undirectedQuality = new Set(['clusterCount', 'hierarchyDepth', 'silhouetteSampleSize']);
/** Quality figures computed on vectors (not on labels alone): not comparable when the vectors differ. */
const internalQuality = new Set(['silhouette', 'daviesBouldin', 'calinskiHarabasz']);

/** asv's significance level and our noise floors. */
export const defaultComparisonOptions: ComparisonOptions = { alpha: 0.002, noise: 0.05, qualityNoise: 0.005 };

/** Metrics that a busy machine moves: reported always, judged only when asked. */
const wallMetrics = new Set(['wall_p50', 'throughput']);

function decide(
  row: Omit<ComparisonRow, 'verdict' | 'significant' | 'test' | 'p'>,
  a: number[],
  b: number[],
  alpha: number,
  noise: number,
  lowerBetter: boolean,
): ComparisonRow {
  if (!(row.base !== 0 && Number.isFinite(row.ratio)))
    return {
      ...row,
      test: 'interval-overlap',
      significant: false,
      verdict: '~',
      note: 'BASE is zero or missing: no ratio',
    };
  const sig = judgeSignificance(a, b, { alpha, noise, seed: deriveSeed(0x5eed, `${row.cell}:${row.metric}`) });
  const worse = lowerBetter ? row.ratio > 1 : row.ratio < 1;
  if (!sig.significant) return { ...row, ...sig, verdict: '~' };
  if (row.threshold && !thresholdHolds(row.threshold, row.ratio)) {
    return {
      ...row,
      ...sig,
      verdict: '✖',
      note: `${row.ratio.toFixed(3)}x breaks threshold ${formatThreshold(row.threshold)}`,
    };
  }
  if (worse && !row.threshold && wallMetrics.has(row.metric))
    return {
      ...row,
      ...sig,
      verdict: '✔',
      note: 'worse, reported but not judged: wall time moves with machine load (pass --wall to judge it)',
    };
  return {
    ...row,
    ...sig,
    verdict: '✔',
    ...(worse && !row.threshold ? { note: 'worse, but no threshold is set for this metric' } : {}),
  };
}

/** Compare NEW against BASE. */
export function compareRuns(base: RunResults, next: RunResults, options: Partial<ComparisonOptions> = {}): Comparison {
  const opts = { ...defaultComparisonOptions, ...options };
  const thresholds = resolveThresholds(
    { ...(opts.judgeWall ? wallThresholds : {}), ...(opts.thresholds ?? {}) },
    opts.useDefaults ?? true,
  );
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
      rows.push({
        cell: key,
        scale: nc.scale,
        metric: 'status',
        unit: '',
        base: NaN,
        new: NaN,
        ratio: NaN,
        baseSamples: bc.records.length,
        newSamples: nc.records.length,
        test: 'status',
        significant: true,
        verdict: broke ? '✖' : '✔',
        note: `status ${bc.status} -> ${nc.status}${broke ? `: ${nc.records.find((r) => r.reason)?.reason ?? ''}` : ''}`,
      });
      continue;
    }
    if (bc.status !== 'ok' || nc.status !== 'ok') continue;
    for (const metric of Object.keys(stageMetrics) as StageMetricName[]) {
      const a = cellSamples(bc, metric),
        b = cellSamples(nc, metric);
      if (a.length === 0 || b.length === 0) continue;
      const baseV = medianOf(a),
        newV = medianOf(b);
      const threshold = findThreshold(thresholds, nc.stage, nc.method, metric);
      rows.push(
        decide(
          {
            cell: key,
            scale: nc.scale,
            metric,
            unit: stageMetrics[metric].unit,
            base: baseV,
            new: newV,
            ratio: newV / baseV,
            baseSamples: a.length,
            newSamples: b.length,
            threshold,
          },
          a,
          b,
          opts.alpha,
          opts.noise,
          stageMetrics[metric].better === 'lower',
        ),
      );
    }
  }
  const baseQ = new Map(base.scales.map((s) => [s.scale, s.quality]));
  for (const s of next.scales) {
    const bq = baseQ.get(s.scale);
    if (!bq) continue;
    const a = qualityFigures(bq),
      b = qualityFigures(s.quality);
    const vectorsDiffer = internalVectorsDiffer(bq, s.quality);
    for (const metric of Object.keys(b)) {
      if (a[metric] === undefined || undirectedQuality.has(metric)) continue;
      if (vectorsDiffer && internalQuality.has(metric)) {
        rows.push({
          cell: `quality@${s.scale}`,
          scale: s.scale,
          metric,
          unit: '',
          base: a[metric],
          new: b[metric],
          ratio: b[metric] / a[metric],
          baseSamples: 1,
          newSamples: 1,
          test: 'interval-overlap',
          significant: false,
          verdict: '~',
          note: `not judged: ${vectorsDiffer}`,
        });
        continue;
      }
      const threshold = findThreshold(thresholds, 'quality', undefined, metric);
      rows.push(
        decide(
          {
            cell: `quality@${s.scale}`,
            scale: s.scale,
            metric,
            unit: '',
            base: a[metric],
            new: b[metric],
            ratio: b[metric] / a[metric],
            baseSamples: 1,
            newSamples: 1,
            threshold,
          },
          [a[metric]],
          [b[metric]],
          opts.alpha,
          opts.qualityNoise,
          lowerIsBetterQuality.has(metric),
        ),
      );
    }
  }
  const stageRows = rows.filter((r) => r.test !== 'status' && !r.cell.startsWith('quality@'));
  const tests = describeTests(
    stageRows.map((r) => ({ test: r.test as SignificanceTestName, na: r.baseSamples, nb: r.newSamples })),
    opts.alpha,
    opts.noise,
  );
  if (rows.some((r) => r.cell.startsWith('quality@')))
    tests.push(
      `Quality figures: one seeded value per scale, a change counted beyond a ±${+(opts.qualityNoise * 100).toFixed(2)}% floor.`,
    );
  return {
    rows,
    warnings: comparisonWarnings(base, next),
    regressions: rows.filter((r) => r.verdict === '✖'),
    onlyInBase,
    onlyInNew,
    thresholds,
    tests,
  };
}
