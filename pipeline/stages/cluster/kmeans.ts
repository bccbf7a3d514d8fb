/**
 * cluster/kmeans: k-means on a contiguous Float32Array. Seeding by greedy k-means++ (small n) or k-means|| (large
 * n), then Lloyd iterations accelerated with Hamerly's bounds (one upper bound to the assigned centre, one lower
 * bound to the second nearest): a point is re-scanned only when its bounds cannot prove its assignment. Full scans
 * use the blocked kernels of distance-kernels.ts. Results equal plain Lloyd's up to float rounding.
 * k is fixed (`k: 20`), chosen by rule (`k: "kura"` = ceil(n/10), `k: "sqrt"` = round(sqrt(n/2))), or chosen by the
 * sampled silhouette over a grid up to ceil(n/10) (`k: "auto"`, kernels/choose-k.ts; k-means stage only).
 *
 * Why not ml-kmeans: it is 25-30x slower here (100K x 384, k=50: 349 s; see cluster-ml-kmeans.ts, kept as a baseline).
 */
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { nearestTwo, rowSqNorms, sqDistRow, sqDistTwoRows } from '../../kernels/distance-kernels.js';
import { kmeansParallel, kmeansPlusPlus } from '../../kernels/kmeans-seeding.js';
import { chooseK } from '../../kernels/choose-k.js';
import { parseVectorField, vectorsFor, type VectorField } from '../vector-input.js';

/** Seeding method; `auto` = k-means++ up to KMEANS_PARALLEL_FROM points, k-means|| beyond. */
export type KMeansInit = 'auto' | 'kmeans++' | 'kmeans||';

/** n from which `init: auto` seeds with k-means|| instead of greedy k-means++. */
export const KMEANS_PARALLEL_FROM = 50_000;

/** Options for k-means. */
export interface KMeansOptions {
  k: number | 'kura' | 'sqrt' | 'auto';
  maxIterations: number;
  /** Stop when the relative inertia change falls below this. */
  tolerance: number;
  /** Independent seeded restarts; the lowest inertia wins. */
  nInit: number;
  /** Cluster `reduced` when present, else `embeddings`. */
  field: VectorField;
  init: KMeansInit;
}

/** Result of one k-means run. */
export interface KMeansResult {
  labels: Int32Array;
  centroids: Matrix;
  inertia: number;
  /** Inertia after each iteration's assignment step (non-increasing for Lloyd). */
  inertiaHistory: number[];
  iterations: number;
  /** Points whose bounds failed and were fully re-scanned, summed over iterations (the work Hamerly could not skip). */
  rescans: number;
}

/** Run options of `kmeans`. */
export interface KMeansRunOptions {
  maxIterations: number;
  tolerance: number;
  seed: number;
  init?: KMeansInit;
  /** Candidates per centre in greedy k-means++ (default 2 + ln k; 1 = plain k-means++, k times cheaper to seed). */
  seedTrials?: number;
}

/** Resolve a k rule to a number for n points. */
export function resolveK(k: KMeansOptions['k'], n: number): number {
  if (k === 'auto') throw new Error('k: "auto" is only supported by cluster/kmeans');
  const v = k === 'kura' ? Math.ceil(n / 10) : k === 'sqrt' ? Math.round(Math.sqrt(n / 2)) : k;
  return Math.max(1, Math.min(n, v));
}

/** Seed k centres from the rows of x. */
export function seedCentres(x: Matrix, k: number, rand: () => number, init: KMeansInit = 'auto', seedTrials?: number): Float32Array {
  const useParallel = init === 'kmeans||' || (init === 'auto' && x.rows >= KMEANS_PARALLEL_FROM);
  return useParallel ? kmeansParallel(x.data, x.rows, x.cols, k, rand) : kmeansPlusPlus(x.data, x.rows, x.cols, k, rand, undefined, seedTrials);
}

