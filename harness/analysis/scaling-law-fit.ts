/**
 * Scaling laws (issue 6). For each stage, fit the candidate complexities 1, log n, n, n log n, n², n³ to median wall
 * time and to peak stage memory as y = c·f(n) by least squares, and pick the one with the lowest normalised RMS
 * (RMS of residuals / mean of y), as Google Benchmark's `oAuto` does. Also fit a power law y = a·n^b by log-log
 * regression (simple-statistics), with a t-based 95% CI for b and prediction intervals used to extrapolate to the
 * target scales; anything outside the measured range is marked `extrapolated`.
 */
import { linearRegression } from 'simple-statistics';
import { tQuantile95 } from './t-quantile-95.js';
import type { RunResults, StageRecord } from '../types.js';
import { isMeasuredStatus } from '../sweep/cell-status.js';
import { medianOf, runCells } from './cell-metrics.js';
import { defaultScalingSpec, scalingSpecSchema, type ScalingSpec } from '../profile/scaling-schema.js';
import type { Complexity, ComplexityFit, PowerLawFit, EstimateBasis, ScalingEstimate, ScalingFit, ScalingSection } from '../types.js';
export type { Complexity, ComplexityFit, PowerLawFit, EstimateBasis, ScalingEstimate, ScalingFit, ScalingSection } from '../types.js';

/** The candidates, simplest first (ties go to the simpler one). log is base 2, as in Google Benchmark. */
export const complexityFunctions: Record<Complexity, (n: number) => number> = {
  '1': () => 1,
  logn: (n) => Math.log2(n),
  n: (n) => n,
  nlogn: (n) => n * Math.log2(n),
  'n^2': (n) => n * n,
  'n^3': (n) => n * n * n,
};

/** Big-O text for a complexity: "O(n log n)". */
export const bigO = (c: Complexity): string => ({ '1': 'O(1)', logn: 'O(log n)', n: 'O(n)', nlogn: 'O(n log n)', 'n^2': 'O(n²)', 'n^3': 'O(n³)' })[c];

/** Least-squares fit of y = c·f(n) for each candidate; `best` has the lowest normalised RMS (oAuto). */
export function fitComplexities(ns: number[], ys: number[]): { candidates: ComplexityFit[]; best: Complexity } {
  if (ns.length !== ys.length || ns.length === 0) throw new Error('fitComplexities: need equal, non-empty n and y lists');
  const mean = ys.reduce((s, y) => s + y, 0) / ys.length;
  const candidates = (Object.keys(complexityFunctions) as Complexity[]).map((complexity) => {
    const f = ns.map(complexityFunctions[complexity]);
    let fy = 0;
    let ff = 0;
    for (let i = 0; i < f.length; i++) {
      fy += f[i] * ys[i];
      ff += f[i] * f[i];
    }
    const coefficient = ff > 0 ? fy / ff : 0;
    let ss = 0;
    for (let i = 0; i < f.length; i++) ss += (ys[i] - coefficient * f[i]) ** 2;
    const rms = Math.sqrt(ss / f.length);
    return { complexity, coefficient, rms, nrms: mean !== 0 ? rms / Math.abs(mean) : rms };
  });
  let best = candidates[0];
  for (const c of candidates) if (c.nrms < best.nrms) best = c;
  return { candidates, best: best.complexity };
}

/** Log-log regression of y = a·n^b. Needs >= 2 distinct scales with y > 0. */
export function fitPowerLaw(ns: number[], ys: number[]): (PowerLawFit & { predict(n: number): { estimate: number; low: number | null; high: number | null } }) | null {
  const pts = ns.map((n, i) => [Math.log(n), Math.log(ys[i])] as [number, number]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
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
  const bCi95: [number, number] | null = sd !== null ? [b - t * sd / Math.sqrt(sxx), b + t * sd / Math.sqrt(sxx)] : null;
  return {
    a: Math.exp(lnA), b, bCi95, r2: sst > 0 ? 1 - ssr / sst : 1, logResidualSd: sd,
    predict(n: number) {
      const x = Math.log(n);
      const yhat = lnA + b * x;
      if (sd === null) return { estimate: Math.exp(yhat), low: null, high: null };
      const half = t * sd * Math.sqrt(1 + 1 / k + (x - xbar) ** 2 / sxx);
      return { estimate: Math.exp(yhat), low: Math.exp(yhat - half), high: Math.exp(yhat + half) };
    },
  };
}

/** Fit one metric's per-scale values and estimate it at the targets. `offset` is added back to every estimate. */
export function fitScaling(stage: string, metric: ScalingFit['metric'], measured: { scale: number; value: number }[], targets: number[], offset = 0): ScalingFit | null {
  const pts = measured.filter((p) => p.scale > 0 && Number.isFinite(p.value) && p.value > 0).sort((a, b) => a.scale - b.scale);
  if (pts.length < 2) return null;
  const ns = pts.map((p) => p.scale);
  const ys = pts.map((p) => p.value);
  const { candidates, best } = fitComplexities(ns, ys);
  const power = fitPowerLaw(ns, ys);
  const coef = candidates.find((c) => c.complexity === best)!.coefficient;
  const lo = ns[0];
  const hi = ns[ns.length - 1];
  const estimates = targets.map((scale): ScalingEstimate => {
    const classEstimate = coef * complexityFunctions[best](scale) + offset;
    const hit = pts.find((p) => p.scale === scale);
    if (hit) return { scale, estimate: hit.value + offset, low: null, high: null, classEstimate, basis: 'measured' };
    const pred = power?.predict(scale) ?? { estimate: classEstimate - offset, low: null, high: null };
    return {
      scale, estimate: pred.estimate + offset, low: pred.low === null ? null : pred.low + offset, high: pred.high === null ? null : pred.high + offset,
      classEstimate, basis: scale >= lo && scale <= hi ? 'interpolated' : 'extrapolated',
    };
  });
  let powerLaw: PowerLawFit | null = null;
  if (power) powerLaw = { a: power.a, b: power.b, bCi95: power.bCi95, r2: power.r2, logResidualSd: power.logResidualSd };
  return { stage, metric, measured: pts, measuredMin: lo, measuredMax: hi, offset, candidates, best, bigO: bigO(best), powerLaw, estimates };
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

/** Build `sections.scaling` from a run: time and memory fits per stage, and the pipeline's peak RSS. */
export function scalingSection(results: RunResults): ScalingSection {
  const { targets } = scalingSpecOf(results);
  const perStage = new Map<string, { time: { scale: number; value: number }[]; cpu: { scale: number; value: number }[]; memory: { scale: number; value: number }[] }>();
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
    for (const f of [fitScaling(stage, 'wallMs', time, targets), fitScaling(stage, 'cpuMs', cpu, targets), fitScaling(stage, 'memoryBytes', memory, targets)]) if (f) fits.push(f);
  }
  const base = baselineRss(results);
  const growth = pipelinePeakRss(results).map((p) => ({ scale: p.scale, value: p.value - base }));
  const rss = fitScaling('pipeline', 'rssBytes', growth, targets, base);
  if (rss) fits.push(rss);
  return { targets, confidence: 0.95, fits };
}
