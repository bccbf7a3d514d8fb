/** The JSON Schemas committed in schemas/ are the ones the zod schemas generate now; readResults refuses bad files clearly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemas } from '../../harness/io/json-schemas.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { readResults } from '../../harness/sweep/run-directory.js';
import { tempDir } from '../test-helpers.js';

test('schemas/*.json are up to date (run `make schemas` after changing a schema)', async () => {
  for (const s of await publishedSchemas()) {
    const committed = readFileSync(join(packageRoot(), s.path), 'utf8');
    assert.equal(committed, s.text, `${s.path} is stale: run make schemas`);
  }
});

test('readResults refuses a foreign or malformed results.json, naming the file and the field', () => {
  const dir = tempDir();
  const write = (name: string, body: string): string => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'results.json'), body);
    return join(dir, name);
  };
  assert.throws(() => readResults(join(dir, 'missing')), /missing[/\\]results\.json: cannot read results/);
  assert.throws(() => readResults(write('garbage', '{ not json')), /garbage[/\\]results\.json: cannot read results/);
  assert.throws(
    () => readResults(write('v2', '{"schemaVersion": 2}')),
    /v2[/\\]results\.json: not a clusterbench results\.json \(schemaVersion 1 expected, found 2\)/,
  );
  assert.throws(
    () => readResults(write('shape', '{"schemaVersion": 1, "id": "x", "records": {}}')),
    (e: Error) =>
      /shape[/\\]results\.json: results\.json does not match schemaVersion 1/.test(e.message) &&
      /records: expected array, received object/.test(e.message) &&
      /machine: missing \(object expected\)/.test(e.message),
  );
});
