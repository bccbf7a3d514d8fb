/**
 * cluster/ml-kmeans: the ml-kmeans 7 library (k-means++ then Lloyd on arrays of float64 arrays), kept as a baseline
 * subject for the harness. Measured here: 100K x 384, k=50 takes 349 s (cluster/kmeans: about 4 s).
 */
import { kmeans as mlKmeans } from 'ml-kmeans';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { fixedKOption, resolveK, type KMeansOptions } from './kmeans.js';
import { matrixToRows } from '../../kernels/matrix-rows.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { integerOption, numberOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the ml-kmeans baseline. */
export interface MlKMeansOptions {
  k: KMeansOptions['k'];
  maxIterations: number;
  /** ml-kmeans' own convergence tolerance (on centroid movement). */
  tolerance: number;
  field: VectorField;
}

/** Run ml-kmeans on a Matrix; labels as Int32Array. Exported for benches. */
export function runMlKMeans(
  x: Matrix,
  k: number,
  o: { maxIterations: number; tolerance: number; seed: number },
): { labels: Int32Array; iterations: number } {
  const res = mlKmeans(matrixToRows(x), k, {
    initialization: 'kmeans++',
    maxIterations: o.maxIterations,
    tolerance: o.tolerance,
    seed: o.seed,
  });
  return { labels: Int32Array.from(res.clusters), iterations: res.iterations };
}

export const mlKMeansClusterer: StageDefinition<MlKMeansOptions> = {
  kind: 'cluster',
  method: 'ml-kmeans',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  options: z.strictObject({
    k: fixedKOption(),
    maxIterations: integerOption(1).default(100),
    tolerance: numberOption(0).default(1e-6),
    field: vectorFieldOption(),
  }),
  run(input: PipelineData, opts: MlKMeansOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/ml-kmeans');
    const k = resolveK(opts.k, x.rows);
    const res = runMlKMeans(x, k, { ...opts, seed: ctx.seed });
    ctx.count('iterations', res.iterations);
    ctx.count('k', k);
    return { labels: res.labels };
  },
};
