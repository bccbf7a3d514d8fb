/**
 * cluster/hdbscan-ts: the npm package hdbscan-ts 1.0.17, kept as a selectable baseline and a real subject for the
 * harness. It builds the full n x n mutual-reachability matrix of arrays of float64 (O(n²) memory) and runs in about
 * O(n³): measured here 76 s at 5K x 10 and 608 s at 10K x 10 (2.4 GB), labelling 93-96% of 20 well-separated
 * Gaussian blobs as noise (ARI 0.0002; it works on squared distances). Sweeps should show it breaking; use
 * cluster/hdbscan for real work.
 */
import { HDBSCAN } from 'hdbscan-ts';
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { integerOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options passed to hdbscan-ts. */
export interface HdbscanTsOptions {
  minClusterSize: number;
  /** Default minClusterSize (the library's own default). */
  minSamples?: number;
  field: VectorField;
}

export const hdbscanTsClusterer: StageDefinition<HdbscanTsOptions> = {
  kind: 'cluster',
  method: 'hdbscan-ts',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  options: z.strictObject({
    minClusterSize: integerOption(2).default(5),
    minSamples: integerOption(1).optional(),
    field: vectorFieldOption(),
  }),
  run(input: PipelineData, opts: HdbscanTsOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/hdbscan-ts');
    const rows = new Array<number[]>(x.rows);
    for (let i = 0; i < x.rows; i++) rows[i] = Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols));
    ctx.sample('rows converted');
    const model = new HDBSCAN({
      minClusterSize: opts.minClusterSize,
      minSamples: opts.minSamples ?? opts.minClusterSize,
    });
    const labels = Int32Array.from(model.fit(rows));
    let noise = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] < 0) noise++;
    ctx.count('noisePoints', noise);
    ctx.count('clusters', new Set(labels).size - (noise > 0 ? 1 : 0));
    ctx.sample('done');
    return { labels };
  },
};
