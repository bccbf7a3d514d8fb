/**
 * Score one scale's clustering: every quality metric that the data allows, as a QualityReport. Definitions follow
 * scikit-learn (pipeline/metrics/*). Internal metrics (silhouette, Davies-Bouldin, Calinski-Harabasz) run on the
 * clustered vectors (`reduced` when present, else `embeddings`) and EXCLUDE noise points (-1). Ground-truth metrics
 * skip points whose truth is unknown (-1) and count noise as one more cluster, as scikit-learn would; reconstruction
 * accuracy instead counts a noise point as a miss.
 */
import type { Matrix, PipelineData, QualityReport } from '../contracts.js';
import { adjustedRandIndex } from './adjusted-rand-index.js';
import { normalizedMutualInfo } from './normalized-mutual-info.js';
import { homogeneityCompleteness } from './homogeneity-completeness.js';
import { purity } from './purity.js';
import { reconstructionAccuracy } from './reconstruction-accuracy.js';
import { clusterSizeDistribution } from './cluster-size-distribution.js';
import { silhouetteScore } from './silhouette.js';
import { daviesBouldin } from './davies-bouldin.js';
import { calinskiHarabasz } from './calinski-harabasz.js';
import { pickVectors, type VectorField } from '../stages/vector-input.js';
import { clusterCentroids } from '../kernels/cluster-centroids.js';

/** Options for quality scoring (the profile's `quality:` section). */
export interface QualityOptions {
  /** Exact silhouette up to this many (non-noise) points; a sampled estimate beyond. Default 3000. */
  silhouetteExactMax?: number;
  /** Points scored in the sampled silhouette estimate. Default 1000. */
  silhouetteSampleSize?: number;
  /** Points the sampled estimate measures a and b against. Default 4 x silhouetteSampleSize. */
  silhouetteReferenceSize?: number;
  /** Which vectors the internal metrics use. Default auto: `reduced` when present, else `embeddings`. */
  field?: VectorField;
  /** Skip internal metrics (silhouette, DB, CH) entirely. */
  internal?: boolean;
  seed?: number;
}

function vectorsOf(data: PipelineData, field: VectorField): { x: Matrix; field: 'reduced' | 'embeddings' } | undefined {
  const x = pickVectors(data, field);
  if (!x || x.rows !== data.labels?.length) return undefined;
  return { x, field: x === data.reduced ? 'reduced' : 'embeddings' };
}

export function computeQuality(data: PipelineData, opts: QualityOptions = {}): QualityReport {
  const q: QualityReport = {};
  const labels = data.labels;
  if (!labels) return q;
  const sizes = clusterSizeDistribution(labels);
  q.noiseFraction = sizes.noiseFraction;
  q.clusterCount = sizes.clusterCount;
  if (sizes.sizes) q.clusterSizes = sizes.sizes;
  if (data.truth && data.truth.length === labels.length && data.truth.some((t) => t >= 0)) {
    const known: number[] = [];
    for (let i = 0; i < labels.length; i++) if (data.truth[i] >= 0) known.push(i);
    const truth = known.length === labels.length ? data.truth : Int32Array.from(known, (i) => data.truth![i]);
    const pred = known.length === labels.length ? labels : Int32Array.from(known, (i) => labels[i]);
    q.ari = adjustedRandIndex(truth, pred);
    q.nmi = normalizedMutualInfo(truth, pred);
    const hc = homogeneityCompleteness(truth, pred);
    q.homogeneity = hc.homogeneity;
    q.completeness = hc.completeness;
    q.vMeasure = hc.vMeasure;
    q.purity = purity(truth, pred);
    q.reconstructionAccuracy = reconstructionAccuracy(truth, pred);
  }
  const picked = opts.internal === false ? undefined : vectorsOf(data, opts.field ?? 'auto');
  if (picked) {
    const { x } = picked;
    q.internalVectors = { field: picked.field, dims: x.cols };
    const sil = silhouetteScore(x, labels, {
      exactMax: opts.silhouetteExactMax,
      sampleSize: opts.silhouetteSampleSize,
      referenceSize: opts.silhouetteReferenceSize,
      seed: opts.seed,
    });
    if (sil) {
      q.silhouette = sil.value;
      q.silhouetteSampleSize = sil.sampleSize;
      if (sil.ci95) q.silhouetteCi95 = sil.ci95;
    }
    const cc = clusterCentroids(x, labels);
    const db = daviesBouldin(x, labels, cc);
    if (db !== undefined) q.daviesBouldin = db;
    const ch = calinskiHarabasz(x, labels, cc);
    if (ch !== undefined) q.calinskiHarabasz = ch;
  }
  if (data.hierarchy) q.hierarchyDepth = data.hierarchy.length;
  return q;
}
