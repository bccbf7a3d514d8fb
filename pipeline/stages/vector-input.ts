/** Which matrix a vector stage works on: `reduced` when a reduce stage ran, else `embeddings`, or one named. */
import type { Matrix, PipelineData } from '../contracts.js';
import { enumOption } from '../stage-options.js';

/** The `field` option shared by vector stages (cluster, reduce, project, metrics). */
export type VectorField = 'auto' | 'embeddings' | 'reduced';

/** The `field` option's schema, defaulting to `dflt`. */
export function vectorFieldOption(dflt: VectorField = 'auto') {
  return enumOption(['auto', 'embeddings', 'reduced']).default(dflt);
}

/** The matrix named by `field`, if present. */
export function pickVectors(input: PipelineData, field: VectorField): Matrix | undefined {
  return field === 'embeddings'
    ? input.embeddings
    : field === 'reduced'
      ? input.reduced
      : (input.reduced ?? input.embeddings);
}

/** The matrix named by `field`; throws naming the stage and the missing field. */
export function vectorsFor(input: PipelineData, field: VectorField, stage: string): Matrix {
  const x = pickVectors(input, field);
  if (!x)
    throw new Error(
      `${stage} needs ${field === 'auto' ? 'embeddings (or reduced)' : field}; put an embed or reduce stage before it`,
    );
  if (x.data.length !== x.rows * x.cols)
    throw new Error(`${stage}: matrix is ${x.rows} x ${x.cols} but holds ${x.data.length} values`);
  return x;
}
