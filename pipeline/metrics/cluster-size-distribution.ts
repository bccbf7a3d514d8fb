/** Cluster count, noise fraction and the size distribution (min, median, max, Gini) of a labeling; -1 is noise. */

/** Sizes summary of the non-noise clusters. */
export interface ClusterSizeDistribution {
  clusterCount: number;
  noiseFraction: number;
  /** Absent when there is no cluster. */
  sizes?: { min: number; median: number; max: number; gini: number };
}

/** Gini coefficient of non-negative values: 0 = all equal, towards 1 = one holds everything. */
export function gini(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const k = v.length;
  const total = v.reduce((a, b) => a + b, 0);
  if (k === 0 || total === 0) return 0;
  let weighted = 0;
  for (let i = 0; i < k; i++) weighted += (i + 1) * v[i];
  return (2 * weighted) / (k * total) - (k + 1) / k;
}

/** Count clusters, noise and summarise cluster sizes. */
export function clusterSizeDistribution(labels: ArrayLike<number>): ClusterSizeDistribution {
  const sizes = new Map<number, number>();
  let noise = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0) noise++;
    else sizes.set(l, (sizes.get(l) ?? 0) + 1);
  }
  const out: ClusterSizeDistribution = {
    clusterCount: sizes.size,
    noiseFraction: labels.length ? noise / labels.length : 0,
  };
  if (sizes.size === 0) return out;
  const s = [...sizes.values()].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  out.sizes = { min: s[0], median, max: s[s.length - 1], gini: gini(s) };
  return out;
}
