// Issue 13, item 1: two sweeps started at the same moment never share a run folder; the folder and the resume
// command are printed at the start; a run is resumable from its first record on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunResults } from '../../harness/types.js';
import { tempDir, writeProfile } from '../test-helpers.js';
import { offlineYaml, startCli } from './reliability-helpers.js';

const read = (d: string): RunResults => JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as RunResults;

test('item 1: two CLI sweeps started together get two run folders, each with its own seed and data', async () => {
  const dir = tempDir();
  const out = join(dir, 'runs');
  const a = startCli(['sweep', '--profile', writeProfile(offlineYaml('same', 1, [60]), join(dir)), '--out', out]);
  const dir2 = tempDir();
  const b = startCli(['sweep', '--profile', writeProfile(offlineYaml('same', 2, [60]), dir2), '--out', out]);
  const [ea, eb] = await Promise.all([a.exit, b.exit]);
  assert.equal(ea, 0, a.stderr());
  assert.equal(eb, 0, b.stderr());
  const runs = readdirSync(out);
  assert.equal(runs.length, 2, `two run folders, got ${runs.join(', ')}`);
  assert.deepEqual(runs.map((r) => (read(join(out, r)).profile as { seed: number }).seed).sort(), [1, 2]);
  // The run folder and the resume command are printed at the start, not only at the end.
  for (const c of [a, b])
    assert.match(
      c.stderr().split('\n').slice(0, 2).join('\n'),
      /run folder .*; if interrupted, resume with: clusterbench sweep --resume /,
    );
});

test('item 1: run ids are unique when many processes create folders in the same millisecond', () => {
  const out = tempDir();
  const mod = fileURLToPath(new URL('../../harness/sweep/run-folder.js', import.meta.url));
  const script = `import { createRunFolder } from ${JSON.stringify(mod)}; const now = new Date('2026-01-01T00:00:00.000Z'); for (let i = 0; i < 25; i++) createRunFolder(${JSON.stringify(out)}, 'p', now);`;
  // Four processes at once, all claiming the same timestamp.
  const procs = Array.from({ length: 4 }, () =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
  for (const p of procs) assert.equal(p.status, 0, p.stderr);
  const ids = readdirSync(out);
  assert.equal(new Set(ids).size, 100);
  assert.ok(
    ids.every((id) => id.startsWith('20260101-000000-000-p-')),
    ids[0],
  );
});

test('item 1: results.json exists (and is resumable) before the first stage finishes', async () => {
  const dir = tempDir();
  const c = startCli([
    'sweep',
    '--profile',
    writeProfile(offlineYaml('early', 3, [60, 20000])),
    '--out',
    join(dir, 'runs'),
  ]);
  await new Promise<void>((res) => {
    const t = setInterval(() => {
      if (/run folder/.test(c.stderr())) {
        clearInterval(t);
        res();
      }
    }, 10);
  });
  const runDir = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]);
  assert.ok(existsSync(join(runDir, 'results.json')), 'results.json is written when the run folder is announced');
  const r = read(runDir);
  assert.equal((r.sections.checkpoints as { complete: boolean }).complete, false);
  c.child.kill('SIGKILL');
  await c.exit;
});
