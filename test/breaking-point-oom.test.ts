import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import type { RunResults } from '../harness/types.js';
import { tempDir, writeProfile } from './test-helpers.js';

test('a stage that exhausts its memory limit is recorded as oom and the sweep still reports', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: oom
scales: [500, 20000, 40000]
stages:
  - { stage: probe, method: linear, options: { workPerItem: 10 } }
  - { stage: probe, method: allocate, memoryMb: 48, options: { bytesPerItem: 8192 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  const probe = r.records.filter((x) => x.method === 'allocate');
  assert.deepEqual(
    probe.map((x) => x.status),
    ['ok', 'oom', 'skipped'],
  );
  assert.match(probe[2].reason ?? '', /broke at smaller scale 20000/);
  assert.deepEqual(
    r.records.filter((x) => x.method === 'linear').map((x) => x.status),
    ['ok', 'ok', 'ok'],
  );
  assert.equal(r.breakingPoints.length, 1);
  assert.equal(r.breakingPoints[0].kind, 'oom');
  assert.equal(r.breakingPoints[0].lastPassingScale, 500);
  assert.equal(r.breakingPoints[0].firstFailingScale, 20000);
  assert.match(readFileSync(join(runDir, 'report.md'), 'utf8'), /## Breaking points[\s\S]*probe\/allocate \| oom/);
});

test('a stage past its time budget is recorded as timeout', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: slow
scales: [100, 20000]
stages:
  - { stage: probe, method: quadratic, timeoutSec: 1, options: { workPerItem: 50 } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  assert.deepEqual(
    r.records.map((x) => x.status),
    ['ok', 'timeout'],
  );
  assert.ok(r.records[1].wallMs >= 900 && r.records[1].wallMs < 10_000);
});

test('memory outside the V8 heap is caught by the RSS ceiling and recorded as oom', async () => {
  const dir = tempDir();
  const ceilingMb = Math.round(process.memoryUsage.rss() / 2 ** 20) + 300;
  const profile = writeProfile(
    `
name: rss
scales: [1000, 100000]
limits: { rssCeilingMb: ${ceilingMb} }
stages:
  - { stage: probe, method: allocate, options: { bytesPerItem: 8192, external: true } }
`,
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  assert.deepEqual(
    r.records.map((x) => x.status),
    ['ok', 'oom'],
  );
  assert.match(r.records[1].reason ?? '', /RSS ceiling/);
  assert.ok(r.records[1].peakRssBytes > (ceilingMb - 50) * 2 ** 20);
});
