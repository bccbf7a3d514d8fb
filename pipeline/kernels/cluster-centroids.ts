/** Per-cluster means of a labeled matrix, skipping noise (-1): the basis of Davies-Bouldin, Calinski-Harabasz and meta-clustering. */
import type { Matrix } from '../contracts.js';

/** Clusters compacted to 0..k-1 in order of first appearance. */
export interface ClusterCentroids {
  k: number;
  /** Original label of compact cluster c. */
  ids: Int32Array;
  /** Compact cluster of each point, -1 for noise. */
  compact: Int32Array;
  counts: Int32Array;
  /** k x d means (float64). */
  centroids: Float64Array;
}

/** Compute centroids of every non-noise cluster. */
export function clusterCentroids(x: Matrix, labels: ArrayLike<number>): ClusterCentroids {
  const { rows: n, cols: d, data } = x;
  if (labels.length !== n) throw new Error(`labels has ${labels.length} entries but the matrix has ${n} rows`);
  const map = new Map<number, number>();
  const compact = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l < 0) {
      compact[i] = -1;
      continue;
    }
    let c = map.get(l);
    if (c === undefined) {
      c = map.size;
      map.set(l, c);
    }
    compact[i] = c;
  }
  const k = map.size;
  const ids = new Int32Array(k);
  for (const [l, c] of map) ids[c] = l;
  const counts = new Int32Array(k);
  const centroids = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = compact[i];
    if (c < 0) continue;
    counts[c]++;
    const o = i * d,
      co = c * d;
    for (let j = 0; j < d; j++) centroids[co + j] += data[o + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centroids[c * d + j] /= counts[c];
  return { k, ids, compact, counts, centroids };
}
