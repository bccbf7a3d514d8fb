/**
 * Matrix products over packed (centred) points, on the dot-product tiles of DotEngine: X W (n x l) for l rows of W
 * (dot tiles) and X^T Q (d x l) for an n x l Q (the xt kernel: rank-4 updates, no transposition); sums of blocks of
 * ROWS rows are float64.
 */

import type { PackedPoints } from './packed-points.js';

const ROWS = 256;

/** X W^T for W given as l rows of d floats: returns n x l (float64, row-major). */
export function timesRows(P: PackedPoints, w: Float32Array, l: number): Float64Array {
  const { engine, block, n } = P;
  const mark = engine.mark();
  const wb = engine.load(w, l);
  const y = new Float64Array(n * l);
  for (let i0 = 0; i0 < n; i0 += ROWS) {
    const m = Math.min(ROWS, n - i0);
    const { out, at, stride } = engine.dots(block, i0, m, wb, 0, l);
    for (let i = 0; i < m; i++) for (let c = 0; c < l; c++) y[(i0 + i) * l + c] = out[at + i * stride + c];
  }
  engine.reset(mark);
  return y;
}

/** X^T Q for an n x l row-major Q: returns d x l (float64, row-major), by blocks of ROWS rows of the xt kernel. */
export function transposeTimes(P: PackedPoints, q: Float64Array, l: number): Float64Array {
  const { engine, block, n, d } = P;
  const len = engine.len;
  const y = new Float32Array(ROWS * l);
  const z = new Float64Array(d * l);
  for (let r0 = 0; r0 < n; r0 += ROWS) {
    const m = Math.min(ROWS, n - r0);
    for (let i = 0; i < m * l; i++) y[i] = q[r0 * l + i];
    const { out, at } = engine.xtTimes(block, r0, m, y, l);
    for (let c = 0; c < l; c++) for (let j = 0; j < d; j++) z[j * l + c] += out[at + c * len + j];
  }
  return z;
}
