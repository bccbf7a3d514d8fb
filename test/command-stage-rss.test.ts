import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Piscina } from 'piscina';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { tempDir } from './test-helpers.js';

// Allocates and touches 1 GiB (bytes multiplication writes every byte), holds it, exits.
const ALLOCATE = 'import time\nb = b"\\x01" * (1 << 30)\ntime.sleep(0.4)\n';
const PYTHON = '/usr/bin/python3';

test('a command allocating 1 GiB in Python: peak RSS of its process tree within 10% of /usr/bin/time -v', async (t) => {
  assert.ok(existsSync('/usr/bin/time'), '/usr/bin/time is missing: apt-get install time (.ci/run does)');
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing`);
  const profile = await validateProfile(
    {
      name: 'rss',
      scales: [1],
      sampling: { intervalMs: 10 },
      stages: [{ stage: 'probe', method: 'allocate-1g', command: [PYTHON, '-c', ALLOCATE], writes: ['labels'] }],
    },
    'profile.yaml',
    tempDir(),
  );
  const { record } = await runStageOnce(null as unknown as Piscina, profile.stages[0], profile, { n: 1 }, 1, 0);
  // The command writes no labels, so the cell is an error about the missing output; the measurement stands.
  assert.equal(record.status, 'error');
  assert.match(record.reason!, /outputs\/labels\.npy: was not written/);
  const ours = record.peakRssBytes;
  const r = spawnSync('/usr/bin/time', ['-v', PYTHON, '-c', ALLOCATE], { encoding: 'utf8' });
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(kb > 0, r.stderr);
  const theirs = kb * 1024;
  const sampledSum = Math.max(...record.rssTimeline.map((p) => p.rss));
  t.diagnostic(
    `peak RSS: clusterbench ${(ours / 2 ** 20).toFixed(1)} MiB (sampled tree sum ${(sampledSum / 2 ** 20).toFixed(1)} MiB, ${record.rssTimeline.length} samples); /usr/bin/time -v ${(theirs / 2 ** 20).toFixed(1)} MiB; ratio ${(ours / theirs).toFixed(3)}`,
  );
  console.log(
    `# peak RSS of 1 GiB Python: clusterbench ${(ours / 2 ** 20).toFixed(1)} MiB (sampled ${(sampledSum / 2 ** 20).toFixed(1)} MiB), /usr/bin/time -v ${(theirs / 2 ** 20).toFixed(1)} MiB`,
  );
  assert.ok(Math.abs(ours / theirs - 1) <= 0.1, `ours ${ours}, /usr/bin/time ${theirs}`);
  assert.ok(Math.abs(sampledSum / theirs - 1) <= 0.1, `the sampled tree sum alone (${sampledSum}) is within 10% too`);
  assert.ok(
    record.cpuUserMs + record.cpuSystemMs >= 100,
    `CPU ${record.cpuUserMs}+${record.cpuSystemMs} ms for writing 1 GiB`,
  );
  void execFileSync;
});
