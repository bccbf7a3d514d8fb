/**
 * Seeded isotropic Gaussian blobs (as scikit-learn's make_blobs): the standard fixture for clustering benches and
 * tests. Centres are drawn uniformly in [-centerBox, centerBox]^d, points round them with standard deviation `std`.
 */
import type { Matrix } from '../pipeline/contracts.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';

/** Options for makeBlobs. */
export interface BlobOptions {
  n: number;
  d: number;
  /** Number of blobs. */
  centers: number;
  /** Standard deviation of each blob (default 1). */
  std?: number;
  /** Half-width of the box the centres are drawn from (default 10, as make_blobs). */
  centerBox?: number;
  seed?: number;
}

/** Points (n x d, row-major Float32Array), the blob of each point, and the centres. */
export interface Blobs {
  x: Matrix;
  truth: Int32Array;
  centers: Matrix;
}

/** Generate blobs. Point i belongs to blob i % centers, so sizes are balanced and the order is mixed. */
export function makeBlobs(o: BlobOptions): Blobs {
  const { n, d, centers: k } = o;
  const std = o.std ?? 1;
  const box = o.centerBox ?? 10;
  const rand = mulberry32(o.seed ?? 0);
  const c = new Float32Array(k * d);
  for (let i = 0; i < c.length; i++) c[i] = (rand() * 2 - 1) * box;
  const x = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % k;
    truth[i] = b;
    for (let j = 0; j < d; j++) x[i * d + j] = c[b * d + j] + std * gaussian(rand);
  }
  return { x: { rows: n, cols: d, data: x }, truth, centers: { rows: k, cols: d, data: c } };
}
