import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSimulator } from '../harness/api-simulator/simulator-server.js';
import { llmSummariser } from '../pipeline/stages/summarise/llm.js';
import { packTexts, unpackTexts } from '../pipeline/support/text-column.js';
import type { PipelineData } from '../harness/types.js';
import { TOKENS_INPUT, TOKENS_OUTPUT } from '../pipeline/api/token-counter.js';
import { recordingContext } from './recording-context.js';
import { tempDir } from './test-helpers.js';
import { withSim } from './simulator-fixture.js';
import { parseStageOptions } from '../pipeline/stage-options.js';

const TOPICS = [
  'refund for a double charge on my invoice',
  'python sorting a list of dictionaries by key',
  'docker compose bridge network port mapping',
  'sourdough bread dough that does not rise',
  'cover letter for a job application',
  'melatonin and caffeine for insomnia',
];
const conversations = (n: number, poison?: number): PipelineData => ({
  n,
  conversations: packTexts(
    Array.from(
      { length: n },
      (_, i) =>
        `user: I need help with ${TOPICS[i % TOPICS.length]} (case ${i}).${i === poison ? ' POISON' : ''}\nassistant: Sure, here is what I suggest.\nuser: Thanks, please explain the steps.`,
    ),
  ),
});

const opts = (sim: RunningSimulator, extra: Record<string, unknown>) =>
  parseStageOptions(llmSummariser, { baseURL: sim.baseURL, apiKey: 'sk-test', cacheDir: tempDir(), ...extra });

test('429s are retried by the SDK and every retry and 429 is counted', async () => {
  await withSim({ rateLimits: { rpm: 600, burstSeconds: 0.1 } }, async (sim) => {
    const { ctx, counters } = recordingContext();
    const out = await llmSummariser.run(
      conversations(6),
      opts(sim, { concurrency: 6, maxRetries: 10, stream: false, cache: false }),
      ctx,
    );
    const s = sim.stats();
    assert.ok(counters.http429 > 0, 'the bucket (1 request / 100 ms) must refuse some of 6 concurrent calls');
    assert.equal(counters.http429, s.rateLimited, 'client-side 429 count matches the server');
    assert.equal(counters.retries, counters.http429, 'each 429 was retried once');
    assert.equal(counters.requests, 6 + counters.retries);
    assert.equal(counters.requests, s.requests);
    assert.equal(counters.errors, undefined);
    assert.ok(unpackTexts(out.summaries!).every((t) => t.startsWith('Request:')));
    assert.ok(counters[TOKENS_INPUT] > 0 && counters[TOKENS_OUTPUT] > 0);
  });
});

test('streaming records TTFB and tokens/s per request', async () => {
  await withSim({ ttft: 'fixed:60', tokensPerSec: 300 }, async (sim) => {
    const { ctx, observations, counters } = recordingContext();
    await llmSummariser.run(conversations(3), opts(sim, { concurrency: 3, stream: true, cache: false }), ctx);
    assert.equal(observations.ttfbMs.length, 3);
    assert.equal(observations.latencyMs.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.ok(observations.ttfbMs[i] >= 55, `TTFB ${observations.ttfbMs[i]} ms >= the 60 ms time to first token`);
      assert.ok(
        observations.latencyMs[i] - observations.ttfbMs[i] > 100,
        'the rest of the stream arrives after the first token',
      );
    }
    for (const tps of observations.tokensPerSec)
      assert.ok(tps > 60 && tps < 1500, `tokens/s ${tps} near the simulated 300`);
    assert.equal(counters.requests, 3);
  });
});

