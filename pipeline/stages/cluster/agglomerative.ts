/**
 * cluster/agglomerative: hierarchical agglomerative clustering (ward or average linkage, Euclidean) cut into k
 * clusters. Two backends:
 * - `nn-chain` (default): our NN-chain algorithm (nn-chain-linkage.ts), O(n²) time and a condensed float64 matrix
 *   of n(n-1)/2 distances (400 MB at 10K points).
 * - `ml-hclust`: the ml-hclust library's agnes, kept as a baseline. `ward` uses its `ward2` (Lance-Williams on
 *   squared distances), which is scipy's and scikit-learn's Ward; its `ward` applies that formula to plain distances.
 *
 * SIZE LIMITS: agnes keeps an n x n matrix of float64 arrays and rebuilds it at every merge, O(n³) time: measured
 * here (d=10) 1,000 points 1.5 s idle, 2,000 points 57 s on the loaded shared machine. So the stage refuses more than
 * ML_HCLUST_MAX_POINTS (2,000) points with ml-hclust, and more than AGGLOMERATIVE_MAX_POINTS (10,000) with nn-chain
 * (memory n²/2 x 8 bytes); `maxPoints` raises the latter up to AGGLOMERATIVE_HARD_MAX. The refusal is an error that
 * says so, which the sweep records as the stage's breaking point.
 */
import { agnes } from 'ml-hclust';
import { cutMerges, nnChainLinkage } from '../../kernels/nn-chain-linkage.js';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { fixedKOption, resolveK, type KMeansOptions } from './kmeans.js';
import { matrixToRows } from '../../kernels/matrix-rows.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { enumOption, integerOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Default largest input the stage accepts (nn-chain backend: 400 MB of distances). */
export const AGGLOMERATIVE_MAX_POINTS = 10_000;
/** `maxPoints` may not exceed this (nn-chain: 1.6 GB of distances). */
export const AGGLOMERATIVE_HARD_MAX = 20_000;
/** Largest input the ml-hclust backend accepts (O(n³): about 12 s idle, a minute loaded, at 2,000 points). */
export const ML_HCLUST_MAX_POINTS = 2000;

/** Options for agglomerative clustering. */
export interface AgglomerativeOptions {
  k: KMeansOptions['k'];
  linkage: 'ward' | 'average';
  backend: 'nn-chain' | 'ml-hclust';
  maxPoints: number;
  field: VectorField;
}

/** Cluster x into k groups with ml-hclust's agnes; labels 0..k-1 in dendrogram order. Exported for benches and tests. */
export function agglomerativeMlHclust(x: Matrix, k: number, linkage: AgglomerativeOptions['linkage']): Int32Array {
  const n = x.rows;
  const labels = new Int32Array(n);
  if (n === 1) return labels;
  const tree = agnes(matrixToRows(x), { method: linkage === 'ward' ? 'ward2' : 'average' });
  const groups = tree.group(Math.max(1, Math.min(k, n))).children;
  groups.forEach((g, c) => {
    for (const i of g.indices()) labels[i] = c;
  });
  return labels;
}

/** Cluster x into k groups; labels 0..k-1. Exported for benches and tests. */
export function agglomerative(
  x: Matrix,
  k: number,
  linkage: AgglomerativeOptions['linkage'],
  backend: AgglomerativeOptions['backend'] = 'nn-chain',
): Int32Array {
  if (backend === 'ml-hclust') return agglomerativeMlHclust(x, k, linkage);
  return cutMerges(x.rows, nnChainLinkage(x, linkage), k);
}

export const agglomerativeClusterer: StageDefinition<AgglomerativeOptions> = {
  kind: 'cluster',
  method: 'agglomerative',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  options: z
    .strictObject({
      k: fixedKOption(),
      linkage: enumOption(['ward', 'average']).default('ward'),
      backend: enumOption(['nn-chain', 'ml-hclust']).default('nn-chain'),
      /** Default and cap depend on the backend (checked below). */
      maxPoints: integerOption(
        2,
        AGGLOMERATIVE_HARD_MAX,
        `must be an integer in 2..${AGGLOMERATIVE_HARD_MAX} for backend nn-chain, 2..${ML_HCLUST_MAX_POINTS} for ml-hclust`,
      ).optional(),
      field: vectorFieldOption(),
    })
    .superRefine((o, ctx) => {
      const cap = o.backend === 'ml-hclust' ? ML_HCLUST_MAX_POINTS : AGGLOMERATIVE_HARD_MAX;
      if (o.maxPoints !== undefined && o.maxPoints > cap) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxPoints'],
          message: `must be an integer in 2..${cap} for backend ${o.backend} (${o.backend === 'ml-hclust' ? 'agnes is O(n³) time' : 'n²/2 float64 distances'})`,
        });
      }
    })
    .transform((o) => ({
      ...o,
      maxPoints: o.maxPoints ?? (o.backend === 'ml-hclust' ? ML_HCLUST_MAX_POINTS : AGGLOMERATIVE_MAX_POINTS),
    })),
  run(input: PipelineData, opts: AgglomerativeOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/agglomerative');
    if (x.rows > opts.maxPoints) {
      const why =
        opts.backend === 'ml-hclust'
          ? `ml-hclust agnes is O(n³) time; at most ${ML_HCLUST_MAX_POINTS}`
          : `nn-chain keeps n²/2 float64 distances, ${((x.rows * (x.rows - 1) * 4) / 2 ** 30).toFixed(1)} GB here; at most ${AGGLOMERATIVE_HARD_MAX}`;
      throw new Error(
        `cluster/agglomerative refuses ${x.rows} points: its limit is ${opts.maxPoints} (${why}); use cluster/kmeans or cluster/minibatch-kmeans, or raise options.maxPoints`,
      );
    }
    const k = resolveK(opts.k, x.rows);
    const labels = agglomerative(x, k, opts.linkage, opts.backend);
    ctx.count('k', k);
    return { labels };
  },
};
