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
import { z } from 'zod/v4';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { nearestTwo, rowSqNorms, sqDistRow, sqDistTwoRows } from '../../kernels/distance-kernels.js';
import { kmeansParallel, kmeansPlusPlus, kmeansPlusPlusPacked } from '../../kernels/kmeans-seeding.js';
import { simdAvailable } from '../../kernels/dot-engine.js';
import { loadCentres, nearestTwoPacked, packPoints, type PackedPoints } from '../../kernels/packed-points.js';
import { chooseK } from '../../kernels/choose-k.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { enumOption, integerOption, numberOption } from '../../stage-options.js';

/**
 * Seeding method; `auto` = greedy k-means++ with the SIMD kernels (as scikit-learn; scanning all candidates of a
 * centre as one tile makes it cheap at high d), else k-means++ up to KMEANS_PARALLEL_FROM points, k-means|| beyond.
 */
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

/** Seed k centres from the rows of x (`packed`: x already packed for the SIMD kernels). */
export function seedCentres(
  x: Matrix,
  k: number,
  rand: () => number,
  init: KMeansInit = 'auto',
  seedTrials?: number,
  packed?: PackedPoints,
): Float32Array {
  const simd = packed !== undefined || simdAvailable();
  const useParallel = init === 'kmeans||' || (init === 'auto' && !simd && x.rows >= KMEANS_PARALLEL_FROM);
  if (useParallel) return kmeansParallel(x.data, x.rows, x.cols, k, rand);
  if (simd) return kmeansPlusPlusPacked(packed ?? packPoints(x.data, x.rows, x.cols), x.data, k, rand, seedTrials);
  return kmeansPlusPlus(x.data, x.rows, x.cols, k, rand, undefined, seedTrials);
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
  // SIMD path: the points are packed (centred) once for seeding and every assignment scan.
  const P = simdAvailable() ? packPoints(data, n, d) : undefined;
  const c = seedCentres(x, k, rand, opts.init, opts.seedTrials, P);
  const xNorms = P ? P.norms : rowSqNorms(data, n, d);
  const cNorms = rowSqNorms(c, k, d);
  let cBlock = P ? loadCentres(P, c, k) : undefined;
  const scan = (rows: Int32Array | null, count: number): void => {
    if (P && cBlock) nearestTwoPacked(P, rows, count, cBlock.block, cBlock.norms, k, labels, bestSq, secondSq);
    else nearestTwo(data, xNorms, rows, count, c, cNorms, k, d, labels, bestSq, secondSq);
  };
  let sumSq = 0;
  for (let i = 0; i < n * d; i++) sumSq += data[i] * data[i];
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const bestSq = new Float64Array(n);
  const secondSq = new Float64Array(n);
  scan(null, n);
  for (let i = 0; i < n; i++) {
    upper[i] = Math.sqrt(bestSq[i]);
    lower[i] = Math.sqrt(secondSq[i]);
  }
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    counts[l]++;
    const o = i * d,
      so = l * d;
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
      scan(todo, m);
      changed = 0;
      for (let p = 0; p < m; p++) {
        const i = todo[p];
        upper[i] = Math.sqrt(bestSq[i]);
        lower[i] = Math.sqrt(secondSq[i]);
        const a = prevLabel[i],
          b = labels[i];
        if (a === b) continue;
        changed++;
        counts[a]--;
        counts[b]++;
        const o = i * d,
          ao = a * d,
          bo = b * d;
        for (let j = 0; j < d; j++) {
          const v = data[o + j];
          sums[ao + j] -= v;
          sums[bo + j] += v;
        }
      }
    }
    // Inertia of this assignment against the centres it was made with, from the cluster sums in O(k d):
    // sum |x|² - 2 sum_c c.S_c + sum_c n_c |c|² (float64; the data's sum of squares is computed once).
    let inertia = sumSq;
    for (let ci = 0; ci < k; ci++) {
      if (counts[ci] === 0) continue;
      let dot = 0;
      const o = ci * d;
      for (let j = 0; j < d; j++) dot += c[o + j] * sums[o + j];
      inertia += counts[ci] * cNorms[ci] - 2 * dot;
    }
    inertia = Math.max(0, inertia);
    history.push(inertia);
    // Update step; an empty cluster keeps its centre.
    let maxMove = 0,
      maxAt = -1,
      secondMove = 0;
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
      if (moved[ci] > maxMove) {
        secondMove = maxMove;
        maxMove = moved[ci];
        maxAt = ci;
      } else if (moved[ci] > secondMove) secondMove = moved[ci];
    }
    for (let ci = 0; ci < k; ci++) {
      let s = 0;
      const o = ci * d;
      for (let j = 0; j < d; j++) s += c[o + j] * c[o + j];
      cNorms[ci] = s;
    }
    if (P && cBlock) cBlock = loadCentres(P, c, k, cBlock.block);
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      upper[i] += moved[l];
      lower[i] -= l === maxAt ? secondMove : maxMove;
    }
    const prev = history.length > 1 ? history[history.length - 2] : NaN;
    if (changed === 0 || prev - inertia <= opts.tolerance * Math.max(prev, 1e-12)) {
      it++;
      break;
    }
  }
  // Reported inertia: exact, of the returned labels against the returned centres.
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDistRow(data, i, c, labels[i], d);
  return {
    labels,
    centroids: { rows: k, cols: d, data: c },
    inertia,
    inertiaHistory: history,
    iterations: it,
    rescans,
  };
}

const K_RULES = 'a positive integer, "kura" (ceil(n/10)), "sqrt" (round(sqrt(n/2)))';

/** The k option of cluster/kmeans: a number, a rule, or "auto" (best sampled silhouette). */
export function kOption() {
  return z
    .union([z.enum(['kura', 'sqrt', 'auto']), z.number().int().min(1)], {
      error: `must be ${K_RULES} or "auto" (best sampled silhouette, k-means only)`,
    })
    .default('sqrt');
}

/** The k option of the stages that cannot choose k by silhouette (a number, "kura" or "sqrt"). */
export function fixedKOption() {
  return z
    .union([z.enum(['kura', 'sqrt']), z.number().int().min(1)], {
      error: (iss) =>
        iss.input === 'auto'
          ? '"auto" is only supported by cluster/kmeans; use a number, "kura" or "sqrt"'
          : `must be ${K_RULES}`,
    })
    .default('sqrt');
}

export const kmeansClusterer: StageDefinition<KMeansOptions> = {
  kind: 'cluster',
  method: 'kmeans',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  options: z.strictObject({
    k: kOption(),
    maxIterations: integerOption(1).default(100),
    tolerance: numberOption(0).default(1e-4),
    // scikit-learn's n_init: 3 restarts cost about 0.01 NMI on real intent data.
    nInit: integerOption(1).default(10),
    field: vectorFieldOption(),
    init: enumOption(['auto', 'kmeans++', 'kmeans||']).default('auto'),
  }),
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
