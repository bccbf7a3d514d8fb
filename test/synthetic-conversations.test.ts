// Generated files are byte-identical whatever the number of generation workers (a piscina pool); the generator's
// own tests are in test/unit/synthetic-conversations.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToFile } from '../harness/commands/generate-command.js';
import { tempDir } from './test-helpers.js';

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

test('same seed and options give byte-identical Arrow and JSONL files (any worker count); another seed differs', async () => {
  const dir = tempDir();
  const g = { n: 300, seed: 11, batchSize: 64 };
  for (const ext of ['arrow', 'jsonl']) {
    const a = await generateToFile({ out: join(dir, `a.${ext}`), generator: g });
    const b = await generateToFile({ out: join(dir, `b.${ext}`), generator: g });
    const c = await generateToFile({ out: join(dir, `c.${ext}`), generator: { ...g, seed: 12 } });
    const w = await generateToFile({ out: join(dir, `w.${ext}`), generator: g, workers: 2, stats: true });
    assert.equal(sha(w.path), sha(a.path), `${ext}: 2 generation workers write the same bytes as the main thread`);
    assert.equal(w.stats?.conversations, 300);
    assert.equal(a.conversations, 300);
    assert.ok(a.bytes > 300 * 1000, `${ext}: ${a.bytes} bytes`);
    assert.equal(sha(a.path), sha(b.path), `${ext}: same seed, same bytes`);
    assert.notEqual(sha(a.path), sha(c.path), `${ext}: another seed, other bytes`);
  }
});
