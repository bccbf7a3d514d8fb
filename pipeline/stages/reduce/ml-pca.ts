/**
 * reduce/ml-pca: the ml-pca 4 library (SVD of the centred n x d data as float64 arrays), kept as a baseline subject.
 * Measured here: 384 -> 10 takes 14 s at 10K and 145 s at 100K (reduce/pca: about 3 s at 100K).
 */
import { PCA } from 'ml-pca';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { matrixToRows, rowsToMatrix } from '../../kernels/matrix-rows.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { enumOption, integerOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the ml-pca baseline. */
export interface MlPcaOptions {
  components: number;
  method: 'SVD' | 'covarianceMatrix';
  field: VectorField;
}

/** Fit ml-pca on x and project onto `components` axes. Exported for benches. */
export function runMlPca(
  x: Matrix,
  components: number,
  method: MlPcaOptions['method'] = 'SVD',
): { projected: Matrix; explainedVarianceRatio: number[] } {
  const rows = matrixToRows(x);
  const model = new PCA(rows, { method, center: true, scale: false });
  const k = Math.min(components, x.cols, x.rows);
  const projected = model.predict(rows, { nComponents: k }).to2DArray();
  return { projected: rowsToMatrix(projected, k), explainedVarianceRatio: model.getExplainedVariance().slice(0, k) };
}

export const mlPcaReducer: StageDefinition<MlPcaOptions> = {
  kind: 'reduce',
  method: 'ml-pca',
  reads: ['embeddings', 'reduced'],
  writes: ['reduced'],
  options: z.strictObject({
    components: integerOption(1).default(10),
    method: enumOption(['SVD', 'covarianceMatrix']).default('SVD'),
    field: vectorFieldOption('embeddings'),
  }),
  run(input: PipelineData, opts: MlPcaOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'reduce/ml-pca');
    const res = runMlPca(x, opts.components, opts.method);
    ctx.count('components', res.projected.cols);
    return { reduced: res.projected };
  },
};
