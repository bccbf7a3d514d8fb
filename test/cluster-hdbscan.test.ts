/**
 * HDBSCAN (pipeline/stages/cluster/hdbscan.ts): the MST against a brute-force Prim on the full mutual-reachability matrix,
 * labels on separated blobs at d = 2, 10 and 384, noise on a uniform background, invariance to input order, a
 * hand-computed condensed tree, and the hdbscan-ts baseline stage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hdbscan, hdbscanClusterer } from '../pipeline/stages/cluster/hdbscan.js';
import { hdbscanTsClusterer } from '../pipeline/stages/cluster/hdbscan-ts.js';
import { spanningTreeWeight } from '../pipeline/hdbscan/mst.js';
import { primMst } from '../pipeline/hdbscan/mst-prim.js';
import { boruvkaMst } from '../pipeline/hdbscan/mst-boruvka.js';
import { computeKnn } from '../pipeline/hdbscan/core-distances.js';
import { loadStage } from '../pipeline/stage-registry.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import type { Matrix, StageContext } from '../harness/types.js';
import { parseStageOptions } from '../pipeline/stage-options.js';

function randomMatrix(n: number, d: number, seed: number, scale = 1): Matrix {
  const r = mulberry32(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = (r() * 2 - 1) * scale;
  return { rows: n, cols: d, data };
}

/** Blobs with centres on the axes, `gap` apart, so every pair of blobs is well separated in any dimension. */
function separatedBlobs(perBlob: number, blobs: number, d: number, gap: number, seed: number): { x: Matrix; truth: Int32Array } {
  const r = mulberry32(seed);
  const n = perBlob * blobs;
  const data = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = i % blobs;
    truth[i] = b;
    for (let j = 0; j < d; j++) data[i * d + j] = gaussian(r) + (j === b % d ? gap * (1 + Math.floor(b / d)) : 0);
  }
  return { x: { rows: n, cols: d, data }, truth };
}

/** Reference: core distances by sorting each row, then Prim on the full n x n mutual-reachability matrix. */
function bruteForceMstWeight(x: Matrix, minSamples: number): number {
  const { rows: n, cols: d, data } = x;
  const dist = (a: number, b: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) { const t = data[a * d + j] - data[b * d + j]; s += t * t; }
    return Math.sqrt(s);
  };
  const core = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(dist(i, j));
    row.sort((a, b) => a - b);
    core[i] = row[minSamples - 1];
  }
  const mr = (a: number, b: number): number => Math.max(core[a], core[b], dist(a, b));
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  best[0] = 0;
  let total = 0;
  for (let step = 0; step < n; step++) {
    let v = -1;
    for (let i = 0; i < n; i++) if (!inTree[i] && (v < 0 || best[i] < best[v])) v = i;
    inTree[v] = 1;
    total += best[v];
    for (let i = 0; i < n; i++) if (!inTree[i]) best[i] = Math.min(best[i], mr(v, i));
  }
  return total;
}

/** True when two labelings are the same partition with the same noise points. */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] < 0) !== (b[i] < 0)) return false;
    if (a[i] < 0) continue;
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

const line = (values: number[]): Matrix => ({ rows: values.length, cols: 1, data: Float32Array.from(values) });

test('MST weight equals a brute-force Prim on the full mutual-reachability matrix', async () => {
  const cases: [number, number, number, 'kdtree' | 'brute'][] = [
    [300, 2, 1, 'kdtree'], [300, 2, 5, 'kdtree'], [400, 5, 10, 'kdtree'], [250, 3, 3, 'brute'], [300, 40, 5, 'brute'], [200, 12, 7, 'kdtree'],
  ];
  for (const [n, d, minSamples, algorithm] of cases) {
    const x = randomMatrix(n, d, n * 31 + d, 5);
    const res = await hdbscan(x, { minClusterSize: 5, minSamples, algorithm, threads: 1 });
    assert.equal(res.spanningTree.weight.length, n - 1);
    const got = spanningTreeWeight(res.spanningTree);
    const want = bruteForceMstWeight(x, minSamples);
    assert.ok(Math.abs(got - want) <= 1e-6 * want, `${algorithm} n=${n} d=${d} minSamples=${minSamples}: MST weight ${got} vs brute force ${want}`);
  }
});

