/**
 * Randomized PCA (Halko, Martinsson & Tropp 2011, Algorithm 4.4, as scikit-learn's randomized_svd): a Gaussian test
 * matrix of l = k + oversamples columns, `iterations` rounds of subspace iteration (Y = X Z, Z = orth(X^T Y)), then
 * Q = orth(Y), B = Q^T X and the eigen decomposition of the l x l matrix B B^T. Every pass over X is a tile of the
 * SIMD dot kernel (packed-products.ts); orthonormalisation is float64 (Cholesky QR twice for the n x l basis,
 * modified Gram-Schmidt for the d x l one, every round).
 */
import { symmetricEigenDescending } from './symmetric-eigen.js';
import { gaussian, mulberry32 } from '../support/seeded-random.js';
import type { PackedPoints } from './packed-points.js';
import { timesRows, transposeTimes } from './packed-products.js';

/** Options of randomizedPca. */
export interface RandomizedPcaOptions {
  seed: number;
  /** Extra test vectors beyond k (scikit-learn: 10). */
  oversamples?: number;
  /** Power (subspace) iterations; default as scikit-learn: 7 when k < 0.1 min(n, d), else 4. */
  iterations?: number;
}

/** The top-k principal axes (k x d rows) and their variances (n - 1 denominator). */
export interface RandomizedPcaResult {
  axes: Float64Array;
  variances: Float64Array;
}

/** Orthonormalise the l columns of a row-major r x l matrix in place (modified Gram-Schmidt, twice). */
function gramSchmidt(a: Float64Array, r: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      for (let p = 0; p < c; p++) {
        let s = 0;
        for (let i = 0; i < r; i++) s += a[i * l + c] * a[i * l + p];
        for (let i = 0; i < r; i++) a[i * l + c] -= s * a[i * l + p];
      }
      let s = 0;
      for (let i = 0; i < r; i++) s += a[i * l + c] * a[i * l + c];
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let i = 0; i < r; i++) a[i * l + c] *= inv;
    }
  }
}

/**
 * Cholesky QR of a row-major r x l matrix in place: G = A^T A = R^T R, A <- A R^-1. Row-wise, so it streams A
 * twice; run twice for a basis orthonormal to float64 precision. A rank-deficient column is zeroed.
 */
function choleskyQr(a: Float64Array, r: number, l: number): void {
  const g = new Float64Array(l * l);
  for (let i = 0; i < r; i++) {
    const o = i * l;
    for (let p = 0; p < l; p++) {
      const v = a[o + p];
      for (let q = p; q < l; q++) g[p * l + q] += v * a[o + q];
    }
  }
  // Upper-triangular R with g = R^T R.
  const R = new Float64Array(l * l);
  for (let p = 0; p < l; p++) {
    let s = g[p * l + p];
    for (let t = 0; t < p; t++) s -= R[t * l + p] * R[t * l + p];
    const diag = s > 1e-300 ? Math.sqrt(s) : 0;
    R[p * l + p] = diag;
    for (let q = p + 1; q < l; q++) {
      let v = g[p * l + q];
      for (let t = 0; t < p; t++) v -= R[t * l + p] * R[t * l + q];
      R[p * l + q] = diag > 0 ? v / diag : 0;
    }
  }
  // Each row x <- x R^-1 (forward substitution on x = y R).
  const y = new Float64Array(l);
  for (let i = 0; i < r; i++) {
    const o = i * l;
    for (let q = 0; q < l; q++) {
      let v = a[o + q];
      for (let t = 0; t < q; t++) v -= y[t] * R[t * l + q];
      y[q] = R[q * l + q] > 0 ? v / R[q * l + q] : 0;
    }
    for (let q = 0; q < l; q++) a[o + q] = y[q];
  }
}

/** Row-major r x l float64 to l rows of r floats (the layout timesRows takes). */
function columnsAsRows(a: Float64Array, r: number, l: number): Float32Array {
  const out = new Float32Array(l * r);
  for (let i = 0; i < r; i++) for (let c = 0; c < l; c++) out[c * r + i] = a[i * l + c];
  return out;
}

/** Top-k principal axes of packed (centred) points by randomized subspace iteration. */
export function randomizedPca(
  P: PackedPoints,
  k: number,
  opts: RandomizedPcaOptions,
  onProgress?: (label: string) => void,
): RandomizedPcaResult {
  const { n, d } = P;
  const l = Math.max(k, Math.min(k + (opts.oversamples ?? 10), d, n));
  const iterations = opts.iterations ?? (k < 0.1 * Math.min(n, d) ? 7 : 4);
  const rand = mulberry32(opts.seed);
  const omega = new Float32Array(l * d);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(rand);
  let y = timesRows(P, omega, l);
  for (let it = 0; it < iterations; it++) {
    // Only Z (d x l) is re-orthonormalised each round: cheap, and it keeps Y = X Z well scaled.
    const z = transposeTimes(P, y, l);
    gramSchmidt(z, d, l);
    y = timesRows(P, columnsAsRows(z, d, l), l);
    onProgress?.(`power iteration ${it + 1}/${iterations}`);
  }
  choleskyQr(y, n, l);
  choleskyQr(y, n, l);
  // Bt = X^T Q (d x l) = B^T; B B^T = Bt^T Bt (l x l).
  const bt = transposeTimes(P, y, l);
  const m = new Float64Array(l * l);
  for (let j = 0; j < d; j++)
    for (let p = 0; p < l; p++) {
      const v = bt[j * l + p];
      for (let q = 0; q < l; q++) m[p * l + q] += v * bt[j * l + q];
    }
  const eig = symmetricEigenDescending(m, l);
  const axes = new Float64Array(k * d);
  const variances = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const s2 = Math.max(0, eig.values[c]);
    const inv = s2 > 0 ? 1 / Math.sqrt(s2) : 0;
    // Right singular vector v = B^T u / s.
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let p = 0; p < l; p++) v += bt[j * l + p] * eig.vector(c, p);
      axes[c * d + j] = v * inv;
    }
    variances[c] = s2 / Math.max(n - 1, 1);
  }
  return { axes, variances };
}
