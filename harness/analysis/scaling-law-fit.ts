/**
 * Scaling laws (issue 6, made honest in issue 10). For each stage, fit the candidate complexities 1, log n, n,
 * n log n, n², n³ to median wall time, CPU time and peak stage memory as y = c0 + c·f(n) (c0, c >= 0: the intercept
 * takes fixed costs such as pool start-up) by least squares on relative residuals, so the largest scale does not
 * decide alone. A class is named only when it beats every other growing class by `classMargin` in squared relative
 * residuals and its growth term is significant against a constant (F test, 95%); else the fit says "inconclusive".
 * Why: Google Benchmark's oAuto (y = c·f(n), plain RMS, no margin) called embed/hashing wall time O(n²) at
 * 625–10K. On 5 scales, 300 seeded series each, it names linear data O(n²) or O(n³) 11% of the time under the
 * lognormal σ = 0.3 noise of wall time on this loaded 2-core machine (repeats of one cell ranged 61–416 ms) and
 * linear-plus-fixed-cost data O(log n) or O(1) in 279-300 of 300 series when the fixed cost is 1-4x the linear part at
 * the largest scale; this fit names linear data O(n²)+ 1.4% of the time (the rest O(n), O(n log n) or inconclusive).
 * Also a power law y = a·n^b by log-log regression (simple-statistics), with a t-based 95% CI for b and prediction
 * intervals used to estimate the target scales. A fit needs >= 4 measured scales spanning >= 10x
 * (larger-scale-advice.ts); estimates reach at most 10x past the largest measured scale unless b's 95% interval is
 * narrower than ±0.1; beyond that an estimate is `not-measured` and says which scales to add to the profile.
 */
import { linearRegression } from 'simple-statistics';
import { tQuantile95 } from './t-quantile-95.js';
import type { RunResults, StageRecord } from '../types.js';
import { isMeasuredStatus } from '../sweep/cell-status.js';
import { medianOf, runCells } from './cell-metrics.js';
import { defaultScalingSpec, scalingSpecSchema, type ScalingSpec } from '../profile/scaling-schema.js';
import { fitSupported, largerScaleAdvice, maxExtrapolation, unsupportedFitReason } from './larger-scale-advice.js';
import type {
  Complexity,
  ComplexityFit,
  PowerLawFit,
  LowUniqueInput,
  ScalingEstimate,
  ScalingFit,
  ScalingSection,
} from '../types.js';
export type {
  Complexity,
  ComplexityFit,
  PowerLawFit,
  EstimateBasis,
  LowUniqueInput,
  ScalingEstimate,
  ScalingFit,
  ScalingSection,
} from '../types.js';

/** The candidates, simplest first. log is base 2, as in Google Benchmark. */
export const complexityFunctions: Record<Complexity, (n: number) => number> = {
  '1': () => 1,
  logn: (n) => Math.log2(n),
  n: (n) => n,
  nlogn: (n) => n * Math.log2(n),
  'n^2': (n) => n * n,
  'n^3': (n) => n * n * n,
};

/** Big-O text for a complexity: "O(n log n)". */
export const bigO = (c: Complexity): string =>
  ({ '1': 'O(1)', logn: 'O(log n)', n: 'O(n)', nlogn: 'O(n log n)', 'n^2': 'O(n²)', 'n^3': 'O(n³)' })[c];

/**
 * The runner-up's squared relative residuals must be at least this many times the best's. 3 keeps O(n) -> O(n²)+
 * misnaming at 0.4% on 2% noise and 1.4% on lognormal σ = 0.3, naming the right class 71% and 24% of the time.
 */
export const classMargin = 3;
/** b's 95% interval narrower than ± this: estimates may go past 10x the largest measured scale. */
export const exactExponentHalfWidth = 0.1;