test('one bad conversation does not fail the stage; above the failure budget it does', async () => {
  await withSim({ faults: { rejectPattern: 'POISON' } }, async (sim) => {
    const { ctx, counters } = recordingContext();
    const o = opts(sim, { concurrency: 3, failureBudget: 0.25 });
    const out = await llmSummariser.run(conversations(5, 2), o, ctx);
    const texts = unpackTexts(out.summaries!);
    assert.equal(texts[2], '');
    assert.ok(texts.filter((_, i) => i !== 2).every((t) => t.length > 20));
    assert.equal(counters.errors, 1);
    assert.equal(counters['errors.http400'], 1);
    const log = readFileSync(join(o.cacheDir, 'failures', 'summarise-llm.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { item: number; kind: string });
    assert.deepEqual(
      log.map((l) => [l.item, l.kind]),
      [[2, 'http400']],
    );
    await assert.rejects(
      Promise.resolve(llmSummariser.run(conversations(5, 2), opts(sim, { failureBudget: 0 }), recordingContext().ctx)),
      /summarise\/llm: 1 of 5 items failed \(20\.0%\), above the failure budget 0\.0% \[http400 1\]/,
    );
  });
});

test('a re-run resumes from the cache checkpoint, and a cached re-run makes zero requests', async () => {
  const cacheDir = tempDir();
  const first = await withSim({ faults: { rejectPattern: 'POISON' } }, async (sim) => {
    const { ctx } = recordingContext();
    // Both simulators count as one endpoint (answeredBy), as the harness's api: simulated does across runs.
    return unpackTexts(
      (
        await llmSummariser.run(
          conversations(5, 2),
          opts(sim, { cacheDir, stream: false, failureBudget: 0.25, answeredBy: 'simulated' }),
          ctx,
        )
      ).summaries!,
    );
  });
  await withSim({}, async (sim) => {
    const resumed = recordingContext();
    const o = opts(sim, { cacheDir, stream: false, answeredBy: 'simulated' });
    // A server that no longer rejects item 2: the four cached items are not asked again, item 2 is.
    const second = unpackTexts((await llmSummariser.run(conversations(5, 2), o, resumed.ctx)).summaries!);
    assert.equal(sim.stats().requests, 1, 'only the item that failed before is requested');
    assert.equal(resumed.counters.cacheHits, 4);
    assert.deepEqual(
      second.filter((_, i) => i !== 2),
      first.filter((_, i) => i !== 2),
    );
    assert.equal(first[2], '');
    assert.match(second[2], /^Request:/);
    const again = recordingContext();
    const third = unpackTexts((await llmSummariser.run(conversations(5, 2), o, again.ctx)).summaries!);
    assert.equal(sim.stats().requests, 1, 'a cached re-run makes zero requests');
    assert.equal(again.counters.requests, undefined);
    assert.equal(again.counters.cacheHits, 5);
    assert.deepEqual(third, second);
  });
});

test('server faults (500, 503, resets, timeouts) are retried and the run completes', async () => {
  await withSim({ seed: 3, faults: { error500: 0.1, error503: 0.05, reset: 0.05, timeout: 0.05 } }, async (sim) => {
    const { ctx, counters } = recordingContext();
    const out = await llmSummariser.run(
      conversations(12),
      opts(sim, { concurrency: 12, maxRetries: 8, timeoutMs: 300, cache: false, stream: true }),
      ctx,
    );
    const s = sim.stats();
    const faults = s.faults.error500 + s.faults.error503 + s.faults.reset + s.faults.timeout;
    assert.ok(faults > 0, 'seed 3 draws some faults');
    assert.equal(counters.retries, faults);
    assert.equal(counters.errors, undefined);
    assert.ok(unpackTexts(out.summaries!).every((t) => t.startsWith('Request:')));
  });
});

test('malformed JSON bodies and broken SSE events are retried (maxRetries), then per-item failures', async () => {
  await withSim({ faults: { malformed: 1 } }, async (sim) => {
    for (const stream of [false, true]) {
      const { ctx, counters } = recordingContext();
      const out = await llmSummariser.run(conversations(2), opts(sim, { stream, failureBudget: 1, cache: false }), ctx);
      assert.deepEqual(unpackTexts(out.summaries!), ['', ''], `stream ${stream}`);
      assert.equal(counters['errors.malformed'], 2, `stream ${stream}: ${JSON.stringify(counters)}`);
      assert.equal(counters.retries, 4, 'each of 2 items retried twice (maxRetries 2)');
      assert.equal(counters.malformedRetries, 4);
    }
  });
});

test('without baseURL/apiKey options the stage uses OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
  await withSim({}, async (sim) => {
    const saved = { url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
    process.env.OPENAI_BASE_URL = sim.baseURL;
    process.env.OPENAI_API_KEY = 'sk-from-env';
    try {
      const { ctx, counters } = recordingContext();
      await llmSummariser.run(conversations(2), parseStageOptions(llmSummariser, { cache: false }), ctx);
      assert.equal(counters.requests, 2);
      assert.equal(sim.stats().chatCompletions, 2);
      delete process.env.OPENAI_API_KEY;
      await assert.rejects(
        Promise.resolve(llmSummariser.run(conversations(1), parseStageOptions(llmSummariser, { cache: false }), ctx)),
        /no API key: set OPENAI_API_KEY, or use `api: simulated`/,
      );
    } finally {
      for (const [k, v] of [
        ['OPENAI_BASE_URL', saved.url],
        ['OPENAI_API_KEY', saved.key],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

test('options are validated with the key named', () => {
  assert.throws(
    () => parseStageOptions(llmSummariser, { concurrency: 0 }),
    /^UserError: options\.concurrency: must be >= 1/,
  );
  assert.throws(
    () => parseStageOptions(llmSummariser, { promptTemplate: 'no placeholder' }),
    /promptTemplate: must contain \{\{conversation\}\}/,
  );
  assert.throws(
    () => parseStageOptions(llmSummariser, { modle: 'x' }),
    /options\.modle: unknown option for summarise\/llm/,
  );
});
