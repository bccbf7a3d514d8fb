/**
 * reduce/pca: principal component analysis that is fast on 100K x 384. The covariance matrix is accumulated by a
 * blocked kernel (covariance-kernel.ts; rows split across `threads` worker threads in the stage), eigen-decomposed
 * with ml-matrix (d x d, symmetric), and the data projected onto only the kept components. Writes `reduced`
 * (n x components). Signs follow a fixed rule (largest-magnitude loading positive) so a seed reproduces the output.
 *
 * Why hand-written: ml-pca 4 (SVD of the whole n x d matrix as float64 arrays) takes 14 s at 10K and 145 s at 100K
 * here. The covariance kernel runs 2.4 G multiply-adds/s on one core (a rank-1 update loop: 0.44).
 */
import { symmetricEigenDescending } from '../../kernels/symmetric-eigen.js';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { booleanOption, enumOption, integerOption } from '../../stage-options.js';
import { z } from 'zod/v4';
import { columnMeans, covarianceMatrix, covarianceMatrixParallel } from '../../kernels/covariance-kernel.js';
import { packPoints, type PackedPoints } from '../../kernels/packed-points.js';
import { timesRows } from '../../kernels/packed-products.js';
import { randomizedPca } from '../../kernels/randomized-svd.js';

/**
 * `full`: eigen decomposition of the d x d covariance, float64 throughout (exact: explained-variance ratios to
 * 1e-9); `randomized`: Halko et al. subspace iteration on the f32 SIMD tiles (randomized-svd.ts; variances to about
 * 1e-6); `auto`: scikit-learn's rule, randomized when the input is larger than 500 x 500 in either direction and
 * components < 0.8 min(n, d), else full.
 */
export type PcaSolver = 'auto' | 'full' | 'randomized';

/** The solver `auto` picks for n x d -> k. */
export function resolvePcaSolver(solver: PcaSolver, n: number, d: number, k: number): 'full' | 'randomized' {
  if (solver !== 'auto') return solver;
  return Math.max(n, d) > 500 && k < 0.8 * Math.min(n, d) ? 'randomized' : 'full';
}

/** Options for PCA. */
export interface PcaOptions {
  components: number;
  /** Reduce `embeddings` (default) or whatever vectors exist. */
  field: VectorField;
  /** Divide each component by its standard deviation. */
  whiten: boolean;
  /** Threads for the covariance (this one plus workers). Default 1: on the shared 2-core machine 2 threads measured
   * slower (100K x 384: 4.34 s vs 3.94 s), the other core being busy; set 2+ on an idle multi-core machine. */
  threads: number;
  solver: PcaSolver;
  /** Randomized solver: power iterations (default 7 when components < 0.1 min(n, d), else 4). */
  iterations?: number;
}

/** A fitted PCA and the projected data. */
export interface PcaResult {
  /** n x components. */
  projected: Matrix;
  /** components x d, row c is the c-th principal axis. */
  axes: Float64Array;
  mean: Float64Array;
  /** Variance along each kept axis (eigenvalues of the covariance, n - 1 denominator, as scikit-learn). */
  explainedVariance: Float64Array;
  /** explainedVariance / total variance. */
  explainedVarianceRatio: Float64Array;
}

/** Options of `pca`. */
export interface PcaRunOptions {
  whiten?: boolean;
  onProgress?: (label: string) => void;
  /** Precomputed column means and covariance (e.g. from covarianceMatrixParallel). */
  mean?: Float64Array;
  cov?: Float64Array;
  /** Default `full` when cov is given, else `auto`. */
  solver?: PcaSolver;
  /** Seed of the randomized solver's test matrix. */
  seed?: number;
  iterations?: number;
}

