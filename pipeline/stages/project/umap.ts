/** project/umap: the 2-D cluster map by UMAP (umap-js); writes `projection` (n x 2). See umap-embedding.ts for limits. */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { z } from 'zod/v4';
import { umapEmbed, umapOptionShape, type UmapOptions } from '../../kernels/umap-embedding.js';
import { vectorsFor } from '../vector-input.js';
import { ifPresent } from '../../support/zod-issues.js';

export const umapProjector: StageDefinition<UmapOptions> = {
  kind: 'project',
  method: 'umap',
  reads: ['embeddings', 'reduced'],
  writes: ['projection'],
  options: z.strictObject({
    ...umapOptionShape(2, 'auto'),
    components: z
      .literal(2, { error: ifPresent('project/umap draws a 2-D map; use reduce/umap for other sizes') })
      .default(2),
  }),
  async run(input: PipelineData, opts: UmapOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'project/umap');
    return { projection: await umapEmbed(x, opts, ctx.seed, (e) => ctx.sample(`epoch ${e}`)) };
  },
};
