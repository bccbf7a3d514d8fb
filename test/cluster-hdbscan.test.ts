/**
 * HDBSCAN (pipeline/stages/cluster/hdbscan.ts), the cases that start helper threads (k-NN, Prim and Borůvka workers):
 * the exact MST on clustered data, helper threads against one thread, labels at d = 2, 10 and 384, invariance to input
 * order. The single-thread cases are in test/unit/cluster-hdbscan.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hdbscan } from '../pipeline/stages/cluster/hdbscan.js';
import { spanningTreeWeight } from '../pipeline/hdbscan/mst.js';
import { primMst } from '../pipeline/hdbscan/mst-prim.js';
import { boruvkaMst } from '../pipeline/hdbscan/mst-boruvka.js';
import { computeKnn } from '../pipeline/hdbscan/core-distances.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { mulberry32 } from '../pipeline/support/seeded-random.js';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { bruteForceMstWeight, randomMatrix, separatedBlobs } from './matrix-fixtures.js';

/** True when two labelings are the same partition with the same noise points. */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 !== b[i] < 0) return false;
    if (a[i] < 0) continue;
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

test("MST weight is exact on clustered data, where Borůvka's late rounds use centroid bounds", async () => {
  // 12 blobs in 1,536 points: the last rounds have <= n/64 components, so the triangle-inequality skips and the
  // rim-first order run. Both MSTs also run split over two threads.
  for (const [d, algorithm] of [
    [3, 'kdtree'],
    [8, 'kdtree'],
    [24, 'brute'],
  ] as const) {
    const x = makeBlobs({ n: 1536, d, centers: 12, seed: d, std: 1.5 }).x;
    const res = await hdbscan(x, { minClusterSize: 10, algorithm, threads: 1 });
    const want = bruteForceMstWeight(x, 10);
    const got = spanningTreeWeight(res.spanningTree);
    assert.ok(Math.abs(got - want) <= 1e-6 * want, `${algorithm} d=${d}: MST weight ${got} vs brute force ${want}`);
    if (algorithm === 'kdtree') {
      const split = await boruvkaMst(await computeKnn(x.data, x.rows, d, 10, { algorithm, threads: 1 }), 2);
      assert.equal(split.threads, 2);
      assert.ok(
        Math.abs(spanningTreeWeight(split) - want) <= 1e-6 * want,
        `two-thread Borůvka: ${spanningTreeWeight(split)} vs ${want}`,
      );
    } else {
      const coreSq = Float64Array.from(res.coreDistances, (c) => c * c);
      const split = await primMst(x.data, x.rows, d, coreSq, 2);
      assert.equal(split.threads, 2);
      assert.ok(
        Math.abs(spanningTreeWeight(split) - want) <= 1e-6 * want,
        `two-thread Prim: ${spanningTreeWeight(split)} vs ${want}`,
      );
    }
  }
});

test('helper threads give the same core distances and MST weight as one thread, and the same result every run', async () => {
  for (const algorithm of ['kdtree', 'brute'] as const) {
    const x = randomMatrix(algorithm === 'kdtree' ? 40_000 : 3000, algorithm === 'kdtree' ? 3 : 64, 7);
    const one = await hdbscan(x, { minClusterSize: 10, algorithm, threads: 1 });
    const two = await hdbscan(x, { minClusterSize: 10, algorithm, threads: 2 });
    assert.equal(two.threads, 2, `${algorithm}: expected helper threads to run`);
    assert.deepEqual(two.coreDistances, one.coreDistances);
    const again = await hdbscan(x, { minClusterSize: 10, algorithm, threads: 2 });
    assert.deepEqual(again.labels, two.labels, `${algorithm}: two runs on two threads differ`);
    assert.deepEqual(again.spanningTree.weight, two.spanningTree.weight);
    assert.ok(Math.abs(spanningTreeWeight(two.spanningTree) - spanningTreeWeight(one.spanningTree)) < 1e-6);
  }
});

test('labels recover separated blobs at d = 2, 10 and 384', async () => {
  for (const [d, perBlob, blobs] of [
    [2, 200, 4],
    [10, 150, 8],
    [384, 60, 6],
  ] as const) {
    const { x, truth } = separatedBlobs(perBlob, blobs, d, 40, d);
    const res = await hdbscan(x, { minClusterSize: 10 });
    assert.equal(res.algorithm, d <= 16 ? 'kdtree' : 'brute');
    assert.equal(res.nClusters, blobs, `d=${d}: expected ${blobs} clusters, got ${res.nClusters}`);
    let noise = 0;
    for (const l of res.labels) if (l < 0) noise++;
    assert.ok(noise <= 0.05 * x.rows, `d=${d}: ${noise} noise points`);
    const clustered = Array.from(res.labels.keys()).filter((i) => res.labels[i] >= 0);
    const ari = adjustedRandIndex(
      clustered.map((i) => truth[i]),
      clustered.map((i) => res.labels[i]),
    );
    assert.equal(ari, 1, `d=${d}: ARI on clustered points ${ari}`);
    for (let i = 0; i < x.rows; i++) {
      assert.ok(res.probabilities[i] >= 0 && res.probabilities[i] <= 1);
      assert.ok(res.outlierScores[i] >= 0 && res.outlierScores[i] <= 1);
      if (res.labels[i] < 0) assert.equal(res.probabilities[i], 0);
    }
  }
});

test('results do not depend on the order of the input points', async () => {
  for (const [d, algorithm] of [
    [3, 'kdtree'],
    [30, 'brute'],
  ] as const) {
    const { x } = separatedBlobs(120, 5, d, 12, 3);
    const n = x.rows;
    const r = mulberry32(99);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    const shuffled = new Float32Array(n * d);
    for (let i = 0; i < n; i++) shuffled.set(x.data.subarray(perm[i] * d, perm[i] * d + d), i * d);
    const a = await hdbscan(x, { minClusterSize: 8, algorithm });
    const b = await hdbscan({ rows: n, cols: d, data: shuffled }, { minClusterSize: 8, algorithm });
    const back = new Int32Array(n);
    for (let i = 0; i < n; i++) back[perm[i]] = b.labels[i];
    assert.ok(samePartition(a.labels, back), `${algorithm}: labels differ after shuffling`);
    assert.ok(
      Math.abs(spanningTreeWeight(a.spanningTree) - spanningTreeWeight(b.spanningTree)) <
        1e-6 * spanningTreeWeight(a.spanningTree),
    );
    for (let i = 0; i < n; i++) assert.ok(Math.abs(a.outlierScores[perm[i]] - b.outlierScores[i]) < 1e-9);
  }
});