/** Weighted least squares of y = c0 + c·x with weights 1/y², c0 and c kept >= 0; returns the weighted SS too. */
function fitWithIntercept(x: number[], ys: number[]): { c0: number; c: number; ss: number } {
  let s = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const w = 1 / (ys[i] * ys[i]);
    s += w;
    sx += w * x[i];
    sy += w * ys[i];
    sxx += w * x[i] * x[i];
    sxy += w * x[i] * ys[i];
  }
  const options: [number, number][] = [[sy / s, 0]];
  const det = s * sxx - sx * sx;
  if (det > 0) {
    const c = (s * sxy - sx * sy) / det,
      c0 = (sy - c * sx) / s;
    if (c0 >= 0 && c >= 0) options.push([c0, c]);
  }
  if (sxx > 0) options.push([0, Math.max(0, sxy / sxx)]);
  let best = { c0: 0, c: 0, ss: Infinity };
  for (const [c0, c] of options) {
    let ss = 0;
    for (let i = 0; i < x.length; i++) ss += ((ys[i] - c0 - c * x[i]) / ys[i]) ** 2;
    if (ss < best.ss) best = { c0, c, ss };
  }
  return best;
}

/** Every candidate's fit, the class (null when inconclusive) and, when null, why. Needs y > 0. */
export function fitComplexities(
  ns: number[],
  ys: number[],
): { candidates: ComplexityFit[]; best: Complexity | null; note?: string } {
  if (ns.length !== ys.length || ns.length === 0)
    throw new Error('fitComplexities: need equal, non-empty n and y lists');
  if (ys.some((y) => !(y > 0))) throw new Error('fitComplexities: every y must be > 0');
  const k = ns.length;
  const fits = (Object.keys(complexityFunctions) as Complexity[]).map((complexity) => {
    const x = ns.map(complexityFunctions[complexity]);
    const f =
      complexity === '1'
        ? fitWithIntercept(
            x.map(() => 0),
            ys,
          )
        : fitWithIntercept(x, ys);
    let ss = 0;
    for (let i = 0; i < k; i++) ss += (ys[i] - f.c0 - f.c * x[i]) ** 2;
    return {
      complexity,
      coefficient: f.c,
      intercept: f.c0,
      rms: Math.sqrt(ss / k),
      nrms: Math.sqrt(f.ss / k),
      ss: f.ss,
    };
  });
  const candidates: ComplexityFit[] = fits.map(({ ss: _ss, ...c }) => c);
  if (k < 3) return { candidates, best: null, note: `${k} scale${k === 1 ? '' : 's'}: too few to choose a class` };
  const [flat, ...growing] = fits;
  const best = growing.reduce((a, b) => (b.ss < a.ss ? b : a));
  // Relative residuals below 0.1% are measurement resolution, not model error.
  const floor = 1e-6 * k;
  const f = (flat.ss - best.ss) / (Math.max(best.ss, floor) / (k - 2));
  if (!(f > tQuantile95(k - 2) ** 2)) {
    const p = fitPowerLaw(ns, ys);
    if (p?.bCi95 && p.bCi95[1] < exactExponentHalfWidth) return { candidates, best: '1' };
    return { candidates, best: null, note: 'too much scatter to tell growth from a constant (F test, 95%)' };
  }
  const rivals = growing.filter((c) => c !== best && c.ss <= classMargin * Math.max(best.ss, floor));
  if (rivals.length) {
    const names = [best, ...rivals].sort((a, b) => a.ss - b.ss).map((c) => bigO(c.complexity));
    return { candidates, best: null, note: `${names.join(', ')} fit within ${classMargin}× of each other` };
  }
  return { candidates, best: best.complexity };
}

/** Log-log regression of y = a·n^b. Needs >= 2 distinct scales with y > 0. */
export function fitPowerLaw(
  ns: number[],
  ys: number[],
): (PowerLawFit & { predict(n: number): { estimate: number; low: number | null; high: number | null } }) | null {
  const pts = ns
    .map((n, i) => [Math.log(n), Math.log(ys[i])] as [number, number])
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const k = pts.length;
  const xbar = pts.reduce((s, p) => s + p[0], 0) / Math.max(k, 1);
  const sxx = pts.reduce((s, p) => s + (p[0] - xbar) ** 2, 0);
  if (k < 2 || sxx <= 0) return null;
  const { m: b, b: lnA } = linearRegression(pts);
  const ybar = pts.reduce((s, p) => s + p[1], 0) / k;
  let ssr = 0;
  let sst = 0;
  for (const [x, y] of pts) {
    ssr += (y - (lnA + b * x)) ** 2;
    sst += (y - ybar) ** 2;
  }
  const df = k - 2;
  const sd = df > 0 ? Math.sqrt(ssr / df) : null;
  const t = df > 0 ? tQuantile95(df) : NaN;
  const bCi95: [number, number] | null =
    sd !== null ? [b - (t * sd) / Math.sqrt(sxx), b + (t * sd) / Math.sqrt(sxx)] : null;
  return {
    a: Math.exp(lnA),
    b,
    bCi95,
    r2: sst > 0 ? 1 - ssr / sst : 1,
    logResidualSd: sd,
    predict(n: number) {
      const x = Math.log(n);
      const yhat = lnA + b * x;
      if (sd === null) return { estimate: Math.exp(yhat), low: null, high: null };
      const half = t * sd * Math.sqrt(1 + 1 / k + (x - xbar) ** 2 / sxx);
      return { estimate: Math.exp(yhat), low: Math.exp(yhat - half), high: Math.exp(yhat + half) };
    },
  };
}

