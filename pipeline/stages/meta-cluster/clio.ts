/**
 * meta-cluster/clio: a hierarchy of parent topics built as Clio describes (Tamkin et al. 2024, section on
 * hierarchical organisation), without the LLM: at each level the cluster centroids are grouped into neighbourhoods
 * by k-means and each neighbourhood becomes one parent, whose centroid is the size-weighted mean of its children.
 * Level sizes shrink geometrically from the base cluster count towards `targetTop` (by default two levels above
 * however many base clusters there are; a hierarchy that would be a no-op is counted as `warning.noHierarchy`).
 *
 * Centroids wider than `projectDims` are first projected by PCA onto that many axes (neighbourhoods need only the
 * coarse geometry; level 1 over 10K centroids x 384 dims took over 60 s without it), and k-means at each level is
 * seeded by plain k-means++ (one candidate per centre), since k is large here (thousands of groups).
 *
 * Termination is guaranteed, not hoped for (Kura issue #125: 8 levels that did not converge): the level count is
 * fixed up front and capped by `maxLevels`, and every level has strictly fewer clusters than the one below
 * (k-means is asked for fewer groups; empty groups only lower the count). Depth is recorded as the `depth` counter.
 */
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { clusterCentroids } from '../../kernels/cluster-centroids.js';
import { kmeans } from '../cluster/kmeans.js';
import { pca } from '../reduce/pca.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { integerOption, numberOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the Clio-style hierarchy. */
export interface ClioOptions {
  /** Cluster count to aim for at the top level; `auto` = base clusters / branching^2 (at least 2): two levels. */
  targetTop: number | 'auto';
  /** Hard cap on levels above the base clusters. */
  maxLevels: number;
  /** Desired average children per parent; sets the level count, within maxLevels. */
  branching: number;
  /** Project centroids onto this many principal axes first when they are wider (0 = never). */
  projectDims: number;
  field: VectorField;
}

/** The hierarchy above a set of base clusters. */
export interface ClioHierarchy {
  /** parents[l][c] = parent (at level l+1) of cluster c at level l. */
  parents: Int32Array[];
  /** Cluster count per level, base first. */
  levelSizes: number[];
}

/**
 * Build the hierarchy above base clusters with the given centroids (m x d) and sizes. Base cluster c at level 0 is
 * row c. Exported for tests.
 */
export function buildClioHierarchy(
  centroids: Matrix,
  sizes: ArrayLike<number>,
  o: Omit<ClioOptions, 'field' | 'projectDims' | 'targetTop'> & {
    targetTop: number;
    seed: number;
    projectDims?: number;
  },
): ClioHierarchy {
  const m0 = centroids.rows;
  const levelSizes = [m0];
  const parents: Int32Array[] = [];
  if (m0 <= o.targetTop || m0 <= 1) return { parents, levelSizes };
  const projectDims = o.projectDims ?? 32;
  if (projectDims > 0 && centroids.cols > projectDims && m0 > projectDims)
    centroids = pca(centroids, projectDims).projected;
  const d = centroids.cols;
  const levels = Math.max(
    1,
    Math.min(o.maxLevels, Math.ceil(Math.log(m0 / o.targetTop) / Math.log(Math.max(o.branching, 1.01)))),
  );
  let cur = new Float64Array(centroids.data);
  let curSizes = Float64Array.from(sizes);
  let m = m0;
  for (let l = 1; l <= levels && m > o.targetTop && m > 1; l++) {
    // Geometric schedule from m0 to targetTop, forced strictly below the current size.
    const planned = Math.round(m0 * Math.pow(o.targetTop / m0, l / levels));
    const want = Math.max(1, Math.min(m - 1, Math.max(o.targetTop, planned)));
    const x: Matrix = { rows: m, cols: d, data: Float32Array.from(cur) };
    const res = kmeans(x, want, {
      maxIterations: 25,
      tolerance: 1e-4,
      seed: o.seed + l,
      init: 'kmeans++',
      seedTrials: 1,
    });
    // Compact the groups that received members; those are the parents.
    const remap = new Int32Array(want).fill(-1);
    let p = 0;
    const parentOf = new Int32Array(m);
    for (let c = 0; c < m; c++) {
      const g = res.labels[c];
      if (remap[g] < 0) remap[g] = p++;
      parentOf[c] = remap[g];
    }
    const next = new Float64Array(p * d);
    const nextSizes = new Float64Array(p);
    for (let c = 0; c < m; c++) {
      const q = parentOf[c],
        w = curSizes[c];
      nextSizes[q] += w;
      for (let j = 0; j < d; j++) next[q * d + j] += w * cur[c * d + j];
    }
    for (let q = 0; q < p; q++) if (nextSizes[q] > 0) for (let j = 0; j < d; j++) next[q * d + j] /= nextSizes[q];
    parents.push(parentOf);
    levelSizes.push(p);
    cur = next;
    curSizes = nextSizes;
    m = p;
  }
  return { parents, levelSizes };
}

/** The top-level target for m base clusters. */
export function resolveTargetTop(t: ClioOptions['targetTop'], m: number, branching: number): number {
  return t === 'auto' ? Math.max(2, Math.round(m / (branching * branching))) : t;
}

export const clioMetaClusterer: StageDefinition<ClioOptions> = {
  kind: 'meta-cluster',
  method: 'clio',
  reads: ['labels', 'embeddings', 'reduced'],
  writes: ['hierarchy'],
  options: z.strictObject({
    targetTop: z
      .union([z.literal('auto'), z.number().int().min(1)], { error: 'must be a positive integer or "auto"' })
      .default('auto'),
    maxLevels: integerOption(1, 20).default(4),
    branching: numberOption(1, { exclusive: true }).default(4),
    projectDims: integerOption(0, undefined, 'must be an integer >= 0 (0 = never project)').default(32),
    field: vectorFieldOption(),
  }),
  run(input: PipelineData, opts: ClioOptions, ctx: StageContext) {
    if (!input.labels) throw new Error('meta-cluster/clio needs labels; put a cluster stage before it');
    const x = vectorsFor(input, opts.field, 'meta-cluster/clio');
    const cc = clusterCentroids(x, input.labels);
    const targetTop = resolveTargetTop(opts.targetTop, cc.k, opts.branching);
    // Fewer base clusters than the target: no level would be built. Say so instead of a silent depth 0.
    if (cc.k <= targetTop) ctx.count('warning.noHierarchy', 1);
    const h = buildClioHierarchy({ rows: cc.k, cols: x.cols, data: Float32Array.from(cc.centroids) }, cc.counts, {
      ...opts,
      targetTop,
      seed: ctx.seed,
    });
    // Level 0 is indexed by the original label ids (0..max label); ids that never occur map to -1.
    if (h.parents.length > 0) {
      let maxId = -1;
      for (const id of cc.ids) maxId = Math.max(maxId, id);
      const base = new Int32Array(maxId + 1).fill(-1);
      for (let c = 0; c < cc.k; c++) base[cc.ids[c]] = h.parents[0][c];
      h.parents[0] = base;
    }
    ctx.count('depth', h.parents.length);
    ctx.count('topClusters', h.levelSizes[h.levelSizes.length - 1]);
    return { hierarchy: h.parents };
  },
};
