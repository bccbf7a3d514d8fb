/**
 * Davies-Bouldin index, as scikit-learn's davies_bouldin_score (Euclidean; lower is better). Noise points (-1) are
 * excluded. Undefined (returns undefined) unless 2 <= clusters <= points - 1, and above `maxClusters` (default
 * DAVIES_BOULDIN_MAX_CLUSTERS): the centroid pairs cost k² d / 2 (k = 10,000 x 384 dims: about 2e10 multiply-adds).
 */
import type { Matrix } from '../contracts.js';
import { clusterCentroids, type ClusterCentroids } from '../kernels/cluster-centroids.js';

/** Above this many clusters Davies-Bouldin is skipped (left undefined). */
export const DAVIES_BOULDIN_MAX_CLUSTERS = 3000;

/** mean over clusters i of max_{j != i} (s_i + s_j) / d(c_i, c_j), s = mean distance of a cluster's points to its centroid. */
export function daviesBouldin(
  x: Matrix,
  labels: ArrayLike<number>,
  precomputed?: ClusterCentroids,
  maxClusters = DAVIES_BOULDIN_MAX_CLUSTERS,
): number | undefined {
  const { cols: d, data } = x;
  const cc = precomputed ?? clusterCentroids(x, labels);
  const { k, compact, counts, centroids } = cc;
  let m = 0;
  for (let c = 0; c < k; c++) m += counts[c];
  if (k < 2 || k > m - 1 || k > maxClusters) return undefined;
  const intra = new Float64Array(k);
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i];
    if (c < 0) continue;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - centroids[c * d + j];
      s += t * t;
    }
    intra[c] += Math.sqrt(s);
  }
  for (let c = 0; c < k; c++) intra[c] /= counts[c];
  let allIntraZero = true,
    allCentreZero = true;
  for (let c = 0; c < k; c++) if (Math.abs(intra[c]) > 1e-8) allIntraZero = false;
  // Each pair once, no k x k matrix: worst[a] = max over b of (s_a + s_b) / d(a, b).
  const worst = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const ao = a * d;
    for (let b = a + 1; b < k; b++) {
      const bo = b * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = centroids[ao + j] - centroids[bo + j];
        s += t * t;
      }
      const v = Math.sqrt(s);
      if (v > 1e-8) allCentreZero = false;
      if (v === 0) continue; // scikit-learn sets zero centroid distances to inf
      const r = (intra[a] + intra[b]) / v;
      if (r > worst[a]) worst[a] = r;
      if (r > worst[b]) worst[b] = r;
    }
  }
  // scikit-learn: np.allclose(..., 0) on either side gives 0.
  if (allIntraZero || allCentreZero) return 0;
  let total = 0;
  for (let a = 0; a < k; a++) total += worst[a];
  return total / k;
}
