/**
 * Points packed once into a DotEngine (centred on their mean, which keeps f32 dot products accurate), with float64
 * squared norms, and the nearest-centre scans of k-means built on it: every point, or a listed subset, against a
 * block of centres in tiles of CHUNK rows.
 */
import { DotEngine, type Block } from './dot-engine.js';

const CHUNK = 256;

/** n x d points inside an engine. */
export interface PackedPoints {
  engine: DotEngine;
  block: Block;
  n: number;
  d: number;
  /** Subtracted from every row (the column means). */
  shift: Float64Array;
  /** Squared norm of each centred row. */
  norms: Float64Array;
}

/** Column means in float64. */
export function means(x: Float32Array, n: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0, o = i * d; j < d; j++) m[j] += x[o + j];
  for (let j = 0; j < d; j++) m[j] /= Math.max(n, 1);
  return m;
}

/**
 * Pack n x d rows (centred) into a new engine. `integerShift` rounds the column means to integers, so data on an
 * integer grid stays exact (hand-checkable metrics), while most of a large offset is still removed.
 */
export function packPoints(
  x: Float32Array,
  n: number,
  d: number,
  engine = new DotEngine(d),
  integerShift = false,
  givenShift?: Float64Array,
): PackedPoints {
  const shift = givenShift ?? means(x, n, d);
  if (integerShift) for (let j = 0; j < d; j++) shift[j] = Math.round(shift[j]);
  const block = engine.load(x, n, null, 0, shift);
  return { engine, block, n, d, shift, norms: engine.norms(block) };
}

/** Centres (k x d, uncentred) loaded into P's engine with P's shift; reuse `into` when it is large enough. */
export function loadCentres(
  P: PackedPoints,
  c: Float32Array,
  k: number,
  into?: Block,
): { block: Block; norms: Float64Array } {
  const b = into && into.capacity >= k ? into : P.engine.block(k);
  P.engine.fill(b, c, k, null, 0, P.shift);
  return { block: b, norms: P.engine.norms(b, 0, k) };
}

/**
 * Nearest and second-nearest of k centres for each listed point (rows, or 0..count-1 when null): best index and
 * both squared distances, written at the point's own index.
 */
export function nearestTwoPacked(
  P: PackedPoints,
  rows: Int32Array | null,
  count: number,
  C: Block,
  cNorms: Float64Array,
  k: number,
  best: Int32Array,
  bestSq: Float64Array,
  secondSq: Float64Array,
): void {
  const { engine, block, norms } = P;
  for (let p0 = 0; p0 < count; p0 += CHUNK) {
    const m = Math.min(CHUNK, count - p0);
    const { out, at, stride } = engine.dotsRows(block, rows, p0, m, C, 0, k);
    for (let p = 0; p < m; p++) {
      const r = rows ? rows[p0 + p] : p0 + p;
      const nr = norms[r];
      const o = at + p * stride;
      let b = 0,
        bd = Infinity,
        sd = Infinity;
      for (let j = 0; j < k; j++) {
        let v = nr + cNorms[j] - 2 * out[o + j];
        if (v < 0) v = 0;
        if (v < bd) {
          sd = bd;
          bd = v;
          b = j;
        } else if (v < sd) sd = v;
      }
      best[r] = b;
      bestSq[r] = bd;
      secondSq[r] = sd;
    }
  }
}

/** Squared distances of the listed points to t candidate rows (a block of P's engine) into out[t * count + p]. */
export function distancesToRows(
  P: PackedPoints,
  rows: Int32Array,
  count: number,
  C: Block,
  cNorms: Float64Array,
  t: number,
  out: Float64Array,
): void {
  const { engine, block, norms } = P;
  for (let p0 = 0; p0 < count; p0 += CHUNK) {
    const m = Math.min(CHUNK, count - p0);
    const res = engine.dotsRows(block, rows, p0, m, C, 0, t);
    for (let p = 0; p < m; p++) {
      const nr = norms[rows[p0 + p]];
      const o = res.at + p * res.stride;
      for (let j = 0; j < t; j++) {
        const v = nr + cNorms[j] - 2 * res.out[o + j];
        out[j * count + p0 + p] = v > 0 ? v : 0;
      }
    }
  }
}
