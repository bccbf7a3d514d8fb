// Issue 13, item 5: API failures are retried where a retry can help, counted where it cannot, and never silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSimulator } from '../../harness/api-simulator/simulator-server.js';
import { openAiEmbedder } from '../../pipeline/stages/embed/openai.js';
import { llmSummariser } from '../../pipeline/stages/summarise/llm.js';
import { packTexts } from '../../pipeline/support/text-column.js';
import type { PipelineData } from '../../harness/types.js';
import { recordingContext } from '../recording-context.js';
import { tempDir } from '../test-helpers.js';
import { withSim } from '../simulator-fixture.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';

const texts = [
  'refund for a double charge',
  'sorting a python list',
  'docker bridge POISON network',
  'refund my card payment',
  'sql left join rows',
  'bread dough rise',
  'hotel for three nights',
  'budget for savings',
];
const input = (t: string[]): PipelineData => ({ n: t.length, summaries: packTexts(t) });
const embedOpts = (sim: RunningSimulator, extra: Record<string, unknown>) =>
  parseStageOptions(openAiEmbedder, {
    baseURL: sim.baseURL,
    apiKey: 'sk-test',
    dimensions: 16,
    batchSize: 4,
    cache: false,
    cacheDir: tempDir(),
    ...extra,
  });

test('item 5: malformed 200 answers are retried; with retries the stage completes', async () => {
  await withSim({ seed: 5, faults: { malformed: 0.4 } }, async (sim) => {
    const { ctx, counters } = recordingContext();
    const ok = texts.filter((t) => !t.includes('POISON'));
    const out = await openAiEmbedder.run(
      input(ok),
      embedOpts(sim, { maxRetries: 8, failureBudget: 0, batchSize: 1 }),
      ctx,
    );
    assert.ok(sim.stats().faults.malformed > 0, 'seed 5 draws malformed answers');
    assert.equal(counters.malformedRetries, sim.stats().faults.malformed);
    assert.equal(counters.errors, undefined);
    assert.equal(out.embeddings!.rows, ok.length);
  });
});

test('item 5: a batch that fails is retried item by item: one rejected text costs one row, not four', async () => {
  await withSim({ faults: { rejectPattern: 'POISON' } }, async (sim) => {
    const { ctx, counters } = recordingContext();
    const cacheDir = tempDir();
    process.env.CLUSTERBENCH_RUN_ID = 'run-under-test';
    try {
      await openAiEmbedder.run(input(texts), embedOpts(sim, { failureBudget: 0.2, cacheDir }), ctx);
    } finally {
      delete process.env.CLUSTERBENCH_RUN_ID;
    }
    assert.equal(counters.errors, 1);
    assert.equal(counters['errors.http400'], 1);
    assert.equal(counters.batchesSplit, 1);
    // embed/openai writes failure lines too, with the run id and the scale.
    const log = join(cacheDir, 'failures', 'embed-openai.jsonl');
    assert.ok(existsSync(log), 'embed/openai failure log');
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.stage, l.item, l.kind, l.runId, l.scale]),
      [['embed/openai', 2, 'http400', 'run-under-test', 8]],
    );
  });
});

test('item 5: empty inputs (failed upstream summaries) are failures against the budget, not silent zero rows', async () => {
  await withSim({}, async (sim) => {
    const t = ['refund for a double charge', '', 'docker bridge network', '  ', 'sql left join rows'];
    const { ctx, counters } = recordingContext();
    await assert.rejects(
      Promise.resolve(openAiEmbedder.run(input(t), embedOpts(sim, { failureBudget: 0.1 }), ctx)),
      /2 of 5 items failed \(40\.0%\), above the failure budget 10\.0% \[emptyInput 2\]/,
    );
    assert.equal(counters['errors.emptyInput'], 2);
  });
});

test('item 5: the SDK\'s "Could not parse message into JSON" goes to a log file, not the console', async () => {
  await withSim({ faults: { malformed: 1 } }, async (sim) => {
    const cacheDir = tempDir();
    const printed: string[] = [];
    const saved = console.error;
    console.error = (...a: unknown[]) => void printed.push(a.map(String).join(' '));
    try {
      const data: PipelineData = { n: 1, conversations: packTexts(['user: help me sort a list\nassistant: sure']) };
      await llmSummariser.run(
        data,
        parseStageOptions(llmSummariser, {
          baseURL: sim.baseURL,
          apiKey: 'sk-test',
          cacheDir,
          stream: true,
          maxRetries: 1,
          failureBudget: 1,
          cache: false,
        }),
        recordingContext().ctx,
      );
    } finally {
      console.error = saved;
    }
    assert.deepEqual(
      printed.filter((l) => /Could not parse/.test(l)),
      [],
    );
    assert.match(
      readFileSync(join(cacheDir, 'logs', 'openai-sdk.log'), 'utf8'),
      /error Could not parse message into JSON/,
    );
  });
});
