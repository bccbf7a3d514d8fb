import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix, PipelineData } from '../../harness/types.js';
import { silhouetteSamples, silhouetteScore } from '../../pipeline/metrics/silhouette.js';
import { daviesBouldin } from '../../pipeline/metrics/davies-bouldin.js';
import { calinskiHarabasz } from '../../pipeline/metrics/calinski-harabasz.js';
import { normalizedMutualInfo } from '../../pipeline/metrics/normalized-mutual-info.js';
import { homogeneityCompleteness } from '../../pipeline/metrics/homogeneity-completeness.js';
import { adjustedRandIndex } from '../../pipeline/metrics/adjusted-rand-index.js';
import { purity } from '../../pipeline/metrics/purity.js';
import { reconstructionAccuracy } from '../../pipeline/metrics/reconstruction-accuracy.js';
import { clusterSizeDistribution, gini } from '../../pipeline/metrics/cluster-size-distribution.js';
import { computeQuality } from '../../pipeline/metrics/quality-report.js';
import { qualityLine } from '../../reports/quality-markdown.js';
import { makeBlobs } from '../../generators/gaussian-blobs.js';

const line = (...v: number[]): Matrix => ({ rows: v.length, cols: 1, data: Float32Array.from(v) });
const close = (a: number | undefined, b: number, eps = 1e-9, what = ''): void =>
  assert.ok(a !== undefined && Math.abs(a - b) < eps, `${what}: ${a} vs ${b}`);

test('silhouette matches the hand-computed value, excludes noise, scores singletons 0', () => {
  // a = 1 for every point; b = 10.5, 9.5, 9.5, 10.5 -> s = 9.5/10.5, 8.5/9.5, 8.5/9.5, 9.5/10.5.
  const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
  close(silhouetteScore(line(0, 1, 10, 11), [0, 0, 1, 1])?.value, expected, 1e-12, 'two pairs');
  const withNoise = silhouetteScore(line(0, 1, 10, 11, 500), [0, 0, 1, 1, -1]);
  close(withNoise?.value, expected, 1e-12, 'noise excluded');
  assert.equal(withNoise?.noiseExcluded, 1);
  assert.equal(withNoise?.sampled, false);
  // Singleton cluster scores 0: (0.9 + 8/9 + 0) / 3.
  close(silhouetteScore(line(0, 1, 10), [0, 0, 1])?.value, (0.9 + 8 / 9) / 3, 1e-12, 'singleton');
  assert.equal(silhouetteScore(line(0, 1, 2), [0, 0, 0]), undefined, 'one cluster: undefined, as scikit-learn raises');
  // 2-D: equilateral-ish fixture, computed by hand from Euclidean distances.
  const x: Matrix = { rows: 3, cols: 2, data: Float32Array.from([0, 0, 3, 4, 6, 8]) };
  // labels [0,0,1]: p0 a=5 b=10 -> 0.5; p1 a=5 b=5 -> 0; p2 singleton -> 0.
  close(silhouetteScore(x, [0, 0, 1])?.value, 0.5 / 3, 1e-12, '2-D');
});

test('the symmetric exact pass equals the streamed pass point by point', () => {
  const b = makeBlobs({ n: 501, d: 7, centers: 6, std: 4, seed: 5 });
  const full = silhouetteSamples(b.x, b.truth)!;
  const streamed = silhouetteSamples(b.x, b.truth, undefined, 500)!;
  assert.equal(streamed.length, 500);
  for (let i = 0; i < 500; i++)
    assert.ok(Math.abs(full[i] - streamed[i]) < 1e-9, `point ${i}: ${full[i]} vs ${streamed[i]}`);
});