/** Largest scale an estimate may claim: 10x the largest measured, no limit when b is known to ±0.1 (null). */
export function extrapolationReach(measuredMax: number, power: PowerLawFit | null): number | null {
  const ci = power?.bCi95;
  return ci && (ci[1] - ci[0]) / 2 < exactExponentHalfWidth ? null : measuredMax * maxExtrapolation;
}

/**
 * Fit one metric's per-scale values and estimate it at the targets. `offset` is added back to every estimate.
 * `profilePath` names the profile in a not-measured estimate's advice.
 */
export function fitScaling(
  stage: string,
  metric: ScalingFit['metric'],
  measured: { scale: number; value: number }[],
  targets: number[],
  offset = 0,
  profilePath = 'the profile',
): ScalingFit | null {
  const pts = measured
    .filter((p) => p.scale > 0 && Number.isFinite(p.value) && p.value > 0)
    .sort((a, b) => a.scale - b.scale);
  if (pts.length < 1) return null;
  const ns = pts.map((p) => p.scale);
  const ys = pts.map((p) => p.value);
  const supported = fitSupported(ns);
  const classes = supported ? fitComplexities(ns, ys) : { candidates: [], best: null, note: unsupportedFitReason(ns) };
  const power = fitPowerLaw(ns, ys);
  const powerLaw: PowerLawFit | null = power
    ? { a: power.a, b: power.b, bCi95: power.bCi95, r2: power.r2, logResidualSd: power.logResidualSd }
    : null;
  const best = classes.candidates.find((c) => c.complexity === classes.best);
  const lo = ns[0];
  const hi = ns[ns.length - 1];
  const reachMax = supported ? extrapolationReach(hi, powerLaw) : hi;
  const estimates = targets.map((scale): ScalingEstimate => {
    const classEstimate = best
      ? best.intercept + best.coefficient * complexityFunctions[best.complexity](scale) + offset
      : null;
    const hit = pts.find((p) => p.scale === scale);
    if (hit) return { scale, estimate: hit.value + offset, low: null, high: null, classEstimate, basis: 'measured' };
    const reachMin = reachMax === null ? 0 : lo / maxExtrapolation;
    if (!supported || !power || (reachMax !== null && scale > reachMax) || scale < reachMin) {
      return {
        scale,
        estimate: null,
        low: null,
        high: null,
        classEstimate: null,
        basis: 'not-measured',
        note: largerScaleAdvice(ns, scale, profilePath),
      };
    }
    const pred = power.predict(scale);
    return {
      scale,
      estimate: pred.estimate + offset,
      low: pred.low === null ? null : pred.low + offset,
      high: pred.high === null ? null : pred.high + offset,
      classEstimate,
      basis: scale >= lo && scale <= hi ? 'interpolated' : 'extrapolated',
    };
  });
  return {
    stage,
    metric,
    measured: pts,
    measuredMin: lo,
    measuredMax: hi,
    offset,
    candidates: classes.candidates,
    best: classes.best,
    bigO: classes.best ? bigO(classes.best) : 'inconclusive',
    ...(classes.note ? { classNote: classes.note } : {}),
    supported,
    reachMax,
    powerLaw,
    estimates,
  };
}

/** Stage memory of one run: peak (heapUsed + arrayBuffers) inside the worker, above the worker's starting heap. */
export function stageMemoryBytes(r: StageRecord): number {
  if (r.workerMemory.length === 0) return r.peakHeapUsedBytes + r.peakArrayBuffersBytes;
  const start = r.workerMemory[0].heapUsed;
  return Math.max(0, ...r.workerMemory.map((s) => s.heapUsed + s.arrayBuffers - start));
}

