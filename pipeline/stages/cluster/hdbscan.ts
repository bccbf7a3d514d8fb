/**
 * cluster/hdbscan: exact HDBSCAN (Campello, Moulavi & Sander 2013) with the semantics of the Python `hdbscan`
 * library: min_cluster_size, min_samples, excess-of-mass or leaf selection, allow_single_cluster; it returns labels
 * (-1 = noise), membership probabilities, GLOSH outlier scores and the condensed tree.
 *
 * Pipeline (pipeline/hdbscan/): core distances from an exact kNN (kd-tree for d <= 16, symmetric blocked brute force
 * above) -> MST of the mutual-reachability graph (kd-tree Borůvka with centroid bounds for low d, O(n)-memory Prim for
 * high d) -> single-linkage dendrogram -> condensed tree -> cluster selection -> GLOSH. The kNN pass and both MSTs run
 * on all cores (worker_threads over SharedArrayBuffer); results are the same on every run for a given thread count.
 * Memory is O(n·k): no n x n matrix anywhere.
 *
 * One convention differs from the Python library and follows scikit-learn: the core distance is the distance to
 * the min_samples-th neighbour counting the point itself, so the library's min_samples=m is minSamples=m+1 here.
 *
 * Why hand-written: the npm package hdbscan-ts 1.0.17 (kept as cluster/hdbscan-ts) builds an n x n matrix and is
 * about cubic: 608 s at 10K x 10 with 96% of well-separated blob points called noise (ARI 0.0002); measured again
 * here: 2K x 10 4.7 s, ARI 0.04, 79% noise; 5K x 10 56 s, ARI 0.0001, 97% noise. No other npm package implements
 * HDBSCAN with a spatial index. Measured with bench/cluster-hdbscan.bench.ts (20 seeded Gaussian blobs,
 * minClusterSize = minSamples = 5) on this shared 2-core machine at load average 1-2.6; wall time, process CPU time
 * (all threads), peak RSS; [Python hdbscan on the same data]:
 *   10K x 10:  0.53 s,  0.5 s CPU, ARI 1.0,  67 MB  [0.26 s]
 *   50K x 10:  3.2 s,   3.2 s CPU, ARI 1.0,  94 MB  [2.8 s]
 *   100K x 10: 4.1 s,   7.4 s CPU, ARI 1.0, 116 MB  [10.3 s]   target <= 10 s, ARI 1.0: met
 *   20K x 384: 48 s,   94.1 s CPU, ARI 1.0, 202 MB  [177 s]    target <= 60 s: met
 *   1M x 10:   127 s,   161 s CPU, ARI 1.0, 456 MB              target <= 10 min, < 4 GB: met
 * When other jobs load the machine (load 4-11) the wall times grow with it: 100K x 10 12.7-17.3 s, 20K x 384
 * 110-235 s, 1M x 10 534 s, for the same CPU time. At 20K x 384 the cost is the n²/2 distance evaluations of each
 * of the kNN pass and Prim (7.7e10 multiply-adds each) at about 1.3 G multiply-adds/s per core in scalar JavaScript.
 */
