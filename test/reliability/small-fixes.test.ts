// Issue 13, item 10: the smaller holes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseScalesFlag } from '../../harness/commands/sweep-command.js';
import { loadProfile } from '../../harness/profile/profile-loader.js';
import { formatBytes } from '../../pipeline/support/format-units.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { tempDir, writeProfile } from '../test-helpers.js';
import { offlineYaml, runCli } from './reliability-helpers.js';

test('item 10: --scales 200,,1000 and a trailing comma are refused', () => {
  assert.throws(() => parseScalesFlag('200,,1000'), /--scales: "200,,1000" has an empty entry/);
  assert.throws(() => parseScalesFlag('200,1000,'), /empty entry/);
  assert.deepEqual(parseScalesFlag('200, 1k'), [200, 1000]);
});

test('item 10: a bad generator option in a profile names the file and the key path, before any work', async () => {
  const p = writeProfile(offlineYaml('gen', 1, [50]).replace('difficulty: 0,', 'difficulty: 7,'));
  await assert.rejects(
    loadProfile(p),
    /profile\.yaml:\d+: input\.options\.difficulty: must be a number in \[0, 1\], got 7/,
  );
  const t = writeProfile(offlineYaml('gen', 1, [50]).replace('difficulty: 0,', 'turns: { min: 0 },'));
  await assert.rejects(
    loadProfile(t),
    /profile\.yaml:\d+: input\.options\.turns\.min: must be an integer in \[1, 12\]/,
  );
});

test('item 10: a YAML error gives line and column and the offending line, not a dangling ":"', async () => {
  const p = writeProfile('name: x\nseed: a: b\n');
  await assert.rejects(loadProfile(p), (e: Error) => {
    assert.match(e.message, /profile\.yaml:\d+:\d+: invalid YAML: .+ \(in ".+"\)$/);
    assert.doesNotMatch(e.message, /:\s*$/);
    return true;
  });
});

test('item 10: history --db x.json is refused, not a silent success', () => {
  const r = runCli(['history', '--db', join(tempDir(), 'x.json')]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--db .*x\.json: the history database is a DuckDB file; name it \*\.duckdb/);
});

test('item 10: history/ is ignored by git', () => {
  const r = spawnSync('git', ['check-ignore', '-q', 'history/history.duckdb'], { cwd: packageRoot() });
  assert.equal(r.status, 0, 'history/history.duckdb should be git-ignored');
});

test('item 10: byte sizes say they are binary units (KiB, MiB, GiB)', () => {
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3000 * 2 ** 20), '2.9 GiB');
  assert.equal(formatBytes(200 * 2 ** 20), '200 MiB');
});
