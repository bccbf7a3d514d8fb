// Issue 13, item 7 (and 1): Ctrl-C / SIGTERM print the run folder and the resume command, leave a resumable run,
// and exit 130 / 143; the resumed run completes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointManifest, RunResults } from '../../harness/types.js';
import { sweepCommand } from '../../harness/commands/sweep-command.js';
import { tempDir, writeProfile } from '../test-helpers.js';
import { offlineYaml, startCli, waitFor } from './reliability-helpers.js';

const read = (d: string): RunResults => JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as RunResults;

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`item 7: ${signal} says how to resume, exits ${code}, and the run resumes to completion`, async () => {
    const dir = tempDir();
    const out = join(dir, 'runs');
    const c = startCli(['sweep', '--profile', writeProfile(offlineYaml('intr', 4, [60, 120, 15000])), '--out', out]);
    // Interrupt once a cell is done (a mid-run interrupt), or at the latest while the big scale runs.
    await waitFor(() => /n=60 cluster\/kmeans/.test(c.stderr()));
    c.child.kill(signal);
    assert.equal(await c.exit, code, c.stderr());
    const runDir = join(out, readdirSync(out)[0]);
    assert.match(
      c.stderr(),
      new RegExp(
        `interrupted \\(${signal}\\); the run is resumable: run folder .*; if interrupted, resume with: clusterbench sweep --resume .*${readdirSync(out)[0]}`,
      ),
    );
    const partial = read(runDir);
    assert.equal((partial.sections.checkpoints as CheckpointManifest).complete, false);
    assert.ok(partial.records.length >= 3, 'the cells done before the interrupt are kept');
    // Shrink nothing: resume continues the same run (the big scale is what it has left to do).
    const { results } = await sweepCommand({ profile: 'quick', resume: runDir, quiet: true });
    assert.equal((results.sections.checkpoints as CheckpointManifest).complete, true);
    assert.equal(results.records.length, 9);
  });
}

test('item 7: an interrupt before the first cell still leaves a resumable run', async () => {
  const dir = tempDir();
  const out = join(dir, 'runs');
  const c = startCli(['sweep', '--profile', writeProfile(offlineYaml('early-intr', 5, [60])), '--out', out]);
  await waitFor(() => /run folder/.test(c.stderr()));
  c.child.kill('SIGINT');
  const status = await c.exit;
  const runDir = join(out, readdirSync(out)[0]);
  if (status === 0) return; // the tiny run won the race and finished: nothing to resume (rare)
  assert.equal(status, 130, c.stderr());
  const { results } = await sweepCommand({ profile: 'quick', resume: runDir, quiet: true });
  assert.equal(results.records.length, 3);
});
