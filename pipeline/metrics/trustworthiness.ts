/**
 * Trustworthiness of a low-dimensional map (Venna & Kaski 2001; scikit-learn's sklearn.manifold.trustworthiness):
 * T(k) = 1 - 2/(n·k·(2n - 3k - 1)) · Σ_i Σ_{j in the map's k-NN of i, not in the input's} (r(i, j) - k), where
 * r(i, j) is j's rank among i's input-space neighbours. 1 = every map neighbourhood is an input neighbourhood.
 *
 * Sampled: exact ranks need n distances per scored point in the input space, so `sampleSize` seeded points are
 * scored (each against all n) and T is their mean penalty scaled as above, with a 95% CI from the per-point spread.
 */
import type { Matrix } from '../contracts.js';
import { mulberry32 } from '../support/seeded-random.js';

/** The estimate. */
export interface Trustworthiness {
  value: number;
  k: number;
  /** Points scored (= n when exact). */
  sampleSize: number;
  /** Present when sampled. */
  ci95?: [number, number];
}

function sqDistances(x: Matrix, i: number, out: Float64Array): void {
  const { rows: n, cols: d, data } = x;
  const io = i * d;
  for (let r = 0; r < n; r++) {
    const ro = r * d;
    let s0 = 0,
      s1 = 0;
    let j = 0;
    for (; j + 1 < d; j += 2) {
      const u = data[io + j] - data[ro + j],
        v = data[io + j + 1] - data[ro + j + 1];
      s0 += u * u;
      s1 += v * v;
    }
    if (j < d) {
      const u = data[io + j] - data[ro + j];
      s0 += u * u;
    }
    out[r] = s0 + s1;
  }
}

/**
 * Trustworthiness of `map` (n x 2 or any dims) against `input` (n x d) at k neighbours. Rows whose map coordinates
 * are not finite (outside a projected sample) are left out of both spaces.
 */
export function trustworthiness(
  input: Matrix,
  map: Matrix,
  o: { k?: number; sampleSize?: number; seed?: number } = {},
): Trustworthiness | undefined {
  if (input.rows !== map.rows) throw new Error(`trustworthiness: input has ${input.rows} rows, map ${map.rows}`);
  const keep: number[] = [];
  for (let i = 0; i < map.rows; i++) {
    let ok = true;
    for (let c = 0; c < map.cols; c++) if (!Number.isFinite(map.data[i * map.cols + c])) ok = false;
    if (ok) keep.push(i);
  }
  const sub = (m: Matrix): Matrix => {
    if (keep.length === m.rows) return m;
    const data = new Float32Array(keep.length * m.cols);
    keep.forEach((r, i) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
    return { rows: keep.length, cols: m.cols, data };
  };
  const x = sub(input),
    y = sub(map);
  const n = x.rows;
  const k = Math.min(o.k ?? 15, Math.floor((n - 1) / 2));
  if (n < 4 || k < 1) return undefined;
  const m = Math.min(n, o.sampleSize ?? 500);
  const rand = mulberry32(o.seed ?? 0);
  let pts: Int32Array;
  if (m === n) pts = Int32Array.from({ length: n }, (_, i) => i);
  else {
    // Partial Fisher-Yates: m distinct seeded rows.
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rand() * (n - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    pts = all.slice(0, m);
  }
  const dIn = new Float64Array(n),
    dMap = new Float64Array(n);
  const penalties = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    const i = pts[s];
    sqDistances(x, i, dIn);
    sqDistances(y, i, dMap);
    dIn[i] = -1;
    dMap[i] = -1; // self first, excluded below
    // The map's k nearest (self excluded): a k+1 partial selection by a bounded insertion list.
    const near: number[] = [];
    for (let r = 0; r < n; r++) {
      if (r === i) continue;
      const v = dMap[r];
      if (near.length < k || v < dMap[near[near.length - 1]]) {
        let at = near.length;
        while (at > 0 && dMap[near[at - 1]] > v) at--;
        near.splice(at, 0, r);
        if (near.length > k) near.pop();
      }
    }
    // Input rank of each (1 = nearest non-self) = 1 + rows strictly closer: one pass over n, bisecting into the
    // k sorted thresholds, then a prefix sum (n log k per point, not n k).
    const th = near.map((j) => dIn[j]).sort((p, q) => p - q);
    const below = new Float64Array(k + 1);
    for (let r = 0; r < n; r++) {
      if (r === i) continue;
      const v = dIn[r];
      let lo = 0,
        hi = k;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (th[mid] > v) hi = mid;
        else lo = mid + 1;
      }
      below[lo]++; // v < th[t] for every t >= lo
    }
    let pen = 0;
    let acc = 0;
    const rankOf = new Float64Array(k);
    for (let t = 0; t < k; t++) {
      acc += below[t];
      rankOf[t] = acc + 1;
    }
    for (let t = 0; t < k; t++) if (rankOf[t] > k) pen += rankOf[t] - k;
    penalties[s] = pen;
  }
  const scale = 2 / (k * (2 * n - 3 * k - 1));
  let mean = 0;
  for (const p of penalties) mean += p;
  mean /= m;
  const value = 1 - scale * mean;
  if (m === n) return { value, k, sampleSize: m };
  let v = 0;
  for (const p of penalties) v += (p - mean) ** 2;
  const se = (scale * Math.sqrt(v / Math.max(1, m - 1))) / Math.sqrt(m);
  return { value, k, sampleSize: m, ci95: [value - 1.96 * se, value + 1.96 * se] };
}