/** Half the distance from each centre to its nearest other centre (Hamerly's s). */
function halfNearestCentre(c: Float32Array, cNorms: Float64Array, k: number, d: number, out: Float64Array): void {
  out.fill(Infinity);
  const b0 = new Float64Array(k);
  const b1 = new Float64Array(k);
  for (let a = 0; a < k; a += 2) {
    const a1 = Math.min(a + 1, k - 1);
    sqDistTwoRows(c, cNorms, a, a1, c, cNorms, 0, k, d, b0, b1);
    for (let j = 0; j < k; j++) {
      if (j !== a && b0[j] < out[a]) out[a] = b0[j];
      if (a1 !== a && j !== a1 && b1[j] < out[a1]) out[a1] = b1[j];
    }
  }
  for (let j = 0; j < k; j++) out[j] = 0.5 * Math.sqrt(out[j]);
}

/** Seeding then Lloyd with Hamerly bounds. Exported for tests and benches. */
export function kmeans(x: Matrix, k: number, opts: KMeansRunOptions): KMeansResult {
  const { rows: n, cols: d, data } = x;
  if (n === 0) throw new Error('k-means needs at least one point');
  k = Math.max(1, Math.min(k, n));
  const rand = mulberry32(opts.seed);
  const c = seedCentres(x, k, rand, opts.init, opts.seedTrials);
  const xNorms = rowSqNorms(data, n, d);
  const cNorms = rowSqNorms(c, k, d);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const bestSq = new Float64Array(n);
  const secondSq = new Float64Array(n);
  nearestTwo(data, xNorms, null, n, c, cNorms, k, d, labels, bestSq, secondSq);
  for (let i = 0; i < n; i++) { upper[i] = Math.sqrt(bestSq[i]); lower[i] = Math.sqrt(secondSq[i]); }
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    counts[l]++;
    const o = i * d, so = l * d;
    for (let j = 0; j < d; j++) sums[so + j] += data[o + j];
  }
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  const old = new Float32Array(d);
  const todo = new Int32Array(n);
  const prevLabel = new Int32Array(n);
  const history: number[] = [];
  let rescans = n;
  let it = 0;
  let changed = n;
  for (; it < opts.maxIterations; it++) {
    if (it > 0) {
      // Assignment step: only points whose bounds cannot prove their centre are re-scanned.
      halfNearestCentre(c, cNorms, k, d, half);
      let m = 0;
      for (let i = 0; i < n; i++) {
        const bound = Math.max(half[labels[i]], lower[i]);
        if (upper[i] <= bound) continue;
        upper[i] = Math.sqrt(sqDistRow(data, i, c, labels[i], d));
        if (upper[i] <= bound) continue;
        todo[m++] = i;
      }
      rescans += m;
      for (let p = 0; p < m; p++) prevLabel[todo[p]] = labels[todo[p]];
      nearestTwo(data, xNorms, todo, m, c, cNorms, k, d, labels, bestSq, secondSq);
      changed = 0;
      for (let p = 0; p < m; p++) {
        const i = todo[p];
        upper[i] = Math.sqrt(bestSq[i]);
        lower[i] = Math.sqrt(secondSq[i]);
        const a = prevLabel[i], b = labels[i];
        if (a === b) continue;
        changed++;
        counts[a]--; counts[b]++;
        const o = i * d, ao = a * d, bo = b * d;
        for (let j = 0; j < d; j++) { const v = data[o + j]; sums[ao + j] -= v; sums[bo + j] += v; }
      }
    }
    // Exact inertia of this assignment against the centres it was made with (n x d, small next to a scan).
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += sqDistRow(data, i, c, labels[i], d);
    history.push(inertia);
    // Update step; an empty cluster keeps its centre.
    let maxMove = 0, maxAt = -1, secondMove = 0;
    for (let ci = 0; ci < k; ci++) {
      moved[ci] = 0;
      if (counts[ci] === 0) continue;
      const o = ci * d;
      old.set(c.subarray(o, o + d));
      let s = 0;
      for (let j = 0; j < d; j++) {
        c[o + j] = sums[o + j] / counts[ci];
        const t = c[o + j] - old[j];
        s += t * t;
      }
      moved[ci] = Math.sqrt(s);
      if (moved[ci] > maxMove) { secondMove = maxMove; maxMove = moved[ci]; maxAt = ci; } else if (moved[ci] > secondMove) secondMove = moved[ci];
    }
    for (let ci = 0; ci < k; ci++) {
      let s = 0;
      const o = ci * d;
      for (let j = 0; j < d; j++) s += c[o + j] * c[o + j];
      cNorms[ci] = s;
    }
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      upper[i] += moved[l];
      lower[i] -= l === maxAt ? secondMove : maxMove;
    }
    const prev = history.length > 1 ? history[history.length - 2] : NaN;
    if (changed === 0 || prev - inertia <= opts.tolerance * Math.max(prev, 1e-12)) { it++; break; }
  }
  return { labels, centroids: { rows: k, cols: d, data: c }, inertia: history[history.length - 1], inertiaHistory: history, iterations: it, rescans };
}

