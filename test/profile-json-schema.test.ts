/** schemas/profile.schema.json: shipped profiles pass it, a typo'd option fails it and the loader alike, every stage's options are in it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { loadProfile } from '../harness/profile/profile-loader.js';
import { loadRegisteredStages } from '../pipeline/stage-registry.js';
import { checkStageOptions, optionKeys } from '../pipeline/stage-options.js';
import { packageRoot } from '../pipeline/support/package-root.js';
import { writeProfile } from './test-helpers.js';

const MODELINE = '# yaml-language-server: $schema=../schemas/profile.schema.json';

function profileValidator() {
  const schema: unknown = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'profile.schema.json'), 'utf8'));
  assert.ok(typeof schema === 'object' && schema !== null);
  // Formats (baseURL's uri) are not checked here: ajv-formats is not a dependency, and the loader checks URLs.
  return new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(schema);
}

test('every shipped profile passes schemas/profile.schema.json and names it in its modeline', () => {
  const validate = profileValidator();
  const files = readdirSync(join(packageRoot(), 'profiles')).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5, files.join(', '));
  for (const f of files) {
    const text = readFileSync(join(packageRoot(), 'profiles', f), 'utf8');
    assert.equal(text.split('\n')[0], MODELINE, `${f}: first line`);
    assert.ok(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`);
  }
});

test('a typo in an option key fails the JSON Schema and the loader, which names file, line and key', async () => {
  const validate = profileValidator();
  const yaml =
    'name: typo\nscales: [10]\nstages:\n  - stage: embed\n    method: hashing\n  - stage: cluster\n    method: kmeans\n    options:\n      k: 4\n      nInitt: 3\n';
  assert.equal(validate(parse(yaml)), false);
  assert.ok(
    validate.errors?.some(
      (e) =>
        e.instancePath === '/stages/1/options' &&
        e.keyword === 'additionalProperties' &&
        e.params.additionalProperty === 'nInitt',
    ),
    JSON.stringify(validate.errors),
  );
  const file = writeProfile(yaml);
  await assert.rejects(loadProfile(file), (e: Error) => {
    assert.match(
      e.message,
      /profile\.yaml:10: stages\[1\]\.options\.nInitt: unknown option for cluster\/kmeans; valid: k, maxIterations, tolerance, nInit, field, init$/,
    );
    assert.equal(e.message.split('\n').length, 1, 'reported once');
    return true;
  });
  // A method the kind does not have fails too; a module path or a command stage's own name does not.
  assert.equal(validate(parse('name: x\nscales: [10]\nstages:\n  - { stage: cluster, method: kmean }\n')), false);
  assert.ok(
    validate(
      parse(
        'name: x\nscales: [10]\napi: env\nconcurrency: [1, 5]\nstages:\n  - { stage: cluster, method: "module:./x.js", options: { any: 1 } }\n  - { stage: cluster, method: mine, command: [python3], options: { k: 1 } }\n',
      ),
    ),
    JSON.stringify(validate.errors),
  );
});

test('every built-in stage has an options schema that refuses unknown keys and accepts its defaults', async () => {
  for (const def of await loadRegisteredStages()) {
    const name = `${def.kind}/${def.method}`;
    assert.ok(def.options, `${name} has an options schema`);
    assert.ok(optionKeys(def)?.length, `${name} lists its option keys`);
    const typo = checkStageOptions(def, { notAnOption: 1 });
    assert.ok(
      !typo.ok && typo.issues.some((i) => i.path.join('.') === 'notAnOption' && /unknown option/.test(i.message)),
      `${name}: ${JSON.stringify(typo)}`,
    );
    // embed/transformers needs a model folder; every other stage runs on its defaults.
    if (name !== 'embed/transformers') assert.ok(checkStageOptions(def, {}).ok, `${name} accepts {}`);
  }
});
