import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliErrorText, UserError } from '../../pipeline/support/user-error.js';
import { ProfileError } from '../../harness/profile/profile-loader.js';
import { FileWriteError } from '../../harness/io/errno-words.js';

test('a UserError (and its subclasses) prints as its message alone; any other error keeps its stack', () => {
  assert.equal(cliErrorText(new UserError('--seed: "x" is not an integer')), '--seed: "x" is not an integer');
  const profileError = new ProfileError('p.yaml:3: stages[0].method: unknown');
  assert.ok(profileError instanceof UserError);
  assert.equal(profileError.name, 'ProfileError');
  assert.equal(cliErrorText(profileError), 'p.yaml:3: stages[0].method: unknown');
  const full = Object.assign(new Error('no space'), { code: 'ENOSPC' });
  assert.match(
    cliErrorText(new FileWriteError('/tmp/x', 'checkpoint', full, 200)),
    /^\/tmp\/x: cannot write \(checkpoint\): .*200 bytes needed$/,
  );
  const bug = cliErrorText(new TypeError('cannot read properties of undefined'));
  assert.match(bug, /^TypeError: cannot read properties of undefined\n\s+at /, 'a bug shows where it happened');
});