import os from 'node:os';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { selectClusters } from '../../hdbscan/cluster-selection.js';
import { condenseTree, type CondensedTree } from '../../hdbscan/condensed-tree.js';
import { computeKnn } from '../../hdbscan/core-distances.js';
import { glosh } from '../../hdbscan/glosh.js';
import type { SpanningTree } from '../../hdbscan/mst.js';
import { boruvkaMst } from '../../hdbscan/mst-boruvka.js';
import { primMst } from '../../hdbscan/mst-prim.js';
import { singleLinkage } from '../../hdbscan/single-linkage.js';
import { vectorFieldOption, vectorsFor, type VectorField } from '../vector-input.js';
import { booleanOption, enumOption, integerOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options of HDBSCAN. */
export interface HdbscanOptions {
  /** Smallest group that counts as a cluster (>= 2). */
  minClusterSize: number;
  /** Neighbours (the point itself counted) whose distance is the core distance; default minClusterSize. */
  minSamples?: number;
  clusterSelectionMethod: 'eom' | 'leaf';
  allowSingleCluster: boolean;
  /** kd-tree + Borůvka, or brute-force kNN + Prim; "auto" picks the kd-tree for d <= 16. */
  algorithm: 'auto' | 'kdtree' | 'brute';
  /**
   * Threads for the kNN pass and the MST (this one plus helpers); default: the machine's cores.
   * Prim's threads meet at a barrier twice per added point; measured at 4K x 384 on this 2-core machine under load
   * 11, two threads still halved its wall time (20.4 s -> 9.7 s) for 8% more CPU time.
   */
  threads?: number;
  /** kd-tree leaf size. */
  leafSize: number;
}

/** Everything HDBSCAN computes. */
export interface HdbscanResult {
  /** Cluster per point, -1 = noise. */
  labels: Int32Array;
  /** Membership strength in [0, 1] (0 for noise). */
  probabilities: Float64Array;
  /** GLOSH outlier score in [0, 1]. */
  outlierScores: Float64Array;
  condensedTree: CondensedTree;
  /** Condensed-tree id of each cluster label. */
  selectedClusters: Int32Array;
  /** Stability of each condensed-tree cluster (id - n). */
  clusterStability: Float64Array;
  /** Core distance of each point. */
  coreDistances: Float64Array;
  spanningTree: SpanningTree;
  nClusters: number;
  /** Which engine ran, and the most threads any phase used. */
  algorithm: 'kdtree' | 'brute';
  threads: number;
  /** Wall time of each phase, ms. */
  timings: { knnMs: number; mstMs: number; treeMs: number };
}

/** Defaults for every option (minSamples defaults to minClusterSize). */
export const HDBSCAN_DEFAULTS: HdbscanOptions = {
  minClusterSize: 5,
  clusterSelectionMethod: 'eom',
  allowSingleCluster: false,
  algorithm: 'auto',
  leafSize: 16,
};

/** Run HDBSCAN on the rows of x. */
export async function hdbscan(
  x: Matrix,
  options: Partial<HdbscanOptions> = {},
  onPhase?: (label: string) => void,
): Promise<HdbscanResult> {
  const o = { ...HDBSCAN_DEFAULTS, ...options };
  const { rows: n, cols: d } = x;
  if (!Number.isInteger(o.minClusterSize) || o.minClusterSize < 2)
    throw new Error('minClusterSize: must be an integer >= 2');
  const minSamples = o.minSamples ?? o.minClusterSize;
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new Error('minSamples: must be an integer >= 1');
  if (x.data.length < n * d) throw new Error(`hdbscan: matrix is ${n} x ${d} but holds ${x.data.length} values`);
  for (let i = 0; i < n * d; i++)
    if (!Number.isFinite(x.data[i]))
      throw new Error(`hdbscan: row ${Math.floor(i / d)} has a non-finite value at column ${i % d}`);
  const algorithm = o.algorithm === 'auto' ? (d <= 16 ? 'kdtree' : 'brute') : o.algorithm;
  const threads = o.threads ?? Math.max(1, os.availableParallelism());
  const coreDistances = new Float64Array(n);
  let spanningTree: SpanningTree = { from: new Int32Array(0), to: new Int32Array(0), weight: new Float64Array(0) };
  let used = 1;
  const t0 = performance.now();
  let t1 = t0;
  if (n >= 2) {
    const k = Math.min(minSamples, n);
    const knn = await computeKnn(x.data, n, d, k, { algorithm, threads, leafSize: o.leafSize });
    used = knn.threads;
    if (knn.tree) for (let p = 0; p < n; p++) coreDistances[knn.tree.perm[p]] = Math.sqrt(knn.coreSq[p]);
    else for (let i = 0; i < n; i++) coreDistances[i] = Math.sqrt(knn.coreSq[i]);
    t1 = performance.now();
    onPhase?.('knn');
    if (knn.tree) {
      // Helper threads cost ~50 ms to start and meet once per round; below ~20K points one thread is faster.
      const mst = await boruvkaMst(knn, n >= 20_000 ? threads : 1);
      spanningTree = mst;
      used = Math.max(used, mst.threads);
    } else {
      // Below ~2K points a step is too short to split.
      const prim = await primMst(x.data, n, d, knn.coreSq, n >= 2048 ? threads : 1);
      spanningTree = prim;
      used = Math.max(used, prim.threads);
    }
  }
  const t2 = performance.now();
  onPhase?.('mst');
  if (n === 0) {
    const empty: CondensedTree = {
      nPoints: 0,
      nClusters: 0,
      parent: new Int32Array(0),
      child: new Int32Array(0),
      lambda: new Float64Array(0),
      childSize: new Int32Array(0),
    };
    return {
      labels: new Int32Array(0),
      probabilities: new Float64Array(0),
      outlierScores: new Float64Array(0),
      condensedTree: empty,
      selectedClusters: new Int32Array(0),
      clusterStability: new Float64Array(0),
      coreDistances,
      spanningTree,
      nClusters: 0,
      algorithm,
      threads: used,
      timings: { knnMs: 0, mstMs: 0, treeMs: 0 },
    };
  }
  const condensedTree = condenseTree(singleLinkage(spanningTree, n), o.minClusterSize);
  const sel = selectClusters(condensedTree, {
    method: o.clusterSelectionMethod,
    allowSingleCluster: o.allowSingleCluster,
  });
  const outlierScores = glosh(condensedTree);
  const t3 = performance.now();
  onPhase?.('tree');
  return {
    labels: sel.labels,
    probabilities: sel.probabilities,
    outlierScores,
    condensedTree,
    selectedClusters: sel.selected,
    clusterStability: sel.stability,
    coreDistances,
    spanningTree,
    nClusters: sel.selected.length,
    algorithm,
    threads: used,
    timings: { knnMs: t1 - t0, mstMs: t2 - t1, treeMs: t3 - t2 },
  };
}

/** Stage options: HDBSCAN's plus which matrix to cluster. */
export interface HdbscanStageOptions extends HdbscanOptions {
  field: VectorField;
}

/** Stage options as the profile gives them; errors name the key. */
export const hdbscanOptions = z.strictObject({
  minClusterSize: integerOption(2).default(HDBSCAN_DEFAULTS.minClusterSize),
  minSamples: integerOption(1).optional(),
  clusterSelectionMethod: enumOption(['eom', 'leaf'], 'must be "eom" or "leaf"').default('eom'),
  allowSingleCluster: booleanOption().default(false),
  algorithm: enumOption(['auto', 'kdtree', 'brute']).default('auto'),
  threads: integerOption(1).optional(),
  leafSize: integerOption(2).default(HDBSCAN_DEFAULTS.leafSize),
  field: vectorFieldOption(),
});

export const hdbscanClusterer: StageDefinition<HdbscanStageOptions> = {
  kind: 'cluster',
  method: 'hdbscan',
  reads: ['embeddings', 'reduced'],
  writes: ['labels', 'membership', 'outlierScores'],
  options: hdbscanOptions,
  async run(input: PipelineData, opts: HdbscanStageOptions, ctx: StageContext) {
    const x = vectorsFor(input, opts.field, 'cluster/hdbscan');
    const res = await hdbscan(x, opts, (phase) => ctx.sample(phase));
    ctx.count('clusters', res.nClusters);
    let noise = 0;
    for (let i = 0; i < res.labels.length; i++) if (res.labels[i] < 0) noise++;
    ctx.count('noisePoints', noise);
    ctx.count('threads', res.threads);
    ctx.observe('knnMs', res.timings.knnMs);
    ctx.observe('mstMs', res.timings.mstMs);
    ctx.observe('treeMs', res.timings.treeMs);
    return {
      labels: res.labels,
      membership: Float32Array.from(res.probabilities),
      outlierScores: Float32Array.from(res.outlierScores),
    };
  },
};