/** Validate the k option shared by the k-means stages. */
export function parseK(raw: unknown): KMeansOptions['k'] {
  const k = raw ?? 'sqrt';
  if (!(k === 'kura' || k === 'sqrt' || k === 'auto' || (Number.isInteger(k) && (k as number) >= 1))) {
    throw new Error('k: must be a positive integer, "kura" (ceil(n/10)), "sqrt" (round(sqrt(n/2))) or "auto" (best sampled silhouette, k-means only)');
  }
  return k as KMeansOptions['k'];
}

export const kmeansClusterer: StageDefinition<KMeansOptions> = {
  kind: 'cluster',
  method: 'kmeans',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  parseOptions(raw) {
    const k = parseK(raw.k);
    const maxIterations = raw.maxIterations ?? 100;
    const tolerance = raw.tolerance ?? 1e-4;
    if (!Number.isInteger(maxIterations) || (maxIterations as number) < 1) throw new Error('maxIterations: must be a positive integer');
    if (typeof tolerance !== 'number' || tolerance < 0) throw new Error('tolerance: must be a number >= 0');
    // scikit-learn's n_init: 3 restarts cost about 0.01 NMI on real intent data.
    const nInit = raw.nInit ?? 10;
    if (!Number.isInteger(nInit) || (nInit as number) < 1) throw new Error('nInit: must be a positive integer');
    const init = raw.init ?? 'auto';
    if (init !== 'auto' && init !== 'kmeans++' && init !== 'kmeans||') throw new Error('init: must be auto, kmeans++ or kmeans||');
    return { k, maxIterations: maxIterations as number, tolerance, nInit: nInit as number, field: parseVectorField(raw.field), init };
  },
  run(input: PipelineData, opts: KMeansOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/kmeans');
    let k: number;
    if (opts.k === 'auto') {
      const chosen = chooseK(x, (c) => kmeans(x, c, { ...opts, seed: ctx.seed }).labels, ctx.seed);
      for (const c of chosen.candidates) ctx.observe('autoK.silhouette', c.silhouette);
      k = chosen.k;
      ctx.sample(`chose k ${k}`);
    } else k = resolveK(opts.k, x.rows);
    let res: KMeansResult | undefined;
    for (let r = 0; r < opts.nInit; r++) {
      const run = kmeans(x, k, { ...opts, seed: ctx.seed + r });
      ctx.count('rescans', run.rescans);
      if (!res || run.inertia < res.inertia) res = run;
      ctx.sample(`init ${r + 1}/${opts.nInit}`);
    }
    if (!res) throw new Error('nInit must be >= 1');
    ctx.count('iterations', res.iterations);
    ctx.count('k', res.centroids.rows);
    ctx.sample('done');
    return { labels: res.labels };
  },
};

/** parseK for the stages that cannot choose k by silhouette (they accept a number, "kura" or "sqrt"). */
export function parseFixedK(raw: unknown): KMeansOptions['k'] {
  const k = parseK(raw);
  if (k === 'auto') throw new Error('k: "auto" is only supported by cluster/kmeans; use a number, "kura" or "sqrt"');
  return k;
}
