import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliErrorText, UserError } from '../pipeline/support/user-error.js';
import { ProfileError } from '../harness/profile/profile-loader.js';
import { FileWriteError } from '../harness/io/errno-words.js';
import { packageRoot } from '../pipeline/support/package-root.js';
import { tempDir, writeProfile } from './test-helpers.js';

const cli = join(packageRoot(), 'dist/harness/cli.js');

test('a UserError (and its subclasses) prints as its message alone; any other error keeps its stack', () => {
  assert.equal(cliErrorText(new UserError('--seed: "x" is not an integer')), '--seed: "x" is not an integer');
  const profileError = new ProfileError('p.yaml:3: stages[0].method: unknown');
  assert.ok(profileError instanceof UserError);
  assert.equal(profileError.name, 'ProfileError');
  assert.equal(cliErrorText(profileError), 'p.yaml:3: stages[0].method: unknown');
  const full = Object.assign(new Error('no space'), { code: 'ENOSPC' });
  assert.match(cliErrorText(new FileWriteError('/tmp/x', 'checkpoint', full, 200)), /^\/tmp\/x: cannot write \(checkpoint\): .*200 bytes needed$/);
  const bug = cliErrorText(new TypeError('cannot read properties of undefined'));
  assert.match(bug, /^TypeError: cannot read properties of undefined\n\s+at /, 'a bug shows where it happened');
});

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
