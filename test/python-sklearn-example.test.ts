import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import type { LabelingsSection } from '../harness/analysis/labeling-agreement.js';
import { tempDir } from './test-helpers.js';

test('profiles/python-sklearn.yaml: scikit-learn command stages beside our k-means, scored and compared in one report', async () => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import sklearn, numpy'], { stdio: 'pipe' });
  } catch {
    assert.fail('/usr/bin/python3 cannot import sklearn: apt-get install -y python3-sklearn (.ci/run does)');
  }
  const { results, runDir } = await sweepCommand({
    profile: 'python-sklearn',
    scales: '300',
    out: join(tempDir(), 'runs'),
    quiet: true,
  });
  for (const method of ['sklearn-kmeans', 'sklearn-agglomerative']) {
    const rec = results.records.find((r) => r.method === method)!;
    assert.equal(rec.status, 'ok', `${method}: ${rec.reason}`);
    assert.equal(rec.command?.exitCode, 0);
    assert.ok(
      rec.rssTimeline.length > 2 && rec.peakRssBytes > 20 * 2 ** 20,
      `${method}: ${rec.rssTimeline.length} RSS points, peak ${rec.peakRssBytes}`,
    );
    assert.ok(rec.cpuUserMs > 0);
  }
  const section = results.sections.labelings as LabelingsSection;
  const scale = section.scales[0];
  assert.deepEqual(
    scale.stages.map((s) => s.stage),
    ['cluster/kmeans', 'cluster/sklearn-kmeans', 'cluster/sklearn-agglomerative'],
  );
  for (const s of scale.stages) {
    assert.equal(s.clusters, 12, `${s.stage}: labels read back with 12 clusters`);
    assert.ok(s.ari !== undefined && s.ari > 0.3 && s.nmi! > 0.4, `${s.stage}: ARI ${s.ari}, NMI ${s.nmi}`);
  }
  const pair = scale.pairs.find((p) => p.a === 'cluster/kmeans' && p.b === 'cluster/sklearn-kmeans')!;
  assert.ok(pair.ari > 0.3 && pair.ari <= 1, `agreement ARI ${pair.ari}`);
  assert.ok(results.scales[0].quality.ari !== undefined, 'the scale quality is scored (on the last labelling stage)');
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /## Labelings/);
  assert.match(md, /\| cluster\/sklearn-kmeans \| [^|]+ \| [^|]+ \| [^|]+ \(process tree\) \| 12 \| 0\.\d{3} \|/);
  assert.match(md, /\| cluster\/kmeans vs cluster\/sklearn-kmeans \| 0\.\d{3} \|/);
});
