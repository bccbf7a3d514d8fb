/**
 * cluster/minibatch-kmeans: mini-batch k-means (Sculley 2010, as scikit-learn's MiniBatchKMeans) for 1M points.
 * Seeds with greedy k-means++ on a random sample of 3 x batchSize points, then for each step assigns a random batch
 * to its nearest centres (blocked kernel) and moves each centre to the running mean of the points it has seen.
 * Stops after maxSteps, or when the smoothed batch inertia has not improved for maxNoImprovement steps. A final
 * full pass labels every point.
 */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { nearestTwo, rowSqNorms } from '../../kernels/distance-kernels.js';
import { kmeansPlusPlus } from '../../kernels/kmeans-seeding.js';
import { fixedKOption, resolveK, type KMeansOptions } from './kmeans.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { integerOption } from '../../stage-options.js';
import { z } from 'zod/v4';
import type { Matrix } from '../../contracts.js';

/** Options for mini-batch k-means. */
export interface MiniBatchKMeansOptions {
  k: KMeansOptions['k'];
  batchSize: number;
  /** Upper bound on batch steps. */
  maxSteps: number;
  /** Early stop after this many steps without improvement of the smoothed batch inertia. */
  maxNoImprovement: number;
  field: VectorField;
}

/** Result of mini-batch k-means. */
export interface MiniBatchKMeansResult {
  labels: Int32Array;
  centroids: Matrix;
  /** Inertia of the final full assignment. */
  inertia: number;
  steps: number;
}

/** Mini-batch k-means on x. Exported for benches and tests. */
export function miniBatchKMeans(
  x: Matrix,
  k: number,
  o: Omit<MiniBatchKMeansOptions, 'k' | 'field'> & { seed: number },
  onStep?: (step: number) => void,
): MiniBatchKMeansResult {
  const { rows: n, cols: d, data } = x;
  if (n === 0) throw new Error('mini-batch k-means needs at least one point');
  k = Math.max(1, Math.min(k, n));
  const rand = mulberry32(o.seed);
  const pickRows = (m: number, out: Int32Array): void => {
    for (let i = 0; i < m; i++) out[i] = Math.floor(rand() * n);
  };
  // Seed on a sample, as scikit-learn does (init_size = 3 x batch_size).
  const initSize = Math.min(n, Math.max(3 * o.batchSize, k));
  const initRows = new Int32Array(initSize);
  if (initSize === n) for (let i = 0; i < n; i++) initRows[i] = i;
  else pickRows(initSize, initRows);
  const sample = new Float32Array(initSize * d);
  for (let i = 0; i < initSize; i++) sample.set(data.subarray(initRows[i] * d, initRows[i] * d + d), i * d);
  const c = kmeansPlusPlus(sample, initSize, d, k, rand);
  const cNorms = rowSqNorms(c, k, d);
  const xNorms = rowSqNorms(data, n, d);
  const seen = new Float64Array(k);
  const b = Math.min(o.batchSize, n);
  const batch = new Int32Array(b);
  const lab = new Int32Array(n);
  const best = new Float64Array(n);
  const second = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const cnt = new Int32Array(k);
  let ewa = NaN,
    bestEwa = Infinity,
    noImprove = 0,
    step = 0;
  const alpha = Math.min(1, (2 * b) / (n + 1));
  for (; step < o.maxSteps; step++) {
    pickRows(b, batch);
    nearestTwo(data, xNorms, batch, b, c, cNorms, k, d, lab, best, second);
    sums.fill(0);
    cnt.fill(0);
    let batchInertia = 0;
    for (let p = 0; p < b; p++) {
      const i = batch[p],
        l = lab[i];
      batchInertia += best[i];
      cnt[l]++;
      const io = i * d,
        lo = l * d;
      for (let j = 0; j < d; j++) sums[lo + j] += data[io + j];
    }
    for (let ci = 0; ci < k; ci++) {
      if (cnt[ci] === 0) continue;
      const total = seen[ci] + cnt[ci];
      const o2 = ci * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = (c[o2 + j] * seen[ci] + sums[o2 + j]) / total;
        c[o2 + j] = v;
        s += v * v;
      }
      seen[ci] = total;
      cNorms[ci] = s;
    }
    batchInertia /= b;
    ewa = Number.isNaN(ewa) ? batchInertia : ewa * (1 - alpha) + batchInertia * alpha;
    if (ewa < bestEwa) {
      bestEwa = ewa;
      noImprove = 0;
    } else if (++noImprove >= o.maxNoImprovement) {
      step++;
      break;
    }
    if (onStep && step % 50 === 0) onStep(step);
  }
  nearestTwo(data, xNorms, null, n, c, cNorms, k, d, lab, best, second);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += best[i];
  return { labels: lab, centroids: { rows: k, cols: d, data: c }, inertia, steps: step };
}

export const miniBatchKMeansClusterer: StageDefinition<MiniBatchKMeansOptions> = {
  kind: 'cluster',
  method: 'minibatch-kmeans',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  options: z.strictObject({
    k: fixedKOption(),
    batchSize: integerOption(1).default(1024),
    maxSteps: integerOption(1).default(500),
    maxNoImprovement: integerOption(1).default(10),
    field: vectorFieldOption(),
  }),
  run(input: PipelineData, opts: MiniBatchKMeansOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/minibatch-kmeans');
    const res = miniBatchKMeans(x, resolveK(opts.k, x.rows), { ...opts, seed: ctx.seed }, (s) =>
      ctx.sample(`step ${s}`),
    );
    ctx.count('steps', res.steps);
    ctx.count('k', res.centroids.rows);
    return { labels: res.labels };
  },
};
