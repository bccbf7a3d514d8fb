// Issue 13, item 4: the RSS ceiling holds whatever the sampling interval; the default leaves the machine usable;
// the run says what memoryMb bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sweepCommand } from '../../harness/commands/sweep-command.js';
import { defaultRssCeilingBytes, type MemoryLimitsSection } from '../../harness/workers/rss-ceiling.js';
import { tempDir, writeProfile } from '../test-helpers.js';

const GiB = 2 ** 30;

test('item 4: sampling.intervalMs 0 does not disable the RSS ceiling (typed arrays past it are an oom, not ok)', async () => {
  const dir = tempDir();
  const ceilingMb = Math.round(process.memoryUsage.rss() / 2 ** 20) + 150;
  const profile = writeProfile(
    `name: ceiling
seed: 1
scales: [400]
input: { kind: synthetic, options: { difficulty: 0, meanBytes: 300 } }
limits: { rssCeilingMb: ${ceilingMb}, memoryMb: 64 }
sampling: { intervalMs: 0 }
stages:
  - { stage: probe, method: allocate, options: { bytesPerItem: 1048576, external: true } }
`,
    dir,
  );
  const { results } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const rec = results.records[0];
  assert.equal(
    rec.status,
    'oom',
    `400 MiB of typed arrays against a ${ceilingMb} MiB ceiling: ${rec.status} ${rec.reason ?? ''}`,
  );
  assert.match(rec.reason ?? '', /above the RSS ceiling/);
  const limits = results.sections.memoryLimits as MemoryLimitsSection;
  assert.equal(limits.rssCeilingBytes, ceilingMb * 2 ** 20);
  assert.match(limits.memoryMbBounds, /V8 heap .* typed arrays are outside it and bounded only by the RSS ceiling/);
});

test('item 4: the default RSS ceiling is min(80% of RAM, RAM - 2 GiB)', () => {
  assert.equal(defaultRssCeilingBytes(16 * GiB), 12.8 * GiB);
  assert.equal(defaultRssCeilingBytes(8 * GiB), 6 * GiB);
  assert.equal(defaultRssCeilingBytes(64 * GiB), 51.2 * GiB);
  assert.equal(defaultRssCeilingBytes(4 * GiB), 2 * GiB, 'a small machine keeps at least half its RAM for the run');
});
