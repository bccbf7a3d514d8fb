/**
 * Calinski-Harabasz index (variance ratio criterion), as scikit-learn's calinski_harabasz_score (higher is better).
 * Noise points (-1) are excluded. Undefined (returns undefined) unless 2 <= clusters <= points - 1.
 */
import type { Matrix } from '../contracts.js';
import { clusterCentroids, type ClusterCentroids } from '../kernels/cluster-centroids.js';

/** [sum_k n_k ||c_k - mean||² / (k - 1)] / [sum ||x - c_label||² / (n - k)]; 1 when the within dispersion is 0. */
export function calinskiHarabasz(
  x: Matrix,
  labels: ArrayLike<number>,
  precomputed?: ClusterCentroids,
): number | undefined {
  const { cols: d, data } = x;
  const { k, compact, counts, centroids: means } = precomputed ?? clusterCentroids(x, labels);
  let m = 0;
  for (let c = 0; c < k; c++) m += counts[c];
  if (k < 2 || k > m - 1) return undefined;
  const mean = new Float64Array(d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) mean[j] += counts[c] * means[c * d + j];
  for (let j = 0; j < d; j++) mean[j] /= m;
  let extra = 0,
    intra = 0;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = means[c * d + j] - mean[j];
      s += t * t;
    }
    extra += counts[c] * s;
  }
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i];
    if (c < 0) continue;
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - means[c * d + j];
      intra += t * t;
    }
  }
  return intra === 0 ? 1 : (extra * (m - k)) / (intra * (k - 1));
}
