/** project/umap: the 2-D cluster map by UMAP (umap-js); writes `projection` (n x 2). See umap-embedding.ts for limits. */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { parseUmapOptions, umapEmbed, type UmapOptions } from '../../kernels/umap-embedding.js';
import { vectorsFor } from '../vector-input.js';

export const umapProjector: StageDefinition<UmapOptions> = {
  kind: 'project',
  method: 'umap',
  reads: ['embeddings', 'reduced'],
  writes: ['projection'],
  parseOptions(raw) {
    const o = parseUmapOptions(raw, 2);
    if (o.components !== 2) throw new Error('components: project/umap draws a 2-D map; use reduce/umap for other sizes');
    return o;
  },
  async run(input: PipelineData, opts: UmapOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'project/umap');
    return { projection: await umapEmbed(x, opts, ctx.seed, (e) => ctx.sample(`epoch ${e}`)) };
  },
};
