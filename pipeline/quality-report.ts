/** Score one scale's clustering: every quality metric that the data allows, as a QualityReport. */
import type { PipelineData, QualityReport } from '../harness/types.js';
import { adjustedRandIndex } from './metrics/adjusted-rand-index.js';

/** Options for quality scoring. */
export interface QualityOptions {
  /** Exact silhouette up to this many points; a sampled estimate beyond. */
  silhouetteExactMax?: number;
  seed?: number;
}

export function computeQuality(data: PipelineData, _opts: QualityOptions = {}): QualityReport {
  const q: QualityReport = {};
  const labels = data.labels;
  if (!labels) return q;
  let noise = 0;
  const clusters = new Set<number>();
  for (const l of labels) l < 0 ? noise++ : clusters.add(l);
  q.noiseFraction = labels.length ? noise / labels.length : 0;
  q.clusterCount = clusters.size;
  if (data.truth && data.truth.some((t) => t >= 0)) q.ari = adjustedRandIndex(data.truth, labels);
  return q;
}
