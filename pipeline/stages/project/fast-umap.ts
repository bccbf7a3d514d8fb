/**
 * project/fast-umap: the 2-D cluster map at 100K+ points. PCA to `pcaDims` (covariance on a seeded subsample),
 * exact kNN on those dims with our kd-tree on 2 threads, the fuzzy graph and SGD layout of
 * pipeline/kernels/umap-layout.ts, initialised from the first two principal components.
 *
 * Above `maxPoints` it lays out a seeded sample of maxPoints rows; the other rows' projection is NaN, and the stage
 * counts `projection.sampled` / `projection.total` so the report says the map is a sample. It also scores the map's
 * trustworthiness against the input vectors (sampled; counters `trustworthiness.x1000`, `.sample`).
 */
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { integerOption, numberOption } from '../../stage-options.js';
import { z } from 'zod/v4';
import { pca } from '../reduce/pca.js';
import { columnMeans, covarianceMatrix } from '../../kernels/covariance-kernel.js';
import { computeKnn } from '../../hdbscan/core-distances.js';
import { defaultEpochs, fuzzyUnion, knnMemberships, optimizeLayout, type KnnGraph } from '../../kernels/umap-layout.js';
import { mulberry32 } from '../../support/seeded-random.js';
import { trustworthiness } from '../../metrics/trustworthiness.js';

/** Options of project/fast-umap. */
export interface FastUmapOptions {
  nNeighbors: number;
  minDist: number;
  /** 0 = umap-learn's default (500 up to 10K points, 200 above). */
  nEpochs: number;
  /** Dimensions the kNN runs in (PCA first when the input has more). */
  pcaDims: number;
  /** Rows laid out at most; above, a seeded sample of this many. */
  maxPoints: number;
  /** Threads for the kNN (this one plus helpers). */
  threads: number;
  /** Points scored for trustworthiness; 0 skips it. */
  trustSample: number;
  field: VectorField;
}

/** Seeded sorted sample of m of n rows. */
function sampleRows(n: number, m: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, m).sort();
}

function takeRows(x: Matrix, rows: Int32Array): Matrix {
  const data = new Float32Array(rows.length * x.cols);
  for (let i = 0; i < rows.length; i++) data.set(x.data.subarray(rows[i] * x.cols, (rows[i] + 1) * x.cols), i * x.cols);
  return { rows: rows.length, cols: x.cols, data };
}

/** The layout of x (all rows), returned as n x 2. Exported for benches and tests. */
export async function fastUmap(
  x: Matrix,
  o: Omit<FastUmapOptions, 'field' | 'maxPoints' | 'trustSample'>,
  seed: number,
  progress: (label: string) => void = () => {},
): Promise<Matrix> {
  const n = x.rows;
  if (n < 3) throw new Error(`fast-umap needs at least 3 points, got ${n}`);
  const dims = Math.min(o.pcaDims, x.cols, n - 1);
  // Covariance on at most 20K rows: the axes settle long before that, and 100K x 384 would cost seconds.
  const fit = n > 20_000 ? takeRows(x, sampleRows(n, 20_000, seed ^ 0x51ed)) : x;
  const mean = columnMeans(fit);
  const low = pca(x, dims, { mean, cov: covarianceMatrix(fit, mean) }).projected;
  progress('pca');
  const k = Math.min(o.nNeighbors, n - 1);
  const knn = await computeKnn(low.data, n, dims, k + 1, { algorithm: 'kdtree', threads: o.threads });
  progress('knn');
  // Back to input rows, self dropped, distances ascending (the heap is a max-heap: sort each row).
  const perm = knn.tree!.perm;
  const g: KnnGraph = { n, k, idx: new Int32Array(n * k), dist: new Float64Array(n * k) };
  const pairs: Array<[number, number]> = [];
  for (let p = 0; p < n; p++) {
    const row = perm[p];
    pairs.length = 0;
    for (let t = 0; t < k + 1; t++) {
      const q = knn.knnIdx[p * (k + 1) + t];
      if (q < 0 || q === p) continue;
      pairs.push([knn.knnD2[p * (k + 1) + t], perm[q]]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    for (let t = 0; t < k; t++) {
      const e = pairs[t] ?? [Infinity, -1];
      g.idx[row * k + t] = e[1];
      g.dist[row * k + t] = Math.sqrt(e[0]);
    }
  }
  const graph = fuzzyUnion(g, knnMemberships(g));
  progress('graph');
  // Initialise from PCA's first two axes, scaled to a 10-unit box as umap-learn scales its spectral init.
  const y = new Float32Array(n * 2);
  let ext = 0;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 2; c++) ext = Math.max(ext, Math.abs(low.data[i * dims + Math.min(c, dims - 1)]));
  const s = ext > 0 ? 10 / ext : 1;
  const rand = mulberry32(seed);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < 2; c++) y[i * 2 + c] = (dims > c ? low.data[i * dims + c] * s : 0) + (rand() - 0.5) * 1e-4;
  optimizeLayout(y, n, 2, graph, {
    nEpochs: o.nEpochs || defaultEpochs(n),
    minDist: o.minDist,
    seed,
    onEpoch: (e) => progress(`epoch ${e}`),
  });
  return { rows: n, cols: 2, data: y };
}

export const fastUmapProjector: StageDefinition<FastUmapOptions> = {
  kind: 'project',
  method: 'fast-umap',
  reads: ['embeddings', 'reduced'],
  writes: ['projection'],
  options: z.strictObject({
    nNeighbors: integerOption(2).default(15),
    minDist: numberOption(0).default(0.1),
    nEpochs: integerOption(0).default(0),
    pcaDims: integerOption(2).default(16),
    maxPoints: integerOption(3).default(200_000),
    threads: integerOption(1).default(2),
    trustSample: integerOption(0).default(200),
    field: vectorFieldOption(),
  }),
  async run(input: PipelineData, opts: FastUmapOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'project/fast-umap');
    const n = x.rows;
    const rows = n > opts.maxPoints ? sampleRows(n, opts.maxPoints, ctx.seed) : undefined;
    const sub = rows ? takeRows(x, rows) : x;
    const map = await fastUmap(sub, opts, ctx.seed, (label) => ctx.sample(label));
    ctx.count('projection.sampled', sub.rows);
    ctx.count('projection.total', n);
    if (opts.trustSample > 0) {
      const t = trustworthiness(sub, map, {
        k: Math.min(opts.nNeighbors, 15),
        sampleSize: opts.trustSample,
        seed: ctx.seed,
      });
      if (t) {
        // Counters are numbers summed across repeats' records: thousandths keep three decimals.
        ctx.count('trustworthiness.x1000', Math.round(t.value * 1000));
        ctx.count('trustworthiness.sample', t.sampleSize);
      }
    }
    if (!rows) return { projection: map };
    const data = new Float32Array(n * 2).fill(NaN);
    for (let i = 0; i < rows.length; i++) {
      data[rows[i] * 2] = map.data[i * 2];
      data[rows[i] * 2 + 1] = map.data[i * 2 + 1];
    }
    return { projection: { rows: n, cols: 2, data } };
  },
};
