import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { findKnee, type ConcurrencySection } from '../harness/sweep/concurrency-sweep.js';
import type { SimulatorStats } from '../harness/api-simulator/simulator-server.js';
import { loadProfile } from '../harness/profile/profile-loader.js';
import { tempDir, writeProfile } from './test-helpers.js';

test('the knee is the level beyond which throughput improves by less than the threshold', () => {
  const pts = (ts: number[], cs = [1, 5, 10, 20, 50]) =>
    cs.map((concurrency, i) => ({ concurrency, throughputPerSec: ts[i] }));
  assert.equal(findKnee(pts([3, 14, 27, 48, 50]), 0.1).knee, 20);
  assert.equal(findKnee(pts([3, 14, 15, 48, 50]), 0.1).knee, 5, 'the first flat step counts (14 -> 15 is +7%)');
  assert.equal(findKnee(pts([3, 14, 27, 48, 90]), 0.1).knee, null);
  assert.match(findKnee(pts([3, 14, 27, 48, 90]), 0.1).note, /no knee within the levels/);
  assert.equal(findKnee(pts([3, 14, 27, 48, 45]), 0.1).knee, 20, 'a drop is below the threshold too');
});

test('api: simulated runs the sweep against the in-process simulator, sweeps concurrency and reports it', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: conc-tiny
seed: 5
scales: [24]
input: { kind: synthetic, options: { difficulty: 0 } }
api:
  mode: simulated
  simulator: { ttft: fixed:3, tokensPerSec: 20000, embeddingLatency: fixed:2, rateLimits: { rpm: 30000 } }
concurrency: { levels: [1, 4], kneeThreshold: 0.1 }
stages:
  - { stage: summarise, method: llm, options: { stream: true, concurrency: 4, cacheDir: ${JSON.stringify(join(dir, 'cache'))} } }
  - { stage: embed, method: openai, options: { dimensions: 64, batchSize: 4, cacheDir: ${JSON.stringify(join(dir, 'cache'))} } }
  - { stage: cluster, method: kmeans, options: { k: 12 } }
`,
    dir,
  );
  const { runDir, results } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  for (const r of results.records) assert.equal(r.status, 'ok', `${r.stage}/${r.method}: ${r.reason}`);
  const llm = results.records.find((r) => r.method === 'llm')!;
  assert.equal(llm.counters.requests, 24);
  assert.equal(llm.observations.ttfbMs.count, 24);
  assert.ok(
    results.scales[0].quality.ari !== undefined,
    'the pipeline ran through to clustering on simulated summaries and embeddings',
  );
  const conc = results.sections.concurrency as ConcurrencySection;
  assert.equal(conc.api, 'simulated');
  assert.deepEqual(
    conc.stages.map((s) => `${s.stage}/${s.method}`),
    ['summarise/llm', 'embed/openai'],
  );
  for (const s of conc.stages) {
    assert.deepEqual(
      s.levels.map((l) => [l.concurrency, l.status]),
      [
        [1, 'ok'],
        [4, 'ok'],
      ],
    );
    for (const l of s.levels)
      assert.ok(l.throughputPerSec > 0 && l.requests > 0 && l.latencyMs!.p50 > 0, JSON.stringify(l));
    assert.ok(s.levels[1].simulator!.peakInFlight <= 4);
  }
  assert.equal(conc.stages[0].levels[0].requests, 24, 'cache off: every level calls the API');
  assert.equal(conc.stages[0].levels[0].simulator!.peakInFlight, 1);
  assert.ok(conc.stages[0].levels[0].ttfbMs!.p50 >= 3);
  const sim = results.sections.apiSimulator as SimulatorStats;
  assert.equal(sim.chatCompletions, 24 * 3, 'main run + two levels');
  const md = readFileSync(join(runDir, 'report.md'), 'utf8');
  assert.match(md, /## Concurrency sweep/);
  assert.match(md, /### summarise\/llm at n = 24: knee/);
  assert.match(md, /## API calls/);
  assert.match(md, /\| 24 \| summarise\/llm \| 24 \| 0 \| 0 \| 0 \| 0\.0% \|/);
  assert.ok(
    !(results.profile as { stages: { options: Record<string, unknown> }[] }).stages[0].options.baseURL,
    'the injected URL is not written into the profile',
  );
});

test('profile keys api and concurrency are validated with key paths', async () => {
  const bad = writeProfile(`
name: bad
scales: [10]
api: { mode: cloud }
concurrency: [5, 1]
stages: [{ stage: summarise, method: llm }]
`);
  await assert.rejects(
    loadProfile(bad),
    (e: Error) =>
      /api\.mode: must be "simulated" or "env"/.test(e.message) &&
      /concurrency\.levels: must be increasing/.test(e.message),
  );
  const badSim = writeProfile(`
name: bad
scales: [10]
api: { simulator: { rateLimits: { rpm: -1 } } }
stages: [{ stage: summarise, method: llm }]
`);
  await assert.rejects(loadProfile(badSim), /api\.simulator\.rateLimits\.rpm: must be >= 0/);
  const shipped = await loadProfile('concurrency');
  assert.equal(shipped.profile.api?.mode, 'simulated');
  assert.equal(shipped.profile.api?.simulator.rateLimits.rpm, 3000);
  assert.deepEqual(shipped.profile.concurrency?.levels, [1, 5, 10, 20, 50]);
});
