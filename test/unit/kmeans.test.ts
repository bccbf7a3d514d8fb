import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans, kmeansClusterer, resolveK, seedCentres } from '../../pipeline/stages/cluster/kmeans.js';
import { miniBatchKMeans } from '../../pipeline/stages/cluster/minibatch-kmeans.js';
import { makeBlobs } from '../../generators/gaussian-blobs.js';
import { adjustedRandIndex } from '../../pipeline/metrics/adjusted-rand-index.js';
import { mulberry32 } from '../../pipeline/support/seeded-random.js';
import type { Matrix } from '../../harness/types.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

function uniform(n: number, d: number, seed: number): Matrix {
  const r = mulberry32(seed);
  return { rows: n, cols: d, data: Float32Array.from({ length: n * d }, () => r()) };
}

/** Plain Lloyd (no bounds, direct distances) from given centres: the reference Hamerly must reproduce. */
function naiveLloyd(x: Matrix, c0: Float32Array, k: number, iterations: number): Int32Array {
  const { rows: n, cols: d, data } = x;
  const c = Float32Array.from(c0);
  const labels = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) {
      let best = 0,
        bd = Infinity;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let q = 0; q < d; q++) {
          const t = data[i * d + q] - c[j * d + q];
          s += t * t;
        }
        if (s < bd) {
          bd = s;
          best = j;
        }
      }
      labels[i] = best;
    }
    const sums = new Float64Array(k * d),
      cnt = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      cnt[labels[i]]++;
      for (let q = 0; q < d; q++) sums[labels[i] * d + q] += data[i * d + q];
    }
    for (let j = 0; j < k; j++) if (cnt[j]) for (let q = 0; q < d; q++) c[j * d + q] = sums[j * d + q] / cnt[j];
  }
  return labels;
}

test('k-means inertia is non-increasing across iterations (uniform data, many iterations)', () => {
  for (const [n, d, k] of [
    [3000, 8, 25],
    [1500, 40, 12],
  ] as const) {
    const res = kmeans(uniform(n, d, n), k, { maxIterations: 60, tolerance: 0, seed: 5 });
    assert.ok(res.inertiaHistory.length >= 10, `only ${res.inertiaHistory.length} iterations`);
    for (let i = 1; i < res.inertiaHistory.length; i++) {
      assert.ok(
        res.inertiaHistory[i] <= res.inertiaHistory[i - 1] * (1 + 1e-9),
        `iteration ${i}: ${res.inertiaHistory[i - 1]} -> ${res.inertiaHistory[i]}`,
      );
    }
    assert.ok(res.inertiaHistory[res.inertiaHistory.length - 1] < res.inertiaHistory[0]);
    assert.ok(res.rescans < n * res.iterations, 'Hamerly bounds skipped some rescans');
  }
});

test('Hamerly-bounded k-means reproduces plain Lloyd from the same seeds', () => {
  const x = uniform(1200, 6, 9);
  const k = 15,
    iters = 12;
  const res = kmeans(x, k, { maxIterations: iters, tolerance: 0, seed: 21, init: 'kmeans++' });
  const c0 = seedCentres(x, k, mulberry32(21), 'kmeans++');
  const ref = naiveLloyd(x, c0, k, res.iterations);
  let same = 0;
  for (let i = 0; i < x.rows; i++) if (ref[i] === res.labels[i]) same++;
  assert.equal(same, x.rows, `${x.rows - same} labels differ from plain Lloyd`);
});

test('k-means++ and k-means|| find separated blobs exactly (d = 10 and 384)', () => {
  for (const d of [10, 384]) {
    const b = makeBlobs({ n: 3000, d, centers: 8, std: 0.5, seed: d });
    for (const init of ['kmeans++', 'kmeans||'] as const) {
      const res = kmeans(b.x, 8, { maxIterations: 100, tolerance: 1e-6, seed: 2, init });
      assert.equal(adjustedRandIndex(b.truth, res.labels), 1, `${init} d=${d}`);
    }
  }
});

test('k-means handles identical points and k >= n without crashing', () => {
  const x: Matrix = { rows: 50, cols: 4, data: new Float32Array(200).fill(3) };
  const res = kmeans(x, 5, { maxIterations: 10, tolerance: 0, seed: 1 });
  assert.equal(res.inertia, 0);
  const tiny = kmeans(uniform(3, 2, 1), 10, { maxIterations: 10, tolerance: 0, seed: 1 });
  assert.equal(tiny.centroids.rows, 3);
});

test('mini-batch k-means clusters separated blobs', () => {
  const b = makeBlobs({ n: 20000, d: 16, centers: 10, std: 0.5, seed: 4 });
  const res = miniBatchKMeans(b.x, 10, { batchSize: 512, maxSteps: 300, maxNoImprovement: 10, seed: 3 });
  assert.ok(adjustedRandIndex(b.truth, res.labels) > 0.95, `ARI ${adjustedRandIndex(b.truth, res.labels)}`);
  assert.ok(res.steps >= 1 && res.steps <= 300);
});

test('k rules and option errors', () => {
  assert.equal(resolveK('kura', 1001), 101);
  assert.equal(resolveK('sqrt', 5000), 50);
  assert.equal(resolveK(40, 10), 10);
  assert.throws(() => parseStageOptions(kmeansClusterer, { k: 0 }), /k: must be a positive integer/);
  assert.throws(() => parseStageOptions(kmeansClusterer, { init: 'random' }), /init: must be/);
  assert.equal(parseStageOptions(kmeansClusterer, {}).init, 'auto');
});
