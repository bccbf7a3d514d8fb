/**
 * k-means seeding: greedy k-means++ (as scikit-learn: 2 + ln k candidates per centre, keep the one that lowers the
 * potential most) and k-means|| (Bahmani et al. 2012: a few rounds of oversampling, then weighted k-means++ on the
 * candidates). Both skip a point's distance to a candidate when the triangle inequality proves the candidate cannot
 * be nearer than the point's current centre (||c_a - p||² >= 4 D(x)), which leaves the result unchanged and
 * removes most of the work on clustered data.
 */
import { sqDistRow } from './distance-kernels.js';
import { distancesToRows, type PackedPoints } from './packed-points.js';

/** Index of the first prefix sum reaching r (linear scan; r in [0, total)). */
function pickByWeight(w: Float64Array, n: number, r: number): number {
  for (let i = 0; i < n; i++) {
    r -= w[i];
    if (r < 0) return i;
  }
  // Rounding left r >= 0: the last point with positive weight.
  for (let i = n - 1; i >= 0; i--) if (w[i] > 0) return i;
  return n - 1;
}

/**
 * Greedy k-means++ over n rows of x (optionally weighted). Returns k centres (k x d). Duplicates are possible when
 * the data has fewer than k distinct points; Lloyd then leaves those clusters empty. trials = 1 is plain k-means++.
 */
export function kmeansPlusPlus(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  rand: () => number,
  weights?: Float64Array,
  trials = 2 + Math.floor(Math.log(k)),
): Float32Array {
  const c = new Float32Array(k * d);
  const w = weights ?? new Float64Array(n).fill(1);
  let totalW = 0;
  for (let i = 0; i < n; i++) totalW += w[i];
  const first = pickByWeight(w, n, rand() * totalW);
  c.set(x.subarray(first * d, first * d + d), 0);
  const minD = new Float64Array(n);
  const assign = new Int32Array(n);
  const wd = new Float64Array(n);
  for (let i = 0; i < n; i++) minD[i] = sqDistRow(x, i, c, 0, d);
  const candD = new Float64Array(n);
  const bestCandD = new Float64Array(n);
  const cc = new Float64Array(k);
  for (let ci = 1; ci < k; ci++) {
    let pot = 0;
    for (let i = 0; i < n; i++) {
      wd[i] = w[i] * minD[i];
      pot += wd[i];
    }
    let bestPick = -1;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      const pick = pickByWeight(wd, n, rand() * pot);
      for (let j = 0; j < ci; j++) cc[j] = sqDistRow(c, j, x, pick, d);
      let p = 0;
      for (let i = 0; i < n; i++) {
        let v = minD[i];
        if (cc[assign[i]] < 4 * v) v = Math.min(v, sqDistRow(x, i, x, pick, d));
        candD[i] = v;
        p += w[i] * v;
      }
      if (p < bestPot) {
        bestPot = p;
        bestPick = pick;
        bestCandD.set(candD);
      }
    }
    c.set(x.subarray(bestPick * d, bestPick * d + d), ci * d);
    for (let i = 0; i < n; i++)
      if (bestCandD[i] < minD[i]) {
        minD[i] = bestCandD[i];
        assign[i] = ci;
      }
  }
  return c;
}

/**
 * k-means||: `rounds` rounds that each sample about `oversampling` x k points with probability proportional to
 * their squared distance to the nearest candidate, then weighted greedy k-means++ on the candidates.
 */
