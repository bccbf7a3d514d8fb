/**
 * How fast the simulator and the API stages are on their own, with zero simulated latency and no rate limits:
 * the ceiling above which a concurrency sweep measures clusterbench rather than the simulated API. Prints
 * requests/s (or items/s) per path. BENCH_API_N sets the calls per row (default 400).
 */
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import { parseSimulatorConfig } from '../harness/api-simulator/simulator-config.js';
import { startSimulator } from '../harness/api-simulator/simulator-server.js';
import { llmSummariser } from '../pipeline/stages/summarise/llm.js';
import { openAiEmbedder } from '../pipeline/stages/embed/openai.js';
import { packTexts } from '../pipeline/support/text-column.js';
import { generateConversations } from '../generators/synthetic-conversations.js';
import type { StageContext } from '../harness/types.js';
import { parseStageOptions } from '../pipeline/stage-options.js';

const n = Number(process.env.BENCH_API_N ?? 400);
const sim = await startSimulator(
  parseSimulatorConfig({ ttft: 'fixed:0', tokensPerSec: 1e9, embeddingLatency: 'fixed:0' }),
);
const client = new OpenAI({ baseURL: sim.baseURL, apiKey: 'sk-bench', maxRetries: 0 });
const convs: string[] = [];
for await (const batch of generateConversations({ n, seed: 1 }))
  for (const c of batch) convs.push(c.messages.map((m) => `${m.role}: ${m.content}`).join('\n'));
const ctx: StageContext = { seed: 1, sample() {}, count() {}, observe() {} };

const rows: [string, number, number][] = [];
async function row(name: string, calls: number, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  rows.push([name, calls, calls / s]);
}

const limit = pLimit(32);
await row('SDK chat, non-streaming (32 in flight)', n, async () => {
  await Promise.all(
    convs.map((c) =>
      limit(() =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `<conversation>${c}</conversation>` }],
        }),
      ),
    ),
  );
});
await row('SDK chat, streaming (32 in flight)', n, async () => {
  await Promise.all(
    convs.map((c) =>
      limit(async () => {
        const s = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          stream: true,
          messages: [{ role: 'user', content: `<conversation>${c}</conversation>` }],
        });
        for await (const _ of s) void _;
      }),
    ),
  );
});
await row('SDK embeddings, 16 texts x 256 d, base64 (32 in flight)', Math.ceil(n / 16), async () => {
  const batches = Array.from({ length: Math.ceil(n / 16) }, (_, b) => convs.slice(b * 16, b * 16 + 16));
  await Promise.all(
    batches.map((input) =>
      limit(() =>
        client.embeddings.create({
          model: 'text-embedding-3-small',
          input,
          dimensions: 256,
          encoding_format: 'base64',
        }),
      ),
    ),
  );
});
const input = { n, conversations: packTexts(convs) };
await row('summarise/llm stage, streaming, concurrency 32 (items)', n, async () => {
  await llmSummariser.run(
    input,
    parseStageOptions(llmSummariser, { baseURL: sim.baseURL, apiKey: 'sk-bench', concurrency: 32, cache: false }),
    ctx,
  );
});
await row('embed/openai stage, batch 16, concurrency 8 (items)', n, async () => {
  await openAiEmbedder.run(
    { n, summaries: packTexts(convs) },
    parseStageOptions(openAiEmbedder, {
      baseURL: sim.baseURL,
      apiKey: 'sk-bench',
      batchSize: 16,
      concurrency: 8,
      dimensions: 256,
      cache: false,
    }),
    ctx,
  );
});
await sim.close();

console.log(`API simulator ceiling (zero latency, no limits; client and server in one process; ${n} conversations)`);
console.log('| path | calls | per second |');
console.log('|---|---:|---:|');
for (const [name, calls, rate] of rows) console.log(`| ${name} | ${calls} | ${rate.toFixed(0)} |`);
