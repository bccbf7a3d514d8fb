/**
 * Davies-Bouldin index, as scikit-learn's davies_bouldin_score (Euclidean; lower is better). Noise points (-1) are
 * excluded. Undefined (returns undefined) unless 2 <= clusters <= points - 1.
 */
import type { Matrix } from '../../harness/types.js';
import { clusterCentroids, type ClusterCentroids } from '../cluster-centroids.js';

/** mean over clusters i of max_{j != i} (s_i + s_j) / d(c_i, c_j), s = mean distance of a cluster's points to its centroid. */
export function daviesBouldin(x: Matrix, labels: ArrayLike<number>, precomputed?: ClusterCentroids): number | undefined {
  const { cols: d, data } = x;
  const cc = precomputed ?? clusterCentroids(x, labels);
  const { k, compact, counts, centroids } = cc;
  let m = 0;
  for (let c = 0; c < k; c++) m += counts[c];
  if (k < 2 || k > m - 1) return undefined;
  const intra = new Float64Array(k);
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i];
    if (c < 0) continue;
    let s = 0;
    for (let j = 0; j < d; j++) { const t = data[i * d + j] - centroids[c * d + j]; s += t * t; }
    intra[c] += Math.sqrt(s);
  }
  for (let c = 0; c < k; c++) intra[c] /= counts[c];
  const dist = new Float64Array(k * k);
  let allIntraZero = true, allCentreZero = true;
  for (let c = 0; c < k; c++) if (Math.abs(intra[c]) > 1e-8) allIntraZero = false;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) { const t = centroids[a * d + j] - centroids[b * d + j]; s += t * t; }
      const v = Math.sqrt(s);
      dist[a * k + b] = dist[b * k + a] = v;
      if (v > 1e-8) allCentreZero = false;
    }
  }
  // scikit-learn: np.allclose(..., 0) on either side gives 0.
  if (allIntraZero || allCentreZero) return 0;
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a || dist[a * k + b] === 0) continue;
      worst = Math.max(worst, (intra[a] + intra[b]) / dist[a * k + b]);
    }
    total += worst;
  }
  return total / k;
}