test('sampled silhouette: CI present and covers the exact value', () => {
  const b = makeBlobs({ n: 3000, d: 8, centers: 4, std: 3, seed: 11 });
  const exact = silhouetteScore(b.x, b.truth, { exactMax: 5000 })!;
  const est = silhouetteScore(b.x, b.truth, { exactMax: 1000, sampleSize: 400, referenceSize: 1600, seed: 3 })!;
  assert.equal(exact.sampled, false);
  assert.equal(est.sampled, true);
  assert.equal(est.sampleSize, 400);
  assert.ok(
    est.ci95 && est.ci95[0] < exact.value && exact.value < est.ci95[1],
    `CI ${est.ci95?.join(',')} vs exact ${exact.value}`,
  );
});

test('Davies-Bouldin and Calinski-Harabasz match hand-computed fixtures', () => {
  // Centroids 1 and 11, mean distance to centroid 1 each, centroid distance 10: DB = (1 + 1) / 10.
  close(daviesBouldin(line(0, 2, 10, 12), [0, 0, 1, 1]), 0.2, 1e-12, 'DB');
  // Overall mean 6: between = 2*25 + 2*25 = 100, within = 4; CH = 100 * (4 - 2) / (4 * (2 - 1)) = 50.
  close(calinskiHarabasz(line(0, 2, 10, 12), [0, 0, 1, 1]), 50, 1e-9, 'CH');
  // Noise excluded: a far noise point changes nothing.
  close(daviesBouldin(line(0, 2, 10, 12, 99), [0, 0, 1, 1, -1]), 0.2, 1e-12, 'DB noise');
  close(calinskiHarabasz(line(0, 2, 10, 12, 99), [0, 0, 1, 1, -1]), 50, 1e-9, 'CH noise');
  // Three clusters 1-D: [0,2] [10,12] [30,34]: centroids 1, 11, 32; intra 1, 1, 2; centroid distances 10, 31, 21.
  // DB rows: max(2/10, 3/31) = .2; max(2/10, 3/21) = .2; max(3/31, 3/21) = 1/7 -> mean (.4 + 1/7) / 3.
  close(daviesBouldin(line(0, 2, 10, 12, 30, 34), [0, 0, 1, 1, 2, 2]), (0.4 + 1 / 7) / 3, 1e-12, 'DB 3');
  assert.equal(daviesBouldin(line(1, 1, 1), [0, 0, 0]), undefined);
  assert.equal(
    daviesBouldin(line(0, 2, 10, 12), [0, 0, 1, 1], undefined, 1),
    undefined,
    'more clusters than maxClusters: skipped',
  );
  assert.equal(calinskiHarabasz(line(0, 0, 5, 5), [0, 0, 1, 1]), 1, 'zero within-dispersion: 1, as scikit-learn');
});

test('ground-truth metrics match scikit-learn documented values', () => {
  // scikit-learn docs: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714..., v_measure = 0.8, homogeneity = 1.
  close(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]), 4 / 7, 1e-12, 'ARI');
  close(normalizedMutualInfo([0, 0, 1, 1], [0, 0, 1, 2]), 0.8, 1e-12, 'NMI');
  const hc = homogeneityCompleteness([0, 0, 1, 1], [0, 0, 1, 2]);
  close(hc.homogeneity, 1, 1e-12, 'homogeneity');
  close(hc.completeness, 2 / 3, 1e-12, 'completeness');
  close(hc.vMeasure, 0.8, 1e-12, 'V');
  // Everything in one cluster: homogeneity 0, completeness 1; all split: NMI 0.
  const one = homogeneityCompleteness([0, 0, 1, 1], [0, 0, 0, 0]);
  assert.deepEqual([one.homogeneity, one.completeness], [0, 1]);
  assert.equal(normalizedMutualInfo([0, 0, 0, 0], [0, 1, 2, 3]), 0);
  assert.equal(normalizedMutualInfo([5, 5], [7, 7]), 1);
  close(normalizedMutualInfo([1, 1, 0, 0], [0, 0, 1, 1]), 1, 1e-12, 'relabelled');
});