test("MST weight is exact on clustered data, where Borůvka's late rounds use centroid bounds", async () => {
  // 12 blobs in 1,536 points: the last rounds have <= n/64 components, so the triangle-inequality skips and the
  // rim-first order run. Both MSTs also run split over two threads.
  for (const [d, algorithm] of [[3, 'kdtree'], [8, 'kdtree'], [24, 'brute']] as const) {
    const x = makeBlobs({ n: 1536, d, centers: 12, seed: d, std: 1.5 }).x;
    const res = await hdbscan(x, { minClusterSize: 10, algorithm, threads: 1 });
    const want = bruteForceMstWeight(x, 10);
    const got = spanningTreeWeight(res.spanningTree);
    assert.ok(Math.abs(got - want) <= 1e-6 * want, `${algorithm} d=${d}: MST weight ${got} vs brute force ${want}`);
    if (algorithm === 'kdtree') {
      const split = await boruvkaMst(await computeKnn(x.data, x.rows, d, 10, { algorithm, threads: 1 }), 2);
      assert.equal(split.threads, 2);
      assert.ok(Math.abs(spanningTreeWeight(split) - want) <= 1e-6 * want, `two-thread Borůvka: ${spanningTreeWeight(split)} vs ${want}`);
    } else {
      const coreSq = Float64Array.from(res.coreDistances, (c) => c * c);
      const split = await primMst(x.data, x.rows, d, coreSq, 2);
      assert.equal(split.threads, 2);
      assert.ok(Math.abs(spanningTreeWeight(split) - want) <= 1e-6 * want, `two-thread Prim: ${spanningTreeWeight(split)} vs ${want}`);
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
  for (const [d, perBlob, blobs] of [[2, 200, 4], [10, 150, 8], [384, 60, 6]] as const) {
    const { x, truth } = separatedBlobs(perBlob, blobs, d, 40, d);
    const res = await hdbscan(x, { minClusterSize: 10 });
    assert.equal(res.algorithm, d <= 16 ? 'kdtree' : 'brute');
    assert.equal(res.nClusters, blobs, `d=${d}: expected ${blobs} clusters, got ${res.nClusters}`);
    let noise = 0;
    for (const l of res.labels) if (l < 0) noise++;
    assert.ok(noise <= 0.05 * x.rows, `d=${d}: ${noise} noise points`);
    const clustered = Array.from(res.labels.keys()).filter((i) => res.labels[i] >= 0);
    const ari = adjustedRandIndex(clustered.map((i) => truth[i]), clustered.map((i) => res.labels[i]));
    assert.equal(ari, 1, `d=${d}: ARI on clustered points ${ari}`);
    for (let i = 0; i < x.rows; i++) {
      assert.ok(res.probabilities[i] >= 0 && res.probabilities[i] <= 1);
      assert.ok(res.outlierScores[i] >= 0 && res.outlierScores[i] <= 1);
      if (res.labels[i] < 0) assert.equal(res.probabilities[i], 0);
    }
  }
});

test('uniform background points are labelled noise and score as outliers', async () => {
  const d = 2;
  const { x: blobs } = separatedBlobs(150, 3, d, 30, 11);
  const r = mulberry32(5);
  const bg = 150;
  const data = new Float32Array((blobs.rows + bg) * d);
  data.set(blobs.data);
  for (let i = blobs.rows * d; i < data.length; i++) data[i] = (r() * 2 - 1) * 80;
  const n = blobs.rows + bg;
  const res = await hdbscan({ rows: n, cols: d, data }, { minClusterSize: 15 });
  let blobClustered = 0, bgNoise = 0, blobScore = 0, bgScore = 0;
  for (let i = 0; i < n; i++) {
    const isBg = i >= blobs.rows;
    if (isBg) { bgNoise += res.labels[i] < 0 ? 1 : 0; bgScore += res.outlierScores[i]; }
    else { blobClustered += res.labels[i] >= 0 ? 1 : 0; blobScore += res.outlierScores[i]; }
  }
  assert.equal(res.nClusters, 3);
  assert.ok(blobClustered >= 0.9 * blobs.rows, `only ${blobClustered}/${blobs.rows} blob points clustered`);
  assert.ok(bgNoise >= 0.8 * bg, `only ${bgNoise}/${bg} background points labelled noise`);
  assert.ok(bgScore / bg > 2 * (blobScore / blobs.rows), `mean GLOSH background ${bgScore / bg} vs blobs ${blobScore / blobs.rows}`);
});

test('results do not depend on the order of the input points', async () => {
  for (const [d, algorithm] of [[3, 'kdtree'], [30, 'brute']] as const) {
    const { x } = separatedBlobs(120, 5, d, 12, 3);
    const n = x.rows;
    const r = mulberry32(99);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); const t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
    const shuffled = new Float32Array(n * d);
    for (let i = 0; i < n; i++) shuffled.set(x.data.subarray(perm[i] * d, perm[i] * d + d), i * d);
    const a = await hdbscan(x, { minClusterSize: 8, algorithm });
    const b = await hdbscan({ rows: n, cols: d, data: shuffled }, { minClusterSize: 8, algorithm });
    const back = new Int32Array(n);
    for (let i = 0; i < n; i++) back[perm[i]] = b.labels[i];
    assert.ok(samePartition(a.labels, back), `${algorithm}: labels differ after shuffling`);
    assert.ok(Math.abs(spanningTreeWeight(a.spanningTree) - spanningTreeWeight(b.spanningTree)) < 1e-6 * spanningTreeWeight(a.spanningTree));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(a.outlierScores[perm[i]] - b.outlierScores[i]) < 1e-9);
  }
});

