import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineData, StageContext } from '../../harness/types.js';
import {
  agglomerative,
  agglomerativeClusterer,
  AGGLOMERATIVE_MAX_POINTS,
} from '../../pipeline/stages/cluster/agglomerative.js';
import { mlKMeansClusterer } from '../../pipeline/stages/cluster/ml-kmeans.js';
import { miniBatchKMeansClusterer } from '../../pipeline/stages/cluster/minibatch-kmeans.js';
import { ctfidfTopTerms } from '../../pipeline/stages/label/ctfidf.js';
import { umapProjector } from '../../pipeline/stages/project/umap.js';
import { makeBlobs } from '../../generators/gaussian-blobs.js';
import { adjustedRandIndex } from '../../pipeline/metrics/adjusted-rand-index.js';
import { packTexts } from '../../pipeline/support/text-column.js';
import { mulberry32 } from '../../pipeline/support/seeded-random.js';
import { nnChainLinkage } from '../../pipeline/kernels/nn-chain-linkage.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

const ctx: StageContext = { seed: 4, sample() {}, count() {}, observe() {} };

test('agglomerative (ward and average) recovers separated blobs; refuses above its limit with a clear message', async () => {
  const b = makeBlobs({ n: 300, d: 10, centers: 5, std: 0.5, seed: 8 });
  for (const linkage of ['ward', 'average'] as const) {
    for (const backend of ['nn-chain', 'ml-hclust'] as const)
      assert.equal(adjustedRandIndex(b.truth, agglomerative(b.x, 5, linkage, backend)), 1, `${linkage} ${backend}`);
  }
  const opts = parseStageOptions(agglomerativeClusterer, { k: 5, maxPoints: 200 });
  assert.throws(
    () => agglomerativeClusterer.run({ n: 300, embeddings: b.x }, opts, ctx),
    /refuses 300 points: its limit is 200 \(nn-chain keeps n²\/2 float64 distances/,
  );
  const lib = parseStageOptions(agglomerativeClusterer, { k: 5, backend: 'ml-hclust', maxPoints: 100 });
  assert.throws(
    () => agglomerativeClusterer.run({ n: 300, embeddings: b.x }, lib, ctx),
    /ml-hclust agnes is O\(n³\) time; at most 2000/,
  );
  assert.equal(parseStageOptions(agglomerativeClusterer, {}).maxPoints, AGGLOMERATIVE_MAX_POINTS);
  assert.throws(
    () => parseStageOptions(agglomerativeClusterer, { backend: 'ml-hclust', maxPoints: 5000 }),
    /maxPoints: must be an integer in 2..2000 for backend ml-hclust/,
  );
  assert.throws(
    () => parseStageOptions(agglomerativeClusterer, { linkage: 'single' }),
    /linkage: must be ward or average/,
  );
});

test('NN-chain linkage gives the same partitions as ml-hclust on random data', () => {
  const r = mulberry32(12);
  const x = { rows: 160, cols: 3, data: Float32Array.from({ length: 480 }, () => r()) };
  for (const linkage of ['ward', 'average'] as const) {
    for (const k of [2, 4, 9, 25]) {
      const ours = agglomerative(x, k, linkage, 'nn-chain');
      const lib = agglomerative(x, k, linkage, 'ml-hclust');
      assert.equal(new Set(ours).size, k);
      assert.equal(adjustedRandIndex(lib, ours), 1, `${linkage} k=${k}`);
    }
  }
  // Ward heights are scipy's: two points at distance 2 merge at height 2.
  const two = nnChainLinkage({ rows: 3, cols: 1, data: Float32Array.from([0, 2, 10]) }, 'ward');
  assert.equal(two[0].height, 2);
  // Merging {0,2} (centroid 1) with {10}: sqrt(2 * 2 * 1 / 3) * distance(1, 10) = sqrt(4/3) * 9.
  assert.ok(Math.abs(two[1].height - Math.sqrt(4 / 3) * 9) < 1e-9, `${two[1].height}`);
});

test('library and mini-batch k-means stages label separated blobs', async () => {
  const b = makeBlobs({ n: 2000, d: 10, centers: 6, std: 0.5, seed: 9 });
  const input: PipelineData = { n: 2000, embeddings: b.x };
  for (const def of [mlKMeansClusterer, miniBatchKMeansClusterer] as const) {
    const out = (await def.run(input, parseStageOptions<unknown>(def, { k: 6 }) as never, ctx)) as PipelineData;
    assert.ok(
      adjustedRandIndex(b.truth, out.labels!) > 0.9,
      `${def.method}: ARI ${adjustedRandIndex(b.truth, out.labels!)}`,
    );
  }
});

test('every new stage is registered', async () => {
  for (const [kind, method] of [
    ['cluster', 'minibatch-kmeans'],
    ['cluster', 'ml-kmeans'],
    ['cluster', 'agglomerative'],
    ['reduce', 'pca'],
    ['reduce', 'ml-pca'],
    ['reduce', 'umap'],
    ['project', 'umap'],
    ['meta-cluster', 'clio'],
    ['label', 'ctfidf'],
  ] as const) {
    const def = await loadStage(kind, method);
    assert.equal(`${def.kind}/${def.method}`, `${kind}/${method}`);
  }
});

test("c-TF-IDF ranks each cluster's distinctive terms first", () => {
  const texts = packTexts([
    'refund my order please, the refund is late',
    'I want a refund for the order',
    'refund refund order',
    'password reset link expired',
    'cannot reset my password',
    'reset password email never came',
    'the weather order is strange',
  ]);
  const info = ctfidfTopTerms(texts, [0, 0, 0, 1, 1, 1, -1], { topTerms: 3, stopWords: true });
  assert.deepEqual(
    info.map((c) => [c.id, c.size]),
    [
      [-1, 1],
      [0, 3],
      [1, 3],
    ],
  );
  assert.equal(info[1].terms![0], 'refund');
  assert.deepEqual(new Set(info[2].terms!.slice(0, 2)), new Set(['password', 'reset']));
  assert.ok(!info[1].terms!.includes('the'), 'stop words dropped');
  assert.match(info[1].name!, /^refund \/ /);
});

test('project/umap writes an n x 2 projection that keeps blobs apart', async () => {
  const b = makeBlobs({ n: 200, d: 10, centers: 2, std: 0.5, seed: 1 });
  const out = (await umapProjector.run(
    { n: 200, embeddings: b.x },
    parseStageOptions(umapProjector, { nEpochs: 100 }),
    ctx,
  )) as PipelineData;
  const p = out.projection!;
  assert.equal(p.rows, 200);
  assert.equal(p.cols, 2);
  // Centroids of the two blobs in the map are further apart than the mean spread within a blob.
  const mean = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < 200; i++) for (let j = 0; j < 2; j++) mean[b.truth[i]][j] += p.data[i * 2 + j] / 100;
  let spread = 0;
  for (let i = 0; i < 200; i++)
    spread += Math.hypot(p.data[i * 2] - mean[b.truth[i]][0], p.data[i * 2 + 1] - mean[b.truth[i]][1]) / 200;
  assert.ok(Math.hypot(mean[0][0] - mean[1][0], mean[0][1] - mean[1][1]) > 2 * spread);
  assert.throws(() => parseStageOptions(umapProjector, { components: 3 }), /project\/umap draws a 2-D map/);
});
