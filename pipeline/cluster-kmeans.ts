/**
 * cluster/kmeans: k-means++ seeding and Lloyd iterations on a contiguous Float32Array.
 * k is fixed (`k: 20`) or chosen by rule (`k: "kura"` = ceil(n/10), `k: "sqrt"` = round(sqrt(n/2))).
 */
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../harness/types.js';
import { mulberry32 } from './seeded-random.js';

/** Options for k-means. */
export interface KMeansOptions {
  k: number | 'kura' | 'sqrt';
  maxIterations: number;
  /** Stop when the relative inertia change falls below this. */
  tolerance: number;
  /** Independent k-means++ restarts; the lowest inertia wins. */
  nInit: number;
  /** Cluster `reduced` when present, else `embeddings`. */
  field: 'auto' | 'embeddings' | 'reduced';
}

/** Result of one k-means run. */
export interface KMeansResult {
  labels: Int32Array;
  centroids: Matrix;
  inertia: number;
  /** Inertia after each iteration (non-increasing for Lloyd). */
  inertiaHistory: number[];
  iterations: number;
}

/** Resolve a k rule to a number for n points. */
export function resolveK(k: KMeansOptions['k'], n: number): number {
  const v = k === 'kura' ? Math.ceil(n / 10) : k === 'sqrt' ? Math.round(Math.sqrt(n / 2)) : k;
  return Math.max(1, Math.min(n, v));
}

function sqDist(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ai + j] - b[bi + j];
    s += t * t;
  }
  return s;
}

/** k-means++ then Lloyd. Exported for tests and benches. */
export function kmeans(x: Matrix, k: number, opts: { maxIterations: number; tolerance: number; seed: number }): KMeansResult {
  const { rows: n, cols: d, data } = x;
  const rand = mulberry32(opts.seed);
  const c = new Float32Array(k * d);
  const minD = new Float64Array(n);
  const first = Math.floor(rand() * n);
  c.set(data.subarray(first * d, first * d + d), 0);
  // Greedy k-means++ (as scikit-learn): try 2 + ln(k) candidates per new centre, keep the one that lowers the
  // potential most. Plain k-means++ falls into poor local minima on sparse hashed text embeddings.
  for (let i = 0; i < n; i++) minD[i] = sqDist(data, i * d, c, 0, d);
  const trials = 2 + Math.floor(Math.log(k));
  const candD = new Float64Array(n);
  const bestCandD = new Float64Array(n);
  for (let ci = 1; ci < k; ci++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += minD[i];
    let bestPick = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      let r = rand() * total;
      let pick = n - 1;
      for (let i = 0; i < n; i++) {
        r -= minD[i];
        if (r <= 0) { pick = i; break; }
      }
      let potential = 0;
      for (let i = 0; i < n; i++) {
        const dd = Math.min(minD[i], sqDist(data, i * d, data, pick * d, d));
        candD[i] = dd;
        potential += dd;
      }
      if (potential < bestPotential) { bestPotential = potential; bestPick = pick; bestCandD.set(candD); }
    }
    c.set(data.subarray(bestPick * d, bestPick * d + d), ci * d);
    minD.set(bestCandD);
  }
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const history: number[] = [];
  let it = 0;
  for (; it < opts.maxIterations; it++) {
    let inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0, bestD = Infinity;
      for (let ci = 0; ci < k; ci++) {
        const dd = sqDist(data, i * d, c, ci * d, d);
        if (dd < bestD) { bestD = dd; best = ci; }
      }
      labels[i] = best;
      inertia += bestD;
    }
    history.push(inertia);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      counts[l]++;
      for (let j = 0; j < d; j++) sums[l * d + j] += data[i * d + j];
    }
    for (let ci = 0; ci < k; ci++) {
      if (counts[ci] === 0) continue; // keep an empty cluster's centroid where it was
      for (let j = 0; j < d; j++) c[ci * d + j] = sums[ci * d + j] / counts[ci];
    }
    const prev = history.length > 1 ? history[history.length - 2] : Infinity;
    if (prev - inertia <= opts.tolerance * Math.max(prev, 1e-12)) { it++; break; }
  }
  return { labels, centroids: { rows: k, cols: d, data: c }, inertia: history[history.length - 1], inertiaHistory: history, iterations: it };
}

export const kmeansClusterer: StageDefinition<KMeansOptions> = {
  kind: 'cluster',
  method: 'kmeans',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  parseOptions(raw) {
    const k = raw.k ?? 'sqrt';
    if (!(k === 'kura' || k === 'sqrt' || (Number.isInteger(k) && (k as number) >= 1))) {
      throw new Error('k: must be a positive integer, "kura" (ceil(n/10)) or "sqrt" (round(sqrt(n/2)))');
    }
    const maxIterations = raw.maxIterations ?? 100;
    const tolerance = raw.tolerance ?? 1e-4;
    const field = raw.field ?? 'auto';
    if (!Number.isInteger(maxIterations) || (maxIterations as number) < 1) throw new Error('maxIterations: must be a positive integer');
    if (typeof tolerance !== 'number' || tolerance < 0) throw new Error('tolerance: must be a number >= 0');
    if (field !== 'auto' && field !== 'embeddings' && field !== 'reduced') throw new Error('field: must be auto, embeddings or reduced');
    const nInit = raw.nInit ?? 3;
    if (!Number.isInteger(nInit) || (nInit as number) < 1) throw new Error('nInit: must be a positive integer');
    return { k: k as KMeansOptions['k'], maxIterations: maxIterations as number, tolerance, nInit: nInit as number, field };
  },
  run(input: PipelineData, opts: KMeansOptions, ctx: StageContext) {
    const x = opts.field === 'embeddings' ? input.embeddings : opts.field === 'reduced' ? input.reduced : (input.reduced ?? input.embeddings);
    if (!x) throw new Error(`cluster/kmeans needs ${opts.field === 'auto' ? 'embeddings' : opts.field}`);
    let res: KMeansResult | undefined;
    for (let r = 0; r < opts.nInit; r++) {
      const run = kmeans(x, resolveK(opts.k, x.rows), { ...opts, seed: ctx.seed + r });
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
