/**
 * cluster/agglomerative: hierarchical agglomerative clustering (ward or average linkage, Euclidean) by ml-hclust's
 * agnes, cut into k clusters. `ward` uses ml-hclust's `ward2` (Lance-Williams on squared distances), which is
 * scipy's and scikit-learn's Ward; ml-hclust's `ward` applies the squared-distance formula to plain distances.
 *
 * SIZE LIMIT: agnes keeps an n x n float64 matrix of arrays and rescans it at every merge, so it is O(n³) time and
 * O(n²) memory. Measured here (d=10): 500 points 0.23 s, 1,000 points 1.5 s, so 2,000 points take about 12 s and
 * 4,000 about 100 s. The stage refuses inputs above AGGLOMERATIVE_MAX_POINTS (option `maxPoints`, itself capped at
 * AGGLOMERATIVE_HARD_MAX) with an error that says so, which the sweep records as the stage's breaking point.
 */
import { agnes } from 'ml-hclust';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../harness/types.js';
import { parseK, resolveK, type KMeansOptions } from './cluster-kmeans.js';
import { matrixToRows } from './matrix-rows.js';
import { parseVectorField, vectorsFor, type VectorField } from './vector-input.js';

/** Default largest input the stage accepts. */
export const AGGLOMERATIVE_MAX_POINTS = 2000;
/** `maxPoints` may not exceed this (about 15 min and 1 GB for agnes). */
export const AGGLOMERATIVE_HARD_MAX = 8000;

/** Options for agglomerative clustering. */
export interface AgglomerativeOptions {
  k: KMeansOptions['k'];
  linkage: 'ward' | 'average';
  maxPoints: number;
  field: VectorField;
}

/** Cluster x into k groups; labels 0..k-1 in order of the dendrogram. Exported for benches and tests. */
export function agglomerative(x: Matrix, k: number, linkage: AgglomerativeOptions['linkage']): Int32Array {
  const n = x.rows;
  const labels = new Int32Array(n);
  if (n === 1) return labels;
  const tree = agnes(matrixToRows(x), { method: linkage === 'ward' ? 'ward2' : 'average' });
  const groups = tree.group(Math.max(1, Math.min(k, n))).children;
  if (groups.length === 0) return labels;
  groups.forEach((g, c) => { for (const i of g.indices()) labels[i] = c; });
  return labels;
}

export const agglomerativeClusterer: StageDefinition<AgglomerativeOptions> = {
  kind: 'cluster',
  method: 'agglomerative',
  reads: ['embeddings', 'reduced'],
  writes: ['labels'],
  parseOptions(raw) {
    const linkage = raw.linkage ?? 'ward';
    if (linkage !== 'ward' && linkage !== 'average') throw new Error('linkage: must be ward or average');
    const maxPoints = raw.maxPoints ?? AGGLOMERATIVE_MAX_POINTS;
    if (!Number.isInteger(maxPoints) || (maxPoints as number) < 2 || (maxPoints as number) > AGGLOMERATIVE_HARD_MAX) {
      throw new Error(`maxPoints: must be an integer in 2..${AGGLOMERATIVE_HARD_MAX} (ml-hclust agnes is O(n³) time, O(n²) memory)`);
    }
    return { k: parseK(raw.k), linkage, maxPoints: maxPoints as number, field: parseVectorField(raw.field) };
  },
  run(input: PipelineData, opts: AgglomerativeOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/agglomerative');
    if (x.rows > opts.maxPoints) {
      throw new Error(`cluster/agglomerative refuses ${x.rows} points: its limit is ${opts.maxPoints} (ml-hclust agnes is O(n³) time and O(n²) memory); use cluster/kmeans or cluster/minibatch-kmeans, or raise options.maxPoints (at most ${AGGLOMERATIVE_HARD_MAX})`);
    }
    const k = resolveK(opts.k, x.rows);
    const labels = agglomerative(x, k, opts.linkage);
    ctx.count('k', k);
    return { labels };
  },
};
