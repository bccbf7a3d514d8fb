/**
 * HDBSCAN (pipeline/stages/cluster/hdbscan.ts), single-thread cases: the MST against a brute-force Prim on the full
 * mutual-reachability matrix, noise on a uniform background, a hand-computed condensed tree, and the hdbscan-ts
 * baseline stage. The cases that start helper threads are in test/cluster-hdbscan.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hdbscan, hdbscanClusterer } from '../../pipeline/stages/cluster/hdbscan.js';
import { hdbscanTsClusterer } from '../../pipeline/stages/cluster/hdbscan-ts.js';
import { spanningTreeWeight } from '../../pipeline/hdbscan/mst.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { adjustedRandIndex } from '../../pipeline/metrics/adjusted-rand-index.js';
import { mulberry32 } from '../../pipeline/support/seeded-random.js';
import type { Matrix, StageContext } from '../../harness/types.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';
import { bruteForceMstWeight, randomMatrix, separatedBlobs } from '../matrix-fixtures.js';

const line = (values: number[]): Matrix => ({ rows: values.length, cols: 1, data: Float32Array.from(values) });

test('MST weight equals a brute-force Prim on the full mutual-reachability matrix', async () => {
  const cases: [number, number, number, 'kdtree' | 'brute'][] = [
    [300, 2, 1, 'kdtree'],
    [300, 2, 5, 'kdtree'],
    [400, 5, 10, 'kdtree'],
    [250, 3, 3, 'brute'],
    [300, 40, 5, 'brute'],
    [200, 12, 7, 'kdtree'],
  ];
  for (const [n, d, minSamples, algorithm] of cases) {
    const x = randomMatrix(n, d, n * 31 + d, 5);
    const res = await hdbscan(x, { minClusterSize: 5, minSamples, algorithm, threads: 1 });
    assert.equal(res.spanningTree.weight.length, n - 1);
    const got = spanningTreeWeight(res.spanningTree);
    const want = bruteForceMstWeight(x, minSamples);
    assert.ok(
      Math.abs(got - want) <= 1e-6 * want,
      `${algorithm} n=${n} d=${d} minSamples=${minSamples}: MST weight ${got} vs brute force ${want}`,
    );
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
  let blobClustered = 0,
    bgNoise = 0,
    blobScore = 0,
    bgScore = 0;
  for (let i = 0; i < n; i++) {
    const isBg = i >= blobs.rows;
    if (isBg) {
      bgNoise += res.labels[i] < 0 ? 1 : 0;
      bgScore += res.outlierScores[i];
    } else {
      blobClustered += res.labels[i] >= 0 ? 1 : 0;
      blobScore += res.outlierScores[i];
    }
  }
  assert.equal(res.nClusters, 3);
  assert.ok(blobClustered >= 0.9 * blobs.rows, `only ${blobClustered}/${blobs.rows} blob points clustered`);
  assert.ok(bgNoise >= 0.8 * bg, `only ${bgNoise}/${bg} background points labelled noise`);
  assert.ok(
    bgScore / bg > 2 * (blobScore / blobs.rows),
    `mean GLOSH background ${bgScore / bg} vs blobs ${blobScore / blobs.rows}`,
  );
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
  const rows = Array.from(t.child, (c, i) => [t.parent[i], c, t.lambda[i], t.childSize[i]]).sort(
    (p, q) => p[0] - q[0] || p[1] - q[1],
  );
  assert.deepEqual(rows, [
    [7, 6, 1 / 18, 1],
    [7, 8, 1 / 8, 3],
    [7, 9, 1 / 8, 3],
    [8, 0, 1, 1],
    [8, 1, 1, 1],
    [8, 2, 1, 1],
    [9, 3, 1, 1],
    [9, 4, 1, 1],
    [9, 5, 1, 1],
  ]);
  // Stability: root (1/18)*1 + (1/8)*3*2; each group (1 - 1/8) * 3.
  assert.ok(Math.abs(res.clusterStability[0] - (1 / 18 + 0.75)) < 1e-12);
  assert.ok(Math.abs(res.clusterStability[1] - 2.625) < 1e-12);
  // GLOSH: the outlier falls out of the root at 1/18; the densest point below the root is at lambda 1.
  assert.ok(Math.abs(res.outlierScores[6] - 17 / 18) < 1e-12);
  for (let i = 0; i < 6; i++) assert.equal(res.outlierScores[i], 0);
  // Leaf selection picks the same two leaves here.
  const leaf = await hdbscan(line([0, 1, 2, 10, 11, 12, 30]), {
    minClusterSize: 3,
    minSamples: 2,
    clusterSelectionMethod: 'leaf',
  });
  assert.deepEqual(Array.from(leaf.labels), [0, 0, 0, 1, 1, 1, -1]);
  // With min_cluster_size 4 no split qualifies: all noise, unless a single cluster is allowed.
  const none = await hdbscan(line([0, 1, 2, 10, 11, 12]), { minClusterSize: 4, minSamples: 2 });
  assert.deepEqual(Array.from(none.labels), [-1, -1, -1, -1, -1, -1]);
  const single = await hdbscan(line([0, 1, 2, 10, 11, 12]), {
    minClusterSize: 4,
    minSamples: 2,
    allowSingleCluster: true,
  });
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
  assert.throws(
    () => parseStageOptions(hdbscanClusterer, { minClusterSize: 'big' }),
    /minClusterSize: must be an integer >= 2/,
  );
  assert.throws(
    () => parseStageOptions(hdbscanClusterer, { clusterSelectionMethod: 'best' }),
    /clusterSelectionMethod/,
  );
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
