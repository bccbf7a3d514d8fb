import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import type { RunResults } from '../harness/types.js';
import { tempDir, writeProfile } from './test-helpers.js';

test('a sweep through reduce, cluster, meta-cluster, label and project stages scores every quality metric', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: cluster-pipeline
seed: 5
scales: [300]
input: { kind: synthetic, options: { difficulty: 0, intents: 6, languages: [en], zipf: 0, multiIntentRate: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 128 } }
  - { stage: reduce, method: pca, options: { components: 16 } }
  - { stage: cluster, method: kmeans, options: { k: 6 } }
  - { stage: meta-cluster, method: clio, options: { targetTop: 2, maxLevels: 3 } }
  - { stage: label, method: ctfidf }
  - { stage: project, method: umap, options: { nEpochs: 50 } }
quality: { silhouetteExactMax: 100, silhouetteSampleSize: 50, silhouetteReferenceSize: 200 }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  for (const r of results.records) assert.equal(r.status, 'ok', `${r.stage}/${r.method}: ${r.reason}`);
  const q = results.scales[0].quality;
  assert.ok(q.ari! > 0.8, `ARI ${q.ari}`);
  for (const k of [
    'nmi',
    'vMeasure',
    'purity',
    'reconstructionAccuracy',
    'daviesBouldin',
    'calinskiHarabasz',
    'clusterSizes',
  ] as const)
    assert.ok(q[k] !== undefined, k);
  assert.equal(q.silhouetteSampleSize, 50, "the profile's quality section reached computeQuality");
  assert.ok(q.silhouetteCi95);
  const meta = results.records.find((r) => r.stage === 'meta-cluster')!;
  assert.equal(q.hierarchyDepth, meta.counters.depth);
  assert.ok(q.hierarchyDepth >= 1 && q.hierarchyDepth <= 3);
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /silhouette 0\.\d+ \(sampled, 50 points, 95% CI/);
  assert.match(md, /NMI \d\.\d{3}; homogeneity/);
  assert.match(md, /hierarchy depth \d/);
});
