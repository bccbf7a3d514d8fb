// The CLI prints a UserError as one line and exits 2 (child processes); cliErrorText itself is tested in
// test/unit/user-error.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../pipeline/support/package-root.js';
import { tempDir, writeProfile } from './test-helpers.js';

const cli = join(packageRoot(), 'dist/harness/cli.js');

test('the CLI exits 2 with one line for bad input: a bad flag value and a bad profile key', () => {
  const dir = tempDir();
  const seed = spawnSync(process.execPath, [cli, 'sweep', '--seed', 'abc', '--out', dir], { encoding: 'utf8' });
  assert.equal(seed.status, 2, seed.stderr);
  assert.equal(seed.stderr.trim(), 'clusterbench: --seed: "abc" is not an integer');
  const profile = writeProfile('name: bad\nscales: [100]\nstagez: []\n', dir);
  const bad = spawnSync(process.execPath, [cli, 'sweep', '--profile', profile, '--out', dir], { encoding: 'utf8' });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /profile\.yaml/);
  assert.match(bad.stderr, /stagez/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack for a user error');
});
