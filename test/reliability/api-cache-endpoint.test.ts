// Issue 13, item 2: API answers cached from the simulator are never served to a run against another endpoint, and
// a run states how many answers came from cache and from which endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sweepCommand } from '../../harness/commands/sweep-command.js';
import type { ApiAnswerSource } from '../../harness/sweep/api-answer-sources.js';
import { tempDir, writeProfile } from '../test-helpers.js';

const profileYaml = (mode: 'simulated' | 'env', cacheDir: string): string => `name: api-cache
seed: 3
scales: [30]
input: { kind: synthetic, options: { difficulty: 0, meanBytes: 400 } }
api: ${mode === 'simulated' ? '{ mode: simulated, simulator: { ttft: "fixed:2", tokensPerSec: 20000, embeddingLatency: "fixed:1" } }' : 'env'}
stages:
  - { stage: summarise, method: llm, options: { cacheDir: ${JSON.stringify(cacheDir)}, maxRetries: 0, timeoutMs: 2000, concurrency: 8 } }
  - { stage: embed, method: openai, options: { cacheDir: ${JSON.stringify(cacheDir)}, dimensions: 16, maxRetries: 0, timeoutMs: 2000 } }
  - { stage: cluster, method: kmeans, options: { k: 3, nInit: 1 } }
`;

test('item 2: simulator answers in the cache are not served to an env run against a dead endpoint', async () => {
  const dir = tempDir();
  const cacheDir = join(dir, 'cache');
  const sim = await sweepCommand({
    profile: writeProfile(profileYaml('simulated', cacheDir), join(dir)),
    out: join(dir, 'runs'),
    quiet: true,
  });
  assert.ok(sim.results.records.every((r) => r.status === 'ok'));
  const first = sim.results.sections.apiAnswers as ApiAnswerSource[];
  assert.deepEqual(
    first.map((a) => [a.stage, a.endpoint, a.fromCache, a.fromEndpoint]),
    [
      ['summarise/llm', 'simulated', 0, 30],
      ['embed/openai', 'simulated', 0, 30],
    ],
  );

  // The same profile again: every answer from the cache, and the run says so.
  const again = await sweepCommand({
    profile: writeProfile(profileYaml('simulated', cacheDir), join(dir)),
    out: join(dir, 'runs'),
    quiet: true,
  });
  assert.deepEqual(
    (again.results.sections.apiAnswers as ApiAnswerSource[]).map((a) => [a.fromCache, a.fromEndpoint]),
    [
      [30, 0],
      [30, 0],
    ],
  );

  const saved = { url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
  process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'; // discard port: nothing listens
  process.env.OPENAI_API_KEY = 'sk-dead';
  try {
    const dead = await sweepCommand({
      profile: writeProfile(profileYaml('env', cacheDir), join(dir)),
      out: join(dir, 'runs'),
      quiet: true,
    });
    const llm = dead.results.records.find((r) => r.stage === 'summarise')!;
    assert.equal(
      llm.status,
      'error',
      'a dead endpoint is a failed stage, not an "ok" run served from the simulator\'s cache',
    );
    assert.equal(llm.counters.cacheHits ?? 0, 0);
    assert.equal(llm.counters.errors, 30, 'the failed stage keeps its counters');
    const answers = dead.results.sections.apiAnswers as ApiAnswerSource[];
    assert.equal(answers[0].endpoint, 'env:http://127.0.0.1:9/v1');
    assert.equal(answers[0].fromCache, 0);
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