export function kmeansParallel(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  rand: () => number,
  rounds = 5,
  oversampling = 2,
): Float32Array {
  const ell = oversampling * k;
  const cand: number[] = [Math.floor(rand() * n)];
  const minD = new Float64Array(n);
  const assign = new Int32Array(n);
  for (let i = 0; i < n; i++) minD[i] = sqDistRow(x, i, x, cand[0], d);
  for (let r = 0; r < rounds; r++) {
    let phi = 0;
    for (let i = 0; i < n; i++) phi += minD[i];
    if (phi === 0) break;
    const fresh: number[] = [];
    for (let i = 0; i < n; i++) if (rand() < (ell * minD[i]) / phi) fresh.push(i);
    if (fresh.length === 0) continue;
    const m = cand.length;
    const f = fresh.length;
    // cc[a * f + j]: squared distance between existing candidate a and fresh candidate j, for pruning.
    const cc = new Float64Array(m * f);
    for (let a = 0; a < m; a++) for (let j = 0; j < f; j++) cc[a * f + j] = sqDistRow(x, cand[a], x, fresh[j], d);
    for (let i = 0; i < n; i++) {
      const row = assign[i] * f;
      for (let j = 0; j < f; j++) {
        if (cc[row + j] >= 4 * minD[i]) continue;
        const v = sqDistRow(x, i, x, fresh[j], d);
        if (v < minD[i]) {
          minD[i] = v;
          assign[i] = m + j;
        }
      }
    }
    for (const i of fresh) cand.push(i);
  }
  if (cand.length <= k) return kmeansPlusPlus(x, n, d, k, rand);
  const m = cand.length;
  const cx = new Float32Array(m * d);
  for (let a = 0; a < m; a++) cx.set(x.subarray(cand[a] * d, cand[a] * d + d), a * d);
  const w = new Float64Array(m);
  for (let i = 0; i < n; i++) w[assign[i]]++;
  return kmeansPlusPlus(cx, m, d, k, rand, w);
}

/**
 * Greedy k-means++ over packed points (the SIMD path): the same draws as kmeansPlusPlus (unweighted), with each
 * centre's `trials` candidates scanned together as one dot-product tile over the points the triangle inequality
 * cannot rule out (||c_a - cand||² < 4 D(x) for some candidate). Returns k x d centres (uncentred).
 */
export function kmeansPlusPlusPacked(
  P: PackedPoints,
  x: Float32Array,
  k: number,
  rand: () => number,
  trials = 2 + Math.floor(Math.log(k)),
): Float32Array {
  const { n, d, engine } = P;
  const c = new Float32Array(k * d);
  const mark = engine.mark();
  const cand = engine.block(trials);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const first = pickByWeight(new Float64Array(n).fill(1), n, rand() * n);
  c.set(x.subarray(first * d, first * d + d), 0);
  const minD = new Float64Array(n);
  const assign = new Int32Array(n);
  engine.fill(cand, x, 1, [first], 0, P.shift);
  distancesToRows(P, all, n, cand, Float64Array.of(P.norms[first]), 1, minD);
  const picks = new Int32Array(trials);
  const cc = new Float64Array(trials * k);
  const need = new Int32Array(n);
  let buf = new Float64Array(trials * 1024);
  const pots = new Float64Array(trials);
  for (let ci = 1; ci < k; ci++) {
    let pot = 0;
    for (let i = 0; i < n; i++) pot += minD[i];
    for (let t = 0; t < trials; t++) {
      picks[t] = pickByWeight(minD, n, rand() * pot);
      for (let j = 0; j < ci; j++) cc[t * k + j] = sqDistRow(c, j, x, picks[t], d);
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      const lim = 4 * minD[i],
        a = assign[i];
      for (let t = 0; t < trials; t++)
        if (cc[t * k + a] < lim) {
          need[m++] = i;
          break;
        }
    }
    engine.fill(cand, x, trials, picks, 0, P.shift);
    const candNorms = Float64Array.from(picks, (p) => P.norms[p]);
    if (buf.length < trials * m) buf = new Float64Array(trials * m);
    distancesToRows(P, need, m, cand, candNorms, trials, buf);
    let bestT = 0;
    for (let t = 0; t < trials; t++) {
      let p = pot;
      const o = t * m;
      for (let q = 0; q < m; q++) {
        const i = need[q];
        if (buf[o + q] < minD[i]) p += buf[o + q] - minD[i];
      }
      pots[t] = p;
      if (p < pots[bestT]) bestT = t;
    }
    c.set(x.subarray(picks[bestT] * d, picks[bestT] * d + d), ci * d);
    const o = bestT * m;
    for (let q = 0; q < m; q++) {
      const i = need[q];
      if (buf[o + q] < minD[i]) {
        minD[i] = buf[o + q];
        assign[i] = ci;
      }
    }
  }
  engine.reset(mark);
  return c;
}
