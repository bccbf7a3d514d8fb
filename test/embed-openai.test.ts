import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { RunningSimulator } from '../harness/api-simulator/simulator-server.js';
import { openAiEmbedder } from '../pipeline/stages/embed/openai.js';
import { packTexts } from '../pipeline/support/text-column.js';
import type { PipelineData } from '../harness/types.js';
import { TOKENS_EMBEDDING } from '../pipeline/api/token-counter.js';
import { recordingContext } from './recording-context.js';
import { tempDir } from './test-helpers.js';
import { withSim } from './simulator-fixture.js';
import { parseStageOptions } from '../pipeline/stage-options.js';

const texts = [
  'refund for a double charge',
  'sorting a python list',
  'docker bridge network',
  'refund my card payment',
  'sql left join rows',
  '',
  'bread dough rise',
  'hotel for three nights',
  'budget for monthly savings',
  'derivative of a function',
];
const input: PipelineData = { n: texts.length, summaries: packTexts(texts) };

const opts = (sim: RunningSimulator, extra: Record<string, unknown>) =>
  parseStageOptions(openAiEmbedder, {
    baseURL: sim.baseURL,
    apiKey: 'sk-test',
    dimensions: 64,
    batchSize: 4,
    cache: false,
    cacheDir: tempDir(),
    failureBudget: 0.1,
    ...extra,
  });

test('base64 and float answers give the same matrix, also from a server that ignores encoding_format', async () => {
  const run = (raw: Record<string, unknown>, extra: Record<string, unknown>) =>
    withSim(raw, async (sim) => {
      const { ctx, counters } = recordingContext();
      const out = await openAiEmbedder.run(input, opts(sim, extra), ctx);
      return { m: out.embeddings!, counters, stats: sim.stats() };
    });
  const b64 = await run({}, { encodingFormat: 'base64' });
  const flt = await run({}, { encodingFormat: 'float' });
  const ignoring = await run({ ignoreEncodingFormat: true }, { encodingFormat: 'base64' });
  assert.equal(b64.m.rows, 10);
  assert.equal(b64.m.cols, 64);
  assert.deepEqual(flt.m.data, b64.m.data);
  assert.deepEqual(ignoring.m.data, b64.m.data);
  assert.equal(b64.stats.embeddingRequests, 3, '9 non-empty texts in batches of 4');
  assert.equal(b64.counters.emptyInputs, 1);
  assert.equal(b64.counters['errors.emptyInput'], 1, 'the empty text counts as a failed item');
  assert.ok(
    b64.m.data.subarray(5 * 64, 6 * 64).every((v) => v === 0),
    'the empty text is a zero row',
  );
  const dot = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < 64; k++) s += b64.m.data[i * 64 + k] * b64.m.data[j * 64 + k];
    return s;
  };
  assert.ok(Math.abs(dot(0, 0) - 1) < 1e-5);
  assert.ok(dot(0, 3) > dot(0, 2), 'the two refund texts are closer than refund vs docker');
  assert.ok(b64.counters[TOKENS_EMBEDDING] > 0);
});

// openai 6 asked for base64 by default and decoded a float array as base64 (garbage vectors); openai 7 copes. The stage
// asks for floats explicitly either way; this pins the SDK behaviour we rely on after the upgrade.
test("the SDK default (no encoding_format) decodes a server's float answer correctly (openai >= 7)", async () => {
  await withSim({ ignoreEncodingFormat: true }, async (sim) => {
    const client = new OpenAI({ baseURL: sim.baseURL, apiKey: 'sk-test' });
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'refund', dimensions: 64 });
    assert.equal(res.data[0].embedding.length, 64, 'the SDK treated a float array as base64');
    assert.ok(res.data[0].embedding.every((v) => typeof v === 'number' && Math.abs(v) <= 1));
  });
});

test('a cached re-run makes zero requests and returns the same vectors', async () => {
  const cacheDir = tempDir();
  await withSim({}, async (sim) => {
    const first = await openAiEmbedder.run(input, opts(sim, { cache: true, cacheDir }), recordingContext().ctx);
    const before = sim.stats().requests;
    const again = recordingContext();
    const second = await openAiEmbedder.run(input, opts(sim, { cache: true, cacheDir }), again.ctx);
    assert.equal(sim.stats().requests, before, 'zero requests on the cached re-run');
    assert.equal(again.counters.cacheHits, 9);
    assert.deepEqual(second.embeddings!.data, first.embeddings!.data);
  });
});

test('rate-limited batches are retried, counted, and concurrency is respected', async () => {
  await withSim({ rateLimits: { rpm: 1200, burstSeconds: 0.1 } }, async (sim) => {
    const { ctx, counters } = recordingContext();
    await openAiEmbedder.run(input, opts(sim, { batchSize: 1, concurrency: 3, maxRetries: 20 }), ctx);
    const s = sim.stats();
    assert.ok(counters.http429 > 0);
    assert.equal(counters.http429, s.rateLimited);
    assert.equal(counters.retries, counters.http429);
    assert.ok(s.peakInFlight <= 3);
    assert.equal(s.embeddingInputs, 9);
  });
});
