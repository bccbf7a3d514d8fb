import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadProfile, ProfileError } from '../../harness/profile/profile-loader.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { writeProfile } from '../test-helpers.js';

const base = (scales: string, extra = ''): string =>
  `name: bad\nscales: ${scales}\nstages:\n  - { stage: embed, method: hashing${extra} }\n`;

test('a non-integer scale names the file and the key path', async () => {
  const p = writeProfile(base('[100, 200, -5]'));
  await assert.rejects(loadProfile(p), (e: Error) => {
    assert.ok(e instanceof ProfileError);
    assert.ok(e.message.includes(`${p.split('/').pop()}`) || e.message.includes(p));
    assert.match(e.message, /: scales\[2\]: must be a positive integer/);
    return true;
  });
});

test('an unknown stage method lists the valid ones', async () => {
  await assert.rejects(
    loadProfile(writeProfile(`name: x\nscales: [10]\nstages:\n  - { stage: cluster, method: nope }\n`)),
    /stages\[0\]\.method: unknown cluster method "nope"; valid: .*kmeans/,
  );
});

test('a bad stage option names its path', async () => {
  await assert.rejects(
    loadProfile(writeProfile(base('[10]', ', options: { dims: 1 }'))),
    /stages\[0\]\.options\.dims: must be an integer >= 2/,
  );
});

test('a misspelled stage option is refused and the valid ones listed', async () => {
  await assert.rejects(
    loadProfile(writeProfile(base('[10]', ', options: { dimz: 256 }'))),
    /profile\.yaml:4: stages\[0\]\.options\.dimz: unknown option for embed\/hashing; valid: dims/,
  );
});

test('unknown keys and invalid YAML are reported', async () => {
  await assert.rejects(
    loadProfile(writeProfile('name: x\nscales: [10]\nstagez: []\nstages:\n  - { stage: embed, method: hashing }\n')),
    /profile\.yaml:3: stagez: unknown key/,
  );
  await assert.rejects(loadProfile(writeProfile('name: x\nscales: [10\n')), /profile\.yaml(:\d+){0,2}: invalid YAML/);
  await assert.rejects(loadProfile(writeProfile(base('[100, 50]'))), /scales\[1\]: must be larger than scales\[0\]/);
});

test('every shipped profile is valid', async () => {
  const names = readdirSync(join(packageRoot(), 'profiles'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5));
  assert.ok(names.includes('quick') && names.includes('nightly'), names.join(', '));
  for (const name of names) {
    const { profile } = await loadProfile(name);
    assert.ok(profile.name.length > 0 && profile.scales.length > 0, name);
  }
});
