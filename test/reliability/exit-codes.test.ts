// Issue 13, item 6: exit codes. 0 all ran; 1 regression (compare: compare-gate.test.ts); 2 usage or input error;
// 3 the sweep ran but a configuration error or a total failure made it void. Impossible scales are refused at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, writeProfile } from '../test-helpers.js';
import { offlineYaml, runCli } from './reliability-helpers.js';

test('item 6: a stage list in the wrong order runs, writes its report, and exits 3 (void), not 0', () => {
  const dir = tempDir();
  const yaml = offlineYaml('wrong-order', 1, [50]).replace(
    '  - { stage: embed, method: hashing, options: { dims: 32 } }\n  - { stage: cluster, method: kmeans, options: { k: 4, nInit: 1 } }',
    '  - { stage: cluster, method: kmeans, options: { k: 4, nInit: 1 } }\n  - { stage: embed, method: hashing, options: { dims: 32 } }',
  );
  const r = runCli(['sweep', '--profile', writeProfile(yaml, dir), '--out', join(dir, 'runs')]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /the run is void: no scale ran every stage: cluster\/kmeans failed at every scale \(error: /);
  assert.ok(
    existsSync(join(dir, 'runs', readdirSync(join(dir, 'runs'))[0], 'report.md')),
    'the report is still written',
  );
});

test('item 6: an endpoint where every item fails exits 3', () => {
  const dir = tempDir();
  const yaml = offlineYaml('all-failed', 1, [20]).replace(
    '  - { stage: summarise, method: extractive }',
    `  - { stage: summarise, method: llm, options: { maxRetries: 0, cacheDir: ${JSON.stringify(join(dir, 'cache'))} } }`,
  );
  const r = runCli(['sweep', '--profile', writeProfile(yaml, dir), '--out', join(dir, 'runs')], {
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    OPENAI_API_KEY: 'sk-dead',
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /summarise\/llm failed at every scale \(error: summarise\/llm: 20 of 20 items failed/);
});

test('item 6: an impossible scale (1e12) is refused from an estimate before any work, exit 2', () => {
  const dir = tempDir();
  const t0 = Date.now();
  const r = runCli([
    'sweep',
    '--profile',
    writeProfile(offlineYaml('huge', 1, [100]), dir),
    '--scales',
    '1000000000000',
    '--out',
    join(dir, 'runs'),
  ]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /scale 1,000,000,000,000 needs about [\d.]+ [KMGTP]iB of conversation text .*Nothing was run/);
  assert.ok(!existsSync(join(dir, 'runs')) || readdirSync(join(dir, 'runs')).length === 0, 'no run folder');
  assert.ok(Date.now() - t0 < 30_000, 'refused at once, not after generating 2 GiB');
});

test('item 6: usage and input errors exit 2', () => {
  assert.equal(runCli(['sweep', '--no-such-flag']).status, 2);
  const missing = runCli(['sweep', '--profile', join(tempDir(), 'nope.yaml')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.yaml: no such profile file/);
});
