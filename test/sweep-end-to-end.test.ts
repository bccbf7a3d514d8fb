import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import type { RunResults } from '../harness/types.js';
import { tempDir, writeProfile } from './test-helpers.js';

test('a tiny sweep through the real piscina pool writes results.json and report.md', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: tiny
seed: 3
scales: [120, 400]
input: { kind: synthetic, options: { difficulty: 0, intents: 12, languages: [en], zipf: 0, multiIntentRate: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 128 } }
  - { stage: cluster, method: kmeans, options: { k: 12 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  assert.equal(results.schemaVersion, 1);
  assert.ok(results.machine.cores >= 1 && results.machine.totalMemBytes > 0 && results.machine.cpuModel.length > 0);
  assert.match(results.machine.nodeVersion, /^v\d+/);
  assert.deepEqual((results.profile as { scales: number[] }).scales, [120, 400]);
  assert.equal(results.records.length, 6, 'one record per scale x stage');
  for (const r of results.records) {
    assert.equal(r.status, 'ok', `${r.stage} at ${r.scale}: ${r.reason}`);
    assert.ok(
      r.wallMs > 0 && r.peakRssBytes > 0 && r.peakHeapUsedBytes > 0 && r.itemsPerSec > 0,
      JSON.stringify(r).slice(0, 200),
    );
    assert.ok(r.rssTimeline.length >= 2, 'RSS sampled at least at start and end');
    assert.ok(r.workerMemory.length >= 2, 'worker reported heap at start and end');
  }
  const gcPauses = results.records.reduce((sum, r) => sum + (r.gc?.count ?? 0), 0);
  assert.ok(gcPauses > 0, 'the workers saw garbage collections (PerformanceObserver gc entries)');
  assert.deepEqual(
    results.records.map((r) => `${r.scale}:${r.stage}`),
    ['120:summarise', '120:embed', '120:cluster', '400:summarise', '400:embed', '400:cluster'],
  );
  for (const s of results.scales) {
    assert.ok(s.quality.ari !== undefined && s.quality.ari >= -1 && s.quality.ari <= 1);
  }
  assert.ok(results.scales[1].quality.ari! > 0.8, `ARI on well-separated data was ${results.scales[1].quality.ari}`);
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /\| cluster\/kmeans \| ok \|/);
  assert.match(md, /### n = 400/);
  assert.ok(!existsSync(join(runDir, 'results.json.tmp')));
});