/** The run's `scaling:` settings (defaults when the profile has none). */
export function scalingSpecOf(results: RunResults): ScalingSpec {
  const raw = (results.profile as { scaling?: unknown } | null)?.scaling;
  const parsed = raw === undefined ? undefined : scalingSpecSchema.safeParse(raw);
  return parsed?.success ? parsed.data : defaultScalingSpec;
}

/** Process RSS before anything ran: the smallest pre-stage RSS of the run (0 when unknown). */
export function baselineRss(results: RunResults): number {
  const b = results.records.map((r) => r.baselineRssBytes).filter((v) => v > 0);
  return b.length ? Math.min(...b) : 0;
}

/** Per-scale pipeline peak RSS: the largest per-stage median peak RSS at each scale. */
export function pipelinePeakRss(results: RunResults): { scale: number; value: number }[] {
  const byScale = new Map<number, number>();
  for (const cell of runCells(results)) {
    const ok = cell.records.filter((x) => isMeasuredStatus(x.status));
    if (!ok.length) continue;
    const v = medianOf(ok.map((x) => x.peakRssBytes));
    byScale.set(cell.scale, Math.max(byScale.get(cell.scale) ?? 0, v));
  }
  return [...byScale].map(([scale, value]) => ({ scale, value })).sort((a, b) => a.scale - b.scale);
}

/** Under this fraction of unique texts, an input's projections are flagged. */
export const minUniqueFraction = 0.99;

/** Measured scales whose input had under 99% unique texts. */
export function lowUniqueInputs(results: RunResults): LowUniqueInput[] {
  return results.scales.flatMap((s) => {
    const u = s.input?.uniqueFraction;
    return u !== undefined && u < minUniqueFraction ? [{ scale: s.scale, uniqueFraction: u }] : [];
  });
}

/** The scales a run's tables show: the targets and every scale measured. */
export function tableScales(results: RunResults, targets: number[]): number[] {
  return [...new Set([...targets, ...results.records.map((r) => r.scale)])].sort((a, b) => a - b);
}

/** Build `sections.scaling` from a run: time and memory fits per stage, and the pipeline's peak RSS. */
export function scalingSection(results: RunResults): ScalingSection {
  const { targets } = scalingSpecOf(results);
  const at = tableScales(results, targets);
  const path = results.profilePath || 'the profile';
  const perStage = new Map<
    string,
    {
      time: { scale: number; value: number }[];
      cpu: { scale: number; value: number }[];
      memory: { scale: number; value: number }[];
    }
  >();
  for (const cell of runCells(results)) {
    const ok = cell.records.filter((x) => isMeasuredStatus(x.status));
    if (!ok.length) continue;
    const name = `${cell.stage}/${cell.method}`;
    const entry = perStage.get(name) ?? { time: [], cpu: [], memory: [] };
    entry.time.push({ scale: cell.scale, value: medianOf(ok.map((x) => x.wallMs)) });
    entry.cpu.push({ scale: cell.scale, value: medianOf(ok.map((x) => x.cpuUserMs + x.cpuSystemMs)) });
    entry.memory.push({ scale: cell.scale, value: medianOf(ok.map(stageMemoryBytes)) });
    perStage.set(name, entry);
  }
  const fits: ScalingFit[] = [];
  for (const [stage, { time, cpu, memory }] of perStage) {
    for (const f of [
      fitScaling(stage, 'wallMs', time, at, 0, path),
      fitScaling(stage, 'cpuMs', cpu, at, 0, path),
      fitScaling(stage, 'memoryBytes', memory, at, 0, path),
    ])
      if (f) fits.push(f);
  }
  const base = baselineRss(results);
  const growth = pipelinePeakRss(results).map((p) => ({ scale: p.scale, value: p.value - base }));
  const rss = fitScaling('pipeline', 'rssBytes', growth, at, base, path);
  if (rss) fits.push(rss);
  const low = lowUniqueInputs(results);
  return { targets, confidence: 0.95, fits, ...(low.length ? { lowUniqueInputs: low } : {}) };
}
