/**
 * Blocked squared-Euclidean distance kernels on contiguous Float32Array rows, the hot loop of k-means, silhouette
 * and the cluster metrics. Distances use ||a||² + ||b||² - 2 a·b (accumulated in float64), with a 2-row x 4-column
 * register-blocked dot-product micro-kernel.
 *
 * Why hand-written: no npm package offers a Float32 GEMM-style distance kernel (ml-matrix works on arrays of float64
 * arrays). Measured here (Node 20, one core, 20K x 50 x 384): the plain (a-b)² loop runs 0.46 G multiply-adds/s,
 * a 4-way unrolled dot 0.83, this 2x4 blocked dot 1.33.
 */

/** Squared L2 norm of each row (float64). */
export function rowSqNorms(data: Float32Array, rows: number, d: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += data[o + j] * data[o + j];
    out[i] = s;
  }
  return out;
}

/** Squared distance between row ai of a and row bi of b (direct form, for single pairs). */
export function sqDistRow(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s = 0;
  const ao = ai * d;
  const bo = bi * d;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/**
 * Squared distances from rows r0 and r1 of `a` (r1 may equal r0 for an odd tail) to rows j0..j1 of `b`, into
 * out0/out1 at positions 0..(j1-j0). Rows are given by index so callers can pass scattered rows.
 */
export function sqDistTwoRows(
  a: Float32Array,
  aNorms: Float64Array,
  r0: number,
  r1: number,
  b: Float32Array,
  bNorms: Float64Array,
  j0: number,
  j1: number,
  d: number,
  out0: Float64Array,
  out1: Float64Array,
): void {
  const a0 = r0 * d;
  const a1 = r1 * d;
  const n0 = aNorms[r0];
  const n1 = aNorms[r1];
  let j = j0;
  for (; j + 3 < j1; j += 4) {
    const b0 = j * d,
      b1 = b0 + d,
      b2 = b1 + d,
      b3 = b2 + d;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      t0 = 0,
      t1 = 0,
      t2 = 0,
      t3 = 0;
    for (let t = 0; t < d; t++) {
      const x = a[a0 + t],
        y = a[a1 + t];
      const c0 = b[b0 + t],
        c1 = b[b1 + t],
        c2 = b[b2 + t],
        c3 = b[b3 + t];
      s0 += x * c0;
      s1 += x * c1;
      s2 += x * c2;
      s3 += x * c3;
      t0 += y * c0;
      t1 += y * c1;
      t2 += y * c2;
      t3 += y * c3;
    }
    const o = j - j0;
    const m0 = bNorms[j],
      m1 = bNorms[j + 1],
      m2 = bNorms[j + 2],
      m3 = bNorms[j + 3];
    out0[o] = Math.max(0, n0 + m0 - 2 * s0);
    out0[o + 1] = Math.max(0, n0 + m1 - 2 * s1);
    out0[o + 2] = Math.max(0, n0 + m2 - 2 * s2);
    out0[o + 3] = Math.max(0, n0 + m3 - 2 * s3);
    out1[o] = Math.max(0, n1 + m0 - 2 * t0);
    out1[o + 1] = Math.max(0, n1 + m1 - 2 * t1);
    out1[o + 2] = Math.max(0, n1 + m2 - 2 * t2);
    out1[o + 3] = Math.max(0, n1 + m3 - 2 * t3);
  }
  for (; j < j1; j++) {
    const bo = j * d;
    let s = 0,
      t = 0;
    for (let q = 0; q < d; q++) {
      const c = b[bo + q];
      s += a[a0 + q] * c;
      t += a[a1 + q] * c;
    }
    out0[j - j0] = Math.max(0, n0 + bNorms[j] - 2 * s);
    out1[j - j0] = Math.max(0, n1 + bNorms[j] - 2 * t);
  }
}

/**
 * Nearest and second-nearest row of `c` (k rows) for each listed row of `x`. `rows` lists row indices (or null
 * for rows 0..count-1). Writes best index, best and second-best squared distance at the row's own index.
 */
export function nearestTwo(
  x: Float32Array,
  xNorms: Float64Array,
  rows: Int32Array | null,
  count: number,
  c: Float32Array,
  cNorms: Float64Array,
  k: number,
  d: number,
  best: Int32Array,
  bestSq: Float64Array,
  secondSq: Float64Array,
): void {
  const buf0 = new Float64Array(k);
  const buf1 = new Float64Array(k);
  const take = (r: number, buf: Float64Array): void => {
    let b = 0,
      bd = Infinity,
      sd = Infinity;
    for (let j = 0; j < k; j++) {
      const v = buf[j];
      if (v < bd) {
        sd = bd;
        bd = v;
        b = j;
      } else if (v < sd) sd = v;
    }
    best[r] = b;
    bestSq[r] = bd;
    secondSq[r] = sd;
  };
  for (let p = 0; p < count; p += 2) {
    const r0 = rows ? rows[p] : p;
    const r1 = p + 1 < count ? (rows ? rows[p + 1] : p + 1) : r0;
    sqDistTwoRows(x, xNorms, r0, r1, c, cNorms, 0, k, d, buf0, buf1);
    take(r0, buf0);
    if (r1 !== r0) take(r1, buf1);
  }
}
