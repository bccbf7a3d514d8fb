import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSimulatorConfig, sampleLatency } from '../harness/api-simulator/simulator-config.js';
import type { RunningSimulator } from '../harness/api-simulator/simulator-server.js';
import { simulatorConfigFromOptions } from '../harness/commands/simulate-api-command.js';
import { mulberry32 } from '../pipeline/support/seeded-random.js';
import { withSim } from './simulator-fixture.js';

const chatBody = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });
const post = (sim: RunningSimulator, path: string, body: string, signal?: AbortSignal): Promise<Response> =>
  fetch(`${sim.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });

test('serves models, chat and embeddings deterministically per seed', async () => {
  const conv =
    '<conversation>user: My sourdough bread dough does not rise, the yeast seems dead.\nassistant: Check the flour.</conversation>';
  const [a, b] = await Promise.all(
    [7, 7].map((seed) =>
      withSim({ seed }, async (sim) => {
        const models = (await (await fetch(`${sim.baseURL}/models`)).json()) as { data: { id: string }[] };
        assert.ok(models.data.some((m) => m.id === 'text-embedding-3-small'));
        const chat = (await (await post(sim, '/chat/completions', chatBody(conv))).json()) as {
          choices: { message: { content: string } }[];
          usage: { prompt_tokens: number; completion_tokens: number };
        };
        const emb = (await (
          await post(
            sim,
            '/embeddings',
            JSON.stringify({
              model: 'text-embedding-3-small',
              input: ['bread dough', 'sql join'],
              dimensions: 16,
              encoding_format: 'float',
            }),
          )
        ).json()) as { data: { embedding: number[] }[] };
        return { text: chat.choices[0].message.content, usage: chat.usage, emb: emb.data.map((d) => d.embedding) };
      }),
    ),
  );
  assert.equal(a.text, b.text);
  assert.match(a.text, /^Request: .+\nTask: .+\nSummary: .+/);
  assert.match(a.text, /bread|dough|yeast|sourdough/);
  assert.ok(a.usage.prompt_tokens > 10 && a.usage.completion_tokens > 10);
  assert.deepEqual(a.emb, b.emb);
  assert.equal(a.emb[0].length, 16);
  assert.ok(Math.abs(Math.hypot(...a.emb[0]) - 1) < 1e-5, 'unit vectors');
  const other = await withSim(
    { seed: 8 },
    async (sim) =>
      (
        (await (
          await post(
            sim,
            '/embeddings',
            JSON.stringify({ model: 'm', input: 'bread dough', dimensions: 16, encoding_format: 'float' }),
          )
        ).json()) as { data: { embedding: number[] }[] }
      ).data[0].embedding,
  );
  assert.notDeepEqual(other, a.emb[0], 'another seed gives other noise');
});

test('rate limits answer 429 with retry-after-ms, retry-after and x-ratelimit headers', async () => {
  await withSim({ rateLimits: { rpm: 60, burstSeconds: 1 } }, async (sim) => {
    const ok = await post(sim, '/chat/completions', chatBody('one'));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '60');
    await ok.text();
    const limited = await post(sim, '/chat/completions', chatBody('two'));
    assert.equal(limited.status, 429);
    const ms = Number(limited.headers.get('retry-after-ms'));
    assert.ok(ms > 500 && ms <= 1000, `retry-after-ms ${ms}`);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.equal(limited.headers.get('x-ratelimit-remaining-requests'), '0');
    assert.match(limited.headers.get('x-ratelimit-reset-requests') ?? '', /^\d+ms$/);
    const body = (await limited.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'rate_limit_exceeded');
    const s = sim.stats();
    assert.equal(s.rateLimited, 1);
    assert.equal(s.responses['429'], 1);
  });
});

test('the TPM bucket limits by tokens (prompt + max_tokens) and says so', async () => {
  await withSim({ rateLimits: { tpm: 6000, burstSeconds: 1 } }, async (sim) => {
    const first = await post(sim, '/chat/completions', chatBody('hello', { max_tokens: 80 }));
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '6000');
    await first.text();
    const second = await post(sim, '/chat/completions', chatBody('hello again', { max_tokens: 80 }));
    assert.equal(second.status, 429, 'the 100-token bucket cannot hold two requests of ~90 tokens');
    assert.match(((await second.json()) as { error: { message: string } }).error.message, /on tokens/);
    assert.equal(sim.stats().rateLimited, 1);
  });
});

test('injects 500, 503, timeouts, resets and malformed bodies, and counts them', async () => {
  for (const [fault, check] of [
    [
      'error500',
      async (sim: RunningSimulator) => assert.equal((await post(sim, '/chat/completions', chatBody('x'))).status, 500),
    ],
    [
      'error503',
      async (sim: RunningSimulator) =>
        assert.equal((await post(sim, '/embeddings', JSON.stringify({ model: 'm', input: 'x' }))).status, 503),
    ],
    [
      'timeout',
      async (sim: RunningSimulator) =>
        assert.rejects(post(sim, '/chat/completions', chatBody('x'), AbortSignal.timeout(150)), /abort|timeout/i),
    ],
    [
      'reset',
      async (sim: RunningSimulator) => assert.rejects(post(sim, '/chat/completions', chatBody('x')), /fetch failed/),
    ],
    [
      'malformed',
      async (sim: RunningSimulator) => {
        const res = await post(sim, '/chat/completions', chatBody('x'));
        assert.equal(res.status, 200);
        await assert.rejects(res.json());
      },
    ],
  ] as const) {
    await withSim({ faults: { [fault]: 1 } }, async (sim) => {
      await check(sim);
      assert.equal(sim.stats().faults[fault], 1, fault);
      assert.equal(sim.stats().requests, 1);
    });
  }
});

test('streams SSE chunks with usage, cut at max_tokens', async () => {
  await withSim({ ttft: 'fixed:30', tokensPerSec: 2000 }, async (sim) => {
    const res = await post(
      sim,
      '/chat/completions',
      chatBody('<conversation>user: explain docker bridge networking and port mapping</conversation>', {
        stream: true,
        max_tokens: 12,
        stream_options: { include_usage: true },
      }),
    );
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    assert.equal(events[events.length - 1], '[DONE]');
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e) as {
          choices: { delta: { content?: string }; finish_reason: string | null }[];
          usage?: { completion_tokens: number };
        },
    );
    assert.ok(chunks.length >= 3);
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'length');
    assert.ok(chunks.at(-1)!.usage!.completion_tokens <= 12);
    assert.equal(sim.stats().chatStreams, 1);
  });
});

test('config: distributions, key-path errors and CLI flags', () => {
  const c = parseSimulatorConfig({ ttft: 'lognormal:100:400' });
  const r = mulberry32(1);
  const xs = Array.from({ length: 4000 }, () => sampleLatency(c.ttft, r)).sort((a, b) => a - b);
  assert.ok(Math.abs(xs[2000] - 100) < 10, `median ${xs[2000]}`);
  assert.ok(Math.abs(xs[3800] - 400) < 60, `p95 ${xs[3800]}`);
  assert.throws(
    () => parseSimulatorConfig({ faults: { error500: 2 } }, 'x.yaml'),
    /x\.yaml: faults\.error500: must be in \[0, 1\]/,
  );
  assert.throws(
    () => parseSimulatorConfig({ faults: { error500: 0.6, reset: 0.6 } }),
    /faults: fault rates sum to 1\.2/,
  );
  assert.throws(() => parseSimulatorConfig({ ttft: 'sometimes' }), /ttft: .*latency distribution/);
  assert.throws(() => parseSimulatorConfig({ rpm: 5 }), /unrecognized|rpm/i);
  const fromFlags = simulatorConfigFromOptions({ rpm: '3000', ttft: 'fixed:5', fault503: '0.1' });
  assert.equal(fromFlags.rateLimits.rpm, 3000);
  assert.deepEqual(fromFlags.ttft, { dist: 'fixed', ms: 5 });
  assert.equal(fromFlags.faults.error503, 0.1);
  assert.throws(() => simulatorConfigFromOptions({ rpm: 'many' }), /--rpm: "many" is not a number/);
});