/** Fit PCA on x and project x onto the first `components` axes. */
export function pca(x: Matrix, components: number, opts: PcaRunOptions = {}): PcaResult {
  const { rows: n, cols: d, data } = x;
  if (n < 2) throw new Error(`PCA needs at least 2 rows, got ${n}`);
  const k = Math.max(1, Math.min(components, d, n));
  const solver = resolvePcaSolver(opts.solver ?? (opts.cov ? 'full' : 'auto'), n, d, k);
  // Randomized: packed (centred) points for the dot tiles (SIMD, else the scalar engine).
  const P: PackedPoints | undefined = solver === 'randomized' ? packPoints(data, n, d) : undefined;
  const mean = P ? P.shift : (opts.mean ?? columnMeans(x));
  let total = 0;
  const axes = new Float64Array(k * d);
  const ev = new Float64Array(k);
  const ratio = new Float64Array(k);
  const fix = (c: number, get: (j: number) => number, variance: number): void => {
    // Sign rule: the largest-magnitude loading is positive.
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(get(j)) > Math.abs(big)) big = get(j);
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) axes[c * d + j] = sign * get(j);
    ev[c] = Math.max(0, variance);
  };
  if (solver === 'randomized' && P) {
    for (let i = 0; i < n; i++) total += P.norms[i];
    total /= n - 1;
    const r = randomizedPca(P, k, { seed: opts.seed ?? 0, iterations: opts.iterations }, opts.onProgress);
    for (let c = 0; c < k; c++) fix(c, (j) => r.axes[c * d + j], r.variances[c]);
  } else {
    const cov = opts.cov ?? covarianceMatrix(x, mean, (r) => opts.onProgress?.(`covariance ${r}/${n}`));
    const eig = symmetricEigenDescending(cov, d);
    for (let i = 0; i < d; i++) total += cov[i * d + i];
    for (let c = 0; c < k; c++) fix(c, (j) => eig.vector(c, j), eig.values[c]);
  }
  for (let c = 0; c < k; c++) ratio[c] = total > 0 ? ev[c] / total : 0;
  opts.onProgress?.('eigen');
  // Project onto the kept axes only: out = x . W - mean . W.
  const out = new Float32Array(n * k);
  const shift = new Float64Array(k);
  const w32 = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      s += mean[j] * axes[c * d + j];
      w32[c * d + j] = axes[c * d + j];
    }
    shift[c] = s;
  }
  const scale = new Float64Array(k);
  for (let c = 0; c < k; c++) scale[c] = opts.whiten && ev[c] > 0 ? 1 / Math.sqrt(ev[c]) : 1;
  if (P) {
    const y = timesRows(P, w32, k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = y[i * k + c] * scale[c];
  } else
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let c = 0; c < k; c++) {
        const wo = c * d;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let j = 0;
        for (; j + 3 < d; j += 4) {
          s0 += data[o + j] * w32[wo + j];
          s1 += data[o + j + 1] * w32[wo + j + 1];
          s2 += data[o + j + 2] * w32[wo + j + 2];
          s3 += data[o + j + 3] * w32[wo + j + 3];
        }
        for (; j < d; j++) s0 += data[o + j] * w32[wo + j];
        out[i * k + c] = (s0 + s1 + s2 + s3 - shift[c]) * scale[c];
      }
    }
  return {
    projected: { rows: n, cols: k, data: out },
    axes,
    mean,
    explainedVariance: ev,
    explainedVarianceRatio: ratio,
  };
}

export const pcaReducer: StageDefinition<PcaOptions> = {
  kind: 'reduce',
  method: 'pca',
  reads: ['embeddings', 'reduced'],
  writes: ['reduced'],
  options: z.strictObject({
    components: integerOption(1).default(10),
    field: vectorFieldOption('embeddings'),
    whiten: booleanOption().default(false),
    threads: integerOption(1).default(1),
    solver: enumOption(['auto', 'full', 'randomized']).default('auto'),
    iterations: integerOption(0).optional(),
  }),
  async run(input: PipelineData, opts: PcaOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'reduce/pca');
    const solver = resolvePcaSolver(opts.solver, x.rows, x.cols, Math.min(opts.components, x.cols, x.rows));
    const base = {
      whiten: opts.whiten,
      solver,
      seed: ctx.seed,
      iterations: opts.iterations,
      onProgress: (l: string) => ctx.sample(l),
    };
    let res: PcaResult;
    if (solver === 'full' && opts.threads > 1) {
      // The covariance split over worker threads.
      const mean = columnMeans(x);
      const cov = await covarianceMatrixParallel(x, mean, opts.threads);
      ctx.sample('covariance');
      res = pca(x, opts.components, { ...base, mean, cov });
    } else res = pca(x, opts.components, base);
    ctx.count('solver', solver === 'full' ? 0 : 1);
    ctx.count('components', res.projected.cols);
    ctx.count(
      'explainedVarianceRatio',
      res.explainedVarianceRatio.reduce((a, b) => a + b, 0),
    );
    return { reduced: res.projected };
  },
};
