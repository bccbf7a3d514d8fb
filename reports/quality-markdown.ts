/** The quality line of report.md for one scale, and notes on methods with a stated size limit. */
import type { QualityReport, RunResults } from '../harness/types.js';
import {
  AGGLOMERATIVE_HARD_MAX,
  AGGLOMERATIVE_MAX_POINTS,
  ML_HCLUST_MAX_POINTS,
} from '../pipeline/stages/cluster/agglomerative.js';

const f = (v: number | undefined, digits = 3): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);

/**
 * "ARI 0.912; NMI ...; on reduced vectors (10-d): silhouette 0.41 (sampled, 2,000 points, 95% CI 0.40–0.42; noise
 * excluded), Davies–Bouldin 1.2, Calinski–Harabasz 310.5; ..." (cluster count and noise are the caller's). The vectors are named because
 * silhouette, Davies–Bouldin and Calinski–Harabasz on reduced vectors and on embeddings are different numbers.
 */
export function qualityLine(q: QualityReport): string {
  const parts: string[] = [];
  if (q.ari !== undefined) {
    parts.push(
      `ARI ${f(q.ari)}`,
      `NMI ${f(q.nmi)}`,
      `homogeneity ${f(q.homogeneity)}`,
      `completeness ${f(q.completeness)}`,
      `V-measure ${f(q.vMeasure)}`,
      `purity ${f(q.purity)}`,
      `reconstruction accuracy ${f(q.reconstructionAccuracy)}`,
    );
  } else parts.push('ARI —');
  const internal: string[] = [];
  if (q.silhouette !== undefined) {
    const how = q.silhouetteCi95
      ? `sampled, ${q.silhouetteSampleSize?.toLocaleString('en-US')} points, 95% CI ${f(q.silhouetteCi95[0])}–${f(q.silhouetteCi95[1])}`
      : `exact, ${q.silhouetteSampleSize?.toLocaleString('en-US')} points`;
    internal.push(`silhouette ${f(q.silhouette)} (${how}; noise excluded)`);
  }
  if (q.daviesBouldin !== undefined) internal.push(`Davies–Bouldin ${f(q.daviesBouldin)}`);
  if (q.calinskiHarabasz !== undefined) internal.push(`Calinski–Harabasz ${f(q.calinskiHarabasz, 1)}`);
  if (internal.length) {
    const v = q.internalVectors;
    const on = v
      ? `on ${v.field === 'reduced' ? 'reduced vectors' : 'embeddings'} (${v.dims}-d)`
      : 'on unrecorded vectors';
    parts.push(`${on}: ${internal.join(', ')}`);
  }
  if (q.clusterSizes)
    parts.push(
      `sizes min/median/max ${q.clusterSizes.min}/${q.clusterSizes.median}/${q.clusterSizes.max}, Gini ${f(q.clusterSizes.gini)}`,
    );
  if (q.hierarchyDepth !== undefined) parts.push(`hierarchy depth ${q.hierarchyDepth}`);
  return parts.join('; ');
}

/** Size limits of the methods a run used, stated once under the per-scale tables. */
export function methodLimitLines(r: RunResults): string[] {
  const used = new Set(r.records.map((x) => `${x.stage}/${x.method}`));
  const out: string[] = [];
  if (used.has('cluster/agglomerative')) {
    out.push(
      `- cluster/agglomerative refuses more than ${AGGLOMERATIVE_MAX_POINTS.toLocaleString('en-US')} points with its nn-chain backend (O(n²) time, n²/2 float64 distances: 381 MiB at 10K; options.maxPoints up to ${AGGLOMERATIVE_HARD_MAX.toLocaleString('en-US')}) and more than ${ML_HCLUST_MAX_POINTS.toLocaleString('en-US')} with backend ml-hclust (O(n³) time).`,
    );
  }
  return out.length ? ['## Method limits', '', ...out, ''] : [];
}
