import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costPicoUsd, formatPicoUsd, loadPricingTable, picoUsdPerToken } from '../../pipeline/cost/pricing-table.js';
import { computeRunCost, stageCostRow, withResolvedModels } from '../../harness/analysis/stage-cost.js';
import { TOKENS_EMBEDDING, TOKENS_INPUT, TOKENS_OUTPUT } from '../../pipeline/api/token-counter.js';
import type { RunResults, StageRecord } from '../../harness/types.js';
import { costLines, embeddingThroughputLines } from '../../reports/cost-throughput-markdown.js';
import { tempDir } from '../test-helpers.js';

const record = (over: Partial<StageRecord>): StageRecord => ({
  scale: 1000,
  stage: 'summarise',
  method: 'llm',
  repeat: 0,
  status: 'ok',
  items: 1000,
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

test('the shipped table is dated and cost is tokens x price, exactly', () => {
  const t = loadPricingTable();
  assert.match(t.asOf, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(t.models['gpt-4o'].input, 2.5);
  assert.equal(t.models['text-embedding-3-small'].kind, 'embedding');
  assert.equal(picoUsdPerToken(0.065), 65_000n);
  // 1,234 input x $2.50/1M + 567 output x $10/1M = 0.003085 + 0.00567 = 0.008755 exactly.
  assert.equal(formatPicoUsd(costPicoUsd({ input: 1234, output: 567, embedding: 0 }, t.models['gpt-4o'])), '0.008755');
  // 0.1 + 0.2 style drift cannot happen: 3 x $0.10/1M tokens is 0.0000003, not 3.0000000000000004e-7.
  assert.equal(
    formatPicoUsd(costPicoUsd({ input: 3, output: 0, embedding: 0 }, t.models['gpt-4.1-nano'])),
    '0.0000003',
  );
  // 1M embedding tokens with text-embedding-3-small = $0.02; 7 billion with 3-large = $910.
  assert.equal(
    formatPicoUsd(costPicoUsd({ input: 0, output: 0, embedding: 1_000_000 }, t.models['text-embedding-3-small'])),
    '0.02',
  );
  assert.equal(
    formatPicoUsd(costPicoUsd({ input: 0, output: 0, embedding: 7_000_000_000 }, t.models['text-embedding-3-large'])),
    '910',
  );
  assert.throws(
    () => costPicoUsd({ input: 0, output: 0, embedding: 5 }, t.models['gpt-4o'], 'gpt-4o'),
    /no embedding price for gpt-4o/,
  );
});

test('a --pricing file overrides fields and adds models; bad files name the key', () => {
  const dir = tempDir();
  const f = join(dir, 'prices.yaml');
  writeFileSync(
    f,
    'asOf: 2027-01-01\nmodels:\n  gpt-4o: { input: 1.25 }\n  my-local-llama: { input: 0.000001, output: 0.000002 }\n',
  );
  const t = loadPricingTable(f);
  assert.equal(t.asOf, '2027-01-01');
  assert.equal(t.models['gpt-4o'].input, 1.25);
  assert.equal(t.models['gpt-4o'].output, 10, 'fields not overridden are kept');
  assert.equal(
    formatPicoUsd(costPicoUsd({ input: 1_000_000, output: 1_000_000, embedding: 0 }, t.models['my-local-llama'])),
    '0.000003',
  );
  writeFileSync(f, 'models:\n  gpt-4o: { input: -1 }\n');
  assert.throws(() => loadPricingTable(f), /prices\.yaml:2: models\.gpt-4o\.input: must be >= 0/);
  writeFileSync(f, 'models:\n  gpt-4o: { inptu: 1 }\n');
  assert.throws(
    () => loadPricingTable(f),
    /prices\.yaml:2: models\.gpt-4o\.inptu: unknown key \(valid: kind, input, output/,
  );
  assert.throws(() => loadPricingTable(join(dir, 'nope.yaml')), /nope\.yaml: cannot read pricing file/);
});

test('stage cost rows: $ per 1K conversations from the token counters, local stages cost 0, unknown models say so', () => {
  const t = loadPricingTable();
  const llm = record({ counters: { [TOKENS_INPUT]: 400_000, [TOKENS_OUTPUT]: 100_000 } });
  const row = stageCostRow(llm, 'gpt-4o-mini', t);
  // 400k x 0.15 + 100k x 0.60 per 1M = 0.06 + 0.06 = $0.12 for 1,000 conversations.
  assert.equal(row.usd, '0.12');
  assert.equal(row.usdPer1k, 0.12);
  assert.equal(row.tokensPer1k, 500_000);
  const emb = record({ stage: 'embed', method: 'openai', items: 2000, counters: { [TOKENS_EMBEDDING]: 300_000 } });
  assert.equal(stageCostRow(emb, 'text-embedding-3-small', t).usd, '0.006');
  assert.equal(stageCostRow(emb, 'text-embedding-3-small', t).usdPer1k, 0.003);
  assert.match(stageCostRow(llm, 'mystery-model', t).note ?? '', /no price for "mystery-model"/);
  const section = computeRunCost(
    [
      llm,
      record({ stage: 'embed', method: 'use-lite', counters: { [TOKENS_EMBEDDING]: 5 } }),
      record({ stage: 'cluster', method: 'kmeans', status: 'skipped' }),
    ],
    [
      { stage: 'summarise', method: 'llm', options: { model: 'gpt-4o-mini' } },
      { stage: 'embed', method: 'use-lite', options: {} },
    ],
    t,
  );
  assert.equal(section.rows.length, 2, 'skipped cells have no row');
  assert.equal(section.rows[0].usd, '0.12');
  assert.equal(section.rows[1].usd, '0');
  assert.equal(section.rows[1].model, null);
});

test('stage models resolve through the stage defaults: summarise/llm without a model is gpt-4o-mini, use-lite is local', async () => {
  const specs = await withResolvedModels([
    { stage: 'summarise', method: 'llm', options: {} },
    { stage: 'embed', method: 'use-lite', options: {} },
    { stage: 'embed', method: 'openai', options: { model: 'text-embedding-3-large' } },
  ]);
  assert.deepEqual(
    specs.map((s) => s.model),
    ['gpt-4o-mini', null, 'text-embedding-3-large'],
  );
});

test('report.md shows tokens and $ per 1K conversations per stage, and embeddings/min per embed stage', () => {
  const t = loadPricingTable();
  const llm = record({ counters: { [TOKENS_INPUT]: 400_000, [TOKENS_OUTPUT]: 100_000 } });
  const emb = record({
    stage: 'embed',
    method: 'use-lite',
    itemsPerSec: 12.5,
    counters: { [TOKENS_EMBEDDING]: 150_000, 'split.workers': 2 },
  });
  const r = {
    records: [llm, emb],
    sections: {
      cost: computeRunCost(
        [llm, emb],
        [
          { stage: 'summarise', method: 'llm', model: 'gpt-4o-mini' },
          { stage: 'embed', method: 'use-lite', model: null },
        ],
        t,
      ),
    },
  } as unknown as RunResults;
  const cost = costLines(r).join('\n');
  assert.match(
    cost,
    /\| summarise\/llm \| gpt-4o-mini \| 400,000 \| 100,000 \| 0 \| 500,000 \| \$0\.12 \| \$0\.120 \|/,
  );
  assert.match(cost, /\| embed\/use-lite \| local \| 0 \| 0 \| 150,000 \| 150,000 \| \$0 \| \$0 \|/);
  assert.match(cost, /Pipeline: \$0\.120 per 1K conversations\./);
  assert.match(embeddingThroughputLines(r).join('\n'), /\| 1,000 \| use-lite \| 2 \| 750 \| 12\.5 \|/);
  const local = {
    records: [],
    sections: { cost: computeRunCost([record({ stage: 'embed', method: 'hashing' })], [], t) },
  } as unknown as RunResults;
  assert.match(costLines(local).join('\n'), /Every stage ran locally and counted no tokens/);
});