test('a hand-computed case: two groups of three on a line, and an outlier', async () => {
  // minSamples 2 (the point itself and its nearest neighbour; the Python library's min_samples=1): every core
  // distance is 1. The groups merge at mutual reachability 8 (lambda 1/8), the outlier at 18 (its core distance).
  const res = await hdbscan(line([0, 1, 2, 10, 11, 12, 30]), { minClusterSize: 3, minSamples: 2 });
  assert.deepEqual(Array.from(res.coreDistances), [1, 1, 1, 1, 1, 1, 18]);
  assert.equal(spanningTreeWeight(res.spanningTree), 4 * 1 + 8 + 18);
  assert.deepEqual(Array.from(res.labels), [0, 0, 0, 1, 1, 1, -1]);
  assert.deepEqual(Array.from(res.probabilities), [1, 1, 1, 1, 1, 1, 0]);
  const t = res.condensedTree;
  assert.equal(t.nClusters, 3);
  const rows = Array.from(t.child, (c, i) => [t.parent[i], c, t.lambda[i], t.childSize[i]]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  assert.deepEqual(rows, [
    [7, 6, 1 / 18, 1], [7, 8, 1 / 8, 3], [7, 9, 1 / 8, 3],
    [8, 0, 1, 1], [8, 1, 1, 1], [8, 2, 1, 1], [9, 3, 1, 1], [9, 4, 1, 1], [9, 5, 1, 1],
  ]);
  // Stability: root (1/18)*1 + (1/8)*3*2; each group (1 - 1/8) * 3.
  assert.ok(Math.abs(res.clusterStability[0] - (1 / 18 + 0.75)) < 1e-12);
  assert.ok(Math.abs(res.clusterStability[1] - 2.625) < 1e-12);
  // GLOSH: the outlier falls out of the root at 1/18; the densest point below the root is at lambda 1.
  assert.ok(Math.abs(res.outlierScores[6] - 17 / 18) < 1e-12);
  for (let i = 0; i < 6; i++) assert.equal(res.outlierScores[i], 0);
  // Leaf selection picks the same two leaves here.
  const leaf = await hdbscan(line([0, 1, 2, 10, 11, 12, 30]), { minClusterSize: 3, minSamples: 2, clusterSelectionMethod: 'leaf' });
  assert.deepEqual(Array.from(leaf.labels), [0, 0, 0, 1, 1, 1, -1]);
  // With min_cluster_size 4 no split qualifies: all noise, unless a single cluster is allowed.
  const none = await hdbscan(line([0, 1, 2, 10, 11, 12]), { minClusterSize: 4, minSamples: 2 });
  assert.deepEqual(Array.from(none.labels), [-1, -1, -1, -1, -1, -1]);
  const single = await hdbscan(line([0, 1, 2, 10, 11, 12]), { minClusterSize: 4, minSamples: 2, allowSingleCluster: true });
  assert.deepEqual(Array.from(single.labels), [0, 0, 0, 0, 0, 0]);
});

test('excess of mass prefers a parent whose stability beats its children; leaf takes the children', async () => {
  // Groups of 5 spaced 0.1 inside, 0.15 apart, far from a third group of 10 (minSamples 2: core distances 0.1).
  // The pair splits at lambda 1/0.15 and its halves die at 1/0.1: children (10 - 6.67) * 5 * 2 = 33 < parent
  // (6.67 - 1/99.45) * 10 = 67, so eom keeps the pair whole; leaf takes the two halves.
  const pts: number[] = [];
  for (let i = 0; i < 5; i++) pts.push(i * 0.1);
  for (let i = 0; i < 5; i++) pts.push(0.55 + i * 0.1);
  for (let i = 0; i < 10; i++) pts.push(100 + i * 0.1);
  const eom = await hdbscan(line(pts), { minClusterSize: 5, minSamples: 2 });
  const leaf = await hdbscan(line(pts), { minClusterSize: 5, minSamples: 2, clusterSelectionMethod: 'leaf' });
  assert.equal(eom.nClusters, 2);
  assert.equal(new Set(Array.from(eom.labels.slice(0, 10))).size, 1);
  assert.equal(leaf.nClusters, 3);
  assert.notEqual(leaf.labels[0], leaf.labels[5]);
});

test('degenerate inputs: no points, one point, duplicates, bad options', async () => {
  assert.equal((await hdbscan({ rows: 0, cols: 3, data: new Float32Array(0) })).labels.length, 0);
  assert.deepEqual(Array.from((await hdbscan(line([4]))).labels), [-1]);
  const dup = await hdbscan(line([1, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9]), { minClusterSize: 4 });
  assert.equal(dup.nClusters, 2);
  assert.equal(new Set(Array.from(dup.labels)).size, 2);
  await assert.rejects(hdbscan(line([1, 2]), { minClusterSize: 1 }), /minClusterSize/);
  await assert.rejects(hdbscan(line([1, NaN])), /row 1 has a non-finite value/);
  assert.throws(() => parseStageOptions(hdbscanClusterer, { minClusterSize: 'big' }), /minClusterSize: must be an integer >= 2/);
  assert.throws(() => parseStageOptions(hdbscanClusterer, { clusterSelectionMethod: 'best' }), /clusterSelectionMethod/);
  assert.throws(() => parseStageOptions(hdbscanClusterer, { min_samples: 3 }), /min_samples: unknown option/);
});

test('both stages are registered and run on embeddings', async () => {
  const ctx: StageContext = { seed: 1, sample() {}, count() {}, observe() {} };
  const { x, truth } = separatedBlobs(40, 3, 4, 30, 2);
  const ours = await loadStage('cluster', 'hdbscan');
  const out = await ours.run({ n: x.rows, embeddings: x }, parseStageOptions(ours, { minClusterSize: 10 }), ctx);
  assert.equal(adjustedRandIndex(truth, out.labels!), 1);
  const lib = await loadStage('cluster', 'hdbscan-ts');
  assert.equal(lib, hdbscanTsClusterer);
  const libOut = await lib.run({ n: x.rows, embeddings: x }, parseStageOptions(lib, { minClusterSize: 10 }), ctx);
  assert.equal(libOut.labels!.length, x.rows);
  assert.ok(libOut.labels instanceof Int32Array);
});