test('purity, reconstruction accuracy and the size distribution', () => {
  assert.equal(purity([0, 0, 1, 1, 1], [0, 0, 0, 1, 1]), 0.8);
  // A noise point is its own cluster for purity but a miss for reconstruction accuracy.
  assert.equal(purity([0, 0, 1, 1], [0, -1, 1, 1]), 1);
  assert.equal(reconstructionAccuracy([0, 0, 1, 1], [0, -1, 1, 1]), 0.75);
  assert.equal(reconstructionAccuracy([0, 0, 1, 1, -1], [0, 0, 0, 0, 3]), 0.5, 'unknown truth skipped');
  assert.equal(gini([4, 4, 4, 4]), 0);
  close(gini([0, 0, 0, 10]), 0.75, 1e-12, 'gini');
  const s = clusterSizeDistribution([0, 0, 0, 1, 2, 2, -1, -1]);
  assert.equal(s.clusterCount, 3);
  assert.equal(s.noiseFraction, 0.25);
  assert.deepEqual({ ...s.sizes, gini: undefined }, { min: 1, median: 2, max: 3, gini: undefined });
  close(s.sizes!.gini, (2 * (1 + 4 + 9)) / (3 * 6) - 4 / 3, 1e-12, 'size gini');
});

test('computeQuality fills every metric the data allows', () => {
  const b = makeBlobs({ n: 600, d: 5, centers: 3, std: 0.3, seed: 2 });
  const labels = Int32Array.from(b.truth);
  labels[0] = -1;
  const data: PipelineData = {
    n: 600,
    embeddings: b.x,
    labels,
    truth: b.truth,
    hierarchy: [Int32Array.from([0, 0, 1])],
  };
  const q = computeQuality(data, {
    silhouetteExactMax: 100,
    silhouetteSampleSize: 200,
    silhouetteReferenceSize: 400,
    seed: 1,
  });
  for (const key of [
    'ari',
    'nmi',
    'homogeneity',
    'completeness',
    'vMeasure',
    'purity',
    'reconstructionAccuracy',
    'silhouette',
    'daviesBouldin',
    'calinskiHarabasz',
    'noiseFraction',
    'clusterCount',
    'clusterSizes',
    'hierarchyDepth',
    'silhouetteCi95',
  ] as const) {
    assert.ok(q[key] !== undefined, `${key} missing`);
  }
  assert.equal(q.silhouetteSampleSize, 200);
  assert.equal(q.hierarchyDepth, 1);
  assert.ok(q.silhouette! > 0.8 && q.daviesBouldin! < 0.5, JSON.stringify(q));
  const exact = computeQuality(data, { silhouetteExactMax: 1000 });
  assert.equal(exact.silhouetteCi95, undefined);
  assert.equal(exact.silhouetteSampleSize, 599, 'noise point excluded');
});

test('the quality report and its line name the vectors the internal metrics used', () => {
  const b = makeBlobs({ n: 300, d: 6, centers: 3, std: 0.3, seed: 4 });
  // "reduced": the first two columns only, so the two fields give different silhouettes.
  const reduced = {
    rows: 300,
    cols: 2,
    data: Float32Array.from({ length: 600 }, (_, i) => b.x.data[Math.floor(i / 2) * 6 + (i % 2)]),
  };
  const data: PipelineData = { n: 300, embeddings: b.x, reduced, labels: Int32Array.from(b.truth), truth: b.truth };
  const auto = computeQuality(data, { silhouetteExactMax: 1000 });
  const onEmb = computeQuality(data, { silhouetteExactMax: 1000, field: 'embeddings' });
  assert.deepEqual(auto.internalVectors, { field: 'reduced', dims: 2 });
  assert.deepEqual(onEmb.internalVectors, { field: 'embeddings', dims: 6 });
  assert.notEqual(auto.silhouette, onEmb.silhouette);
  assert.match(
    qualityLine(auto),
    /; on reduced vectors \(2-d\): silhouette [0-9.]+ \(exact, 300 points; noise excluded\), Davies–Bouldin [0-9.]+, Calinski–Harabasz [0-9.]+/,
  );
  assert.match(qualityLine(onEmb), /on embeddings \(6-d\): silhouette/);
  assert.equal(computeQuality(data, { internal: false }).internalVectors, undefined);
});
