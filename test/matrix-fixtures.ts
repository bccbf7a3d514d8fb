// Synthetic matrices (and a brute-force MST reference) shared by unit tests in test/unit/ and the integration tests
// of the same code that start helper threads (test/cluster-hdbscan.test.ts, test/pca.test.ts).
import type { Matrix } from '../harness/types.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';

/** Uniform random points in [-scale, scale]^d. */
export function randomMatrix(n: number, d: number, seed: number, scale = 1): Matrix {
  const r = mulberry32(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = (r() * 2 - 1) * scale;
  return { rows: n, cols: d, data };
}

/** Blobs with centres on the axes, `gap` apart, so every pair of blobs is well separated in any dimension. */
export function separatedBlobs(
  perBlob: number,
  blobs: number,
  d: number,
  gap: number,
  seed: number,
): { x: Matrix; truth: Int32Array } {
  const r = mulberry32(seed);
  const n = perBlob * blobs;
  const data = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % blobs;
    truth[i] = b;
    for (let j = 0; j < d; j++) data[i * d + j] = gaussian(r) + (j === b % d ? gap * (1 + Math.floor(b / d)) : 0);
  }
  return { x: { rows: n, cols: d, data }, truth };
}

/** Reference: core distances by sorting each row, then Prim on the full n x n mutual-reachability matrix. */
export function bruteForceMstWeight(x: Matrix, minSamples: number): number {
  const { rows: n, cols: d, data } = x;
  const dist = (a: number, b: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[a * d + j] - data[b * d + j];
      s += t * t;
    }
    return Math.sqrt(s);
  };
  const core = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(dist(i, j));
    row.sort((a, b) => a - b);
    core[i] = row[minSamples - 1];
  }
  const mr = (a: number, b: number): number => Math.max(core[a], core[b], dist(a, b));
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  best[0] = 0;
  let total = 0;
  for (let step = 0; step < n; step++) {
    let v = -1;
    for (let i = 0; i < n; i++) if (!inTree[i] && (v < 0 || best[i] < best[v])) v = i;
    inTree[v] = 1;
    total += best[v];
    for (let i = 0; i < n; i++) if (!inTree[i]) best[i] = Math.min(best[i], mr(v, i));
  }
  return total;
}

/** Correlated data: n x d with a few strong directions, d deliberately not a multiple of 4, n not of the block size. */
export function correlated(n: number, d: number, seed: number): Matrix {
  const r = mulberry32(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = [gaussian(r) * 5, gaussian(r) * 2, gaussian(r)];
    for (let j = 0; j < d; j++)
      data[i * d + j] = 3 + z[0] * Math.sin(j + 1) + z[1] * Math.cos(2 * j) + z[2] * (j % 3) + 0.1 * gaussian(r);
  }
  return { rows: n, cols: d, data };
}
