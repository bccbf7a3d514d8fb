import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLiteEmbed, USE_LITE_DIMS } from '../pipeline/stages/embed/use-lite.js';
import { packTexts } from '../pipeline/support/text-column.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { createStagePool } from '../harness/workers/worker-pool.js';
import { SPLIT_WORKERS_COUNTER } from '../harness/workers/split-stage-run.js';
import { TOKENS_EMBEDDING } from '../pipeline/api/token-counter.js';
import type { Matrix } from '../harness/types.js';

const dot = (m: Matrix, i: number, j: number): number => {
  let s = 0;
  for (let k = 0; k < m.cols; k++) s += m.data[i * m.cols + k] * m.data[j * m.cols + k];
  return s;
};

test('use-lite: related sentences are closer than unrelated ones, rows are unit length', async () => {
  const m = await useLiteEmbed(
    packTexts([
      'How do I get a refund for my order?',
      'I want my money back for this purchase.',
      'The weather in Paris is sunny today.',
      'My password reset email never arrived.',
      'I cannot log in because the reset link did not come.',
      '',
    ]),
    { batchSize: 2 },
  );
  assert.equal(m.cols, USE_LITE_DIMS);
  assert.equal(m.rows, 6);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(dot(m, i, i) - 1) < 1e-5, `row ${i} norm^2 ${dot(m, i, i)}`);
  assert.ok(dot(m, 0, 1) > dot(m, 0, 2) + 0.2, `refund~money back ${dot(m, 0, 1)} vs refund~weather ${dot(m, 0, 2)}`);
  assert.ok(dot(m, 3, 4) > dot(m, 3, 0) + 0.1, `reset~login ${dot(m, 3, 4)} vs reset~refund ${dot(m, 3, 0)}`);
});

test('use-lite split across 2 piscina workers gives the same rows as 1 worker, in one contiguous matrix', async () => {
  const texts = Array.from(
    { length: 24 },
    (_, i) => `customer ${i} asks about ${['refunds', 'passwords', 'shipping delays'][i % 3]} again`,
  );
  const profile = await validateProfile(
    { name: 't', scales: [24], stages: [{ stage: 'embed', method: 'use-lite', workers: 2 }] },
    'test',
  );
  const results: Matrix[] = [];
  for (const workers of [1, 2]) {
    const spec = { ...profile.stages[0], workers };
    const pool = createStagePool(spec, profile);
    try {
      const { record, data } = await runStageOnce(pool, spec, profile, { n: 24, summaries: packTexts(texts) }, 24, 0);
      assert.equal(record.status, 'ok', record.reason);
      assert.equal(record.counters[SPLIT_WORKERS_COUNTER], workers === 2 ? 2 : undefined);
      assert.ok(record.counters[TOKENS_EMBEDDING] > 24 * 5, 'embedding tokens counted');
      assert.ok(data?.summaries && data.summaries.offsets.length === 25, 'input comes back');
      results.push(data.embeddings!);
    } finally {
      await pool.destroy();
    }
  }
  const [one, two] = results;
  assert.equal(two.rows, 24);
  assert.equal(two.data.length, 24 * USE_LITE_DIMS);
  for (let i = 0; i < 24; i++) {
    let s = 0;
    for (let k = 0; k < USE_LITE_DIMS; k++) s += one.data[i * USE_LITE_DIMS + k] * two.data[i * USE_LITE_DIMS + k];
    assert.ok(s > 0.9999, `row ${i} differs between 1 and 2 workers (cos ${s})`);
  }
});

test('use-lite is batch-invariant: identical texts give bit-identical rows whatever else is in the batch', async () => {
  const x = 'Where is my refund for the order I returned last week?';
  const others = [
    'I never got my package',
    'reset my password please',
    'what is the weather like',
    'cancel my subscription now',
    'x',
  ];
  const alone = await useLiteEmbed(packTexts([x]), { batchSize: 64 });
  const mixed = await useLiteEmbed(packTexts([...others, x, ...others.map((o) => o + ' today'), x]), { batchSize: 3 });
  const rowOf = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  assert.deepEqual(rowOf(mixed, 5), rowOf(alone, 0), 'same text, different batch companions and batch size');
  assert.deepEqual(rowOf(mixed, 11), rowOf(alone, 0), 'a duplicate in the same column');
});
