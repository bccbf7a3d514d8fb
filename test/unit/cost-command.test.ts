import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costCommand } from '../../harness/commands/cost-command.js';
import type { RunResults, StageRecord } from '../../harness/types.js';
import { tempDir } from '../test-helpers.js';
import { profileSchema } from '../../harness/profile/profile-schema.js';

test('cost: a given scenario is priced exactly for every model, cheapest first', async () => {
  const { analysis, text } = await costCommand({
    conversationsPerDay: '1000',
    days: '30',
    inputTokens: '800',
    outputTokens: '150',
    embeddingTokens: '150',
  });
  const mini = analysis.rows.find((r) => r.model === 'gpt-4o-mini')!;
  // 30,000 conversations: 24,000,000 input x $0.15/1M + 4,500,000 output x $0.60/1M = 3.60 + 2.70.
  assert.deepEqual(mini.tokens, { input: 24_000_000, output: 4_500_000, embedding: 0 });
  assert.equal(mini.totalUsd, '6.3');
  assert.ok(Math.abs(mini.usdPer1k - 0.21) < 1e-12);
  const small = analysis.rows.find((r) => r.model === 'text-embedding-3-small')!;
  assert.equal(small.totalUsd, '0.09', '4,500,000 embedding tokens x $0.02/1M');
  const chat = analysis.rows.filter((r) => r.kind === 'chat');
  for (let i = 1; i < chat.length; i++) assert.ok(chat[i - 1].usdPer1k <= chat[i].usdPer1k, 'sorted cheapest first');
  assert.match(text, /30,000 conversations/);
  assert.match(text, /gpt-4o-mini\s+0\.15\s+0\.60\s+\$0\.210\s+\$0\.210\s+\$6\.30/);
  assert.match(text, /Recommended embedding model: text-embedding-3-small/);
});

test('cost: --max-p95-ms recommends the cheapest model within the latency limit', async () => {
  const dir = tempDir();
  const pricing = join(dir, 'p.yaml');
  writeFileSync(
    pricing,
    `models:
  cheap-slow: { input: 0.10, output: 0.20, p95Ms: 9000 }
  mid-fast:   { input: 0.50, output: 1.00, p95Ms: 1200 }
  dear-fast:  { input: 5.00, output: 10.0, p95Ms: 400 }
`,
  );
  const base = {
    pricing,
    models: 'dear-fast,cheap-slow,mid-fast',
    inputTokens: '1000',
    outputTokens: '100',
    embeddingTokens: '0',
  };
  const fast = await costCommand({ ...base, maxP95Ms: '2000' });
  assert.equal(fast.analysis.recommended.chat?.model, 'mid-fast');
  assert.deepEqual(
    fast.analysis.rows.map((r) => r.model),
    ['cheap-slow', 'mid-fast', 'dear-fast'],
  );
  assert.match(fast.text, /cheap-slow .* no: p95 9000 ms > 2000 ms/);
  assert.match(fast.text, /Recommended summarisation model: mid-fast: the cheapest with p95 <= 2,000 ms/);
  assert.equal((await costCommand(base)).analysis.recommended.chat?.model, 'cheap-slow', 'no limit: the cheapest');
  assert.equal((await costCommand({ ...base, maxP95Ms: '100' })).analysis.recommended.chat, undefined);
  await assert.rejects(costCommand({ ...base, models: 'nope' }), /--models: "nope" is not in the pricing table/);
  await assert.rejects(costCommand({ ...base, days: 'x' }), /--days: "x" must be an integer >= 1/);
});

test('cost: tokens per conversation and p95 latency are measured from a run, and flags override them', async () => {
  const dir = tempDir();
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  const rec = (over: Partial<StageRecord>): StageRecord => ({
    scale: 2000,
    stage: 'summarise',
    method: 'llm',
    repeat: 0,
    status: 'ok',
    items: 2000,
    wallMs: 1,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    peakRssBytes: 0,
    baselineRssBytes: 0,
    peakHeapUsedBytes: 0,
    peakArrayBuffersBytes: 0,
    itemsPerSec: 1,
    rssTimeline: [],
    workerMemory: [],
    counters: {},
    observations: {},
    ...over,
  });
  const results: RunResults = {
    schemaVersion: 1,
    id: 'r1',
    tool: { name: 'clusterbench', version: '0' },
    startedAt: '',
    finishedAt: '',
    profilePath: 'p.yaml',
    breakingPoints: [],
    scales: [],
    sections: {},
    machine: {
      hostname: '',
      platform: '',
      arch: '',
      cpuModel: '',
      cores: 1,
      totalMemBytes: 1,
      nodeVersion: 'v20',
      v8Version: '',
      gitCommit: null,
      gitDirty: null,
    },
    profile: profileSchema.parse({
      name: 'r1',
      scales: [2000],
      stages: [
        { stage: 'summarise', method: 'llm', options: { model: 'gpt-4.1-mini' } },
        { stage: 'embed', method: 'openai', options: {} },
      ],
    }),
    records: [
      rec({ scale: 500, items: 500, counters: { 'tokens.input': 1 } }),
      rec({
        counters: { 'tokens.input': 1_300_000, 'tokens.output': 240_000 },
        observations: { latencyMs: { count: 2000, p50: 800, p95: 1900, p99: 2500, mean: 900, max: 3000 } },
      }),
      rec({ stage: 'embed', method: 'openai', counters: { 'tokens.embedding': 250_000 } }),
    ],
  };
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(results));
  const { analysis, text } = await costCommand({
    run: runDir,
    conversationsPerDay: '100',
    days: '10',
    models: 'gpt-4.1-mini,text-embedding-3-small',
    maxP95Ms: '1500',
  });
  assert.deepEqual(analysis.scenario.tokens, { input: 650, output: 120, embedding: 125 });
  const mini = analysis.rows.find((r) => r.model === 'gpt-4.1-mini')!;
  assert.equal(mini.p95Ms, 1900);
  assert.equal(mini.p95Source, 'measured');
  // 1,000 conversations: 650,000 x $0.40/1M + 120,000 x $1.60/1M = 0.26 + 0.192.
  assert.equal(mini.totalUsd, '0.452');
  assert.match(text, /measured in .*run at n = 2,000 \(summarise\/llm, embed\/openai\)/);
  assert.match(text, /No summarisation model meets the constraints/);
  const over = await costCommand({ run: runDir, outputTokens: '200', models: 'gpt-4.1-mini' });
  assert.deepEqual(over.analysis.scenario.tokens, { input: 650, output: 200, embedding: 125 });
  assert.match(over.text, /output given/);
});
