/** reduce/umap: UMAP (umap-js) as a pre-cluster reduction, as BERTopic does (default 5 components); writes `reduced`. */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { z } from 'zod/v4';
import { umapEmbed, umapOptionShape, type UmapOptions } from '../../kernels/umap-embedding.js';
import { vectorsFor } from '../vector-input.js';

export const umapReducer: StageDefinition<UmapOptions> = {
  kind: 'reduce',
  method: 'umap',
  reads: ['embeddings', 'reduced'],
  writes: ['reduced'],
  options: z.strictObject(umapOptionShape(5, 'embeddings')),
  async run(input: PipelineData, opts: UmapOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'reduce/umap');
    return { reduced: await umapEmbed(x, opts, ctx.seed, (e) => ctx.sample(`epoch ${e}`)) };
  },
};
