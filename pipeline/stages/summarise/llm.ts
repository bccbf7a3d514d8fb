/**
 * summarise/llm: one Clio/Kura-style summary (request, task, one-paragraph summary) per conversation through the
 * official `openai` SDK, against OpenAI, any compatible server, or clusterbench's simulator.
 *
 * - Calls run `concurrency` at a time (p-limit); the SDK retries 429/5xx/connection errors (maxRetries), and the
 *   counting fetch (openai-client.ts) records every attempt, retry and 429.
 * - Streaming mode records time to first token and tokens/s per call (ctx.observe, reported as p50/p95/p99).
 * - A failed conversation (an error, an empty answer, or an empty conversation) gets an empty summary and a line in
 *   the failure log with the run id and scale; the stage fails only when the failures pass `failureBudget`.
 *   Malformed and empty answers are retried (maxRetries) like the SDK retries 429s.
 * - Answers go to a disk cache keyed by hash(endpoint + model + prompt + messages + parameters), appended per item: a re-run
 *   is free, and an interrupted run resumes (the cache is the checkpoint).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { z } from 'zod/v4';
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { packTexts, textAt, textCount } from '../../support/text-column.js';
import {
  API_COUNTERS,
  API_OBSERVATIONS,
  apiStageOptionShape,
  createCountingClient,
  enforceFailureBudget,
  type ApiStageOptions,
} from '../../api/openai-client.js';
import {
  answerSource,
  failureLogPath,
  kindOf,
  logFailure,
  MalformedAnswerError,
  retryMalformed,
} from '../../api/api-reliability.js';
import { cacheKey, safeFileName, TextCache } from '../../api/response-cache.js';
import { encodingForModel, loadTokenCounter, TOKENS_INPUT, TOKENS_OUTPUT } from '../../api/token-counter.js';

/** The default system prompt: privacy-preserving, as Clio's summariser asks. */
export const DEFAULT_SYSTEM_PROMPT =
  'You summarise conversations between a user and an AI assistant for aggregate topic analysis. Be concise and factual. Never include names, contact details or other identifying information.';

/** The default prompt; `{{conversation}}` is replaced by the conversation's "role: content" lines. */
export const DEFAULT_PROMPT_TEMPLATE = `Here is a conversation between a user and an AI assistant:

<conversation>
{{conversation}}
</conversation>

Answer in exactly this format, in English, without identifying details:
Request: <one sentence: what the user asked the assistant for>
Task: <one sentence: the task the assistant had to perform>
Summary: <one paragraph, at most three sentences, describing the conversation>`;

const optionsSchema = z.strictObject({
  ...apiStageOptionShape,
  model: apiStageOptionShape.model.default('gpt-4o-mini'),
  systemPrompt: z.string().default(DEFAULT_SYSTEM_PROMPT),
  promptTemplate: z
    .string()
    .refine((t) => t.includes('{{conversation}}'), 'must contain {{conversation}}')
    .default(DEFAULT_PROMPT_TEMPLATE),
  temperature: z.number().min(0, 'must be in [0, 2]').max(2, 'must be in [0, 2]').default(0.2),
  maxTokens: z.number().int('must be an integer').positive('must be > 0').default(256),
  /** Stream the answer (records TTFB and tokens/s). */
  stream: z.boolean().default(true),
  /** Conversations longer than this are cut (keeping the start), to bound prompt tokens. */
  maxConversationChars: z.number().int().positive('must be > 0').default(12_000),
  /** JSON-lines file for per-item failures; default <cacheDir>/failures/summarise-llm.jsonl. */
  failureLog: z.string().optional(),
});

/** Options of summarise/llm. */
export type LlmSummariseOptions = ApiStageOptions & z.infer<typeof optionsSchema>;

/** The chat messages for one conversation. */
export function summaryMessages(
  conversation: string,
  o: Pick<LlmSummariseOptions, 'systemPrompt' | 'promptTemplate' | 'maxConversationChars'>,
): { role: 'system' | 'user'; content: string }[] {
  const conv =
    conversation.length > o.maxConversationChars ? conversation.slice(0, o.maxConversationChars) : conversation;
  return [
    { role: 'system', content: o.systemPrompt },
    { role: 'user', content: o.promptTemplate.split('{{conversation}}').join(conv) },
  ];
}

/** Run the stage on a conversations column (exported for tests, which call it without a worker). */
export async function summariseWithLlm(
  input: PipelineData,
  o: LlmSummariseOptions,
  ctx: StageContext,
): Promise<Partial<PipelineData>> {
  const col = input.conversations;
  if (!col) throw new Error('summarise/llm needs conversations');
  const n = textCount(col);
  const client = createCountingClient(o, ctx);
  const tokenizer = await loadTokenCounter(encodingForModel(o.model));
  const cache = o.cache ? new TextCache(join(o.cacheDir, `summaries-${safeFileName(o.model)}.jsonl`)) : undefined;
  const failureLog = failureLogPath(o, 'summarise/llm');
  const out = new Array<string>(n).fill('');
  const kinds = new Map<string, number>();
  let failed = 0;
  let firstError: string | undefined;
  let done = 0;
  const limit = pLimit(o.concurrency);

  const source = answerSource(o);
  const fail = (i: number, kind: string, message: string): void => {
    failed++;
    firstError ??= `item ${i}: ${kind}: ${message}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    ctx.count(API_COUNTERS.errors);
    ctx.count(`${API_COUNTERS.errors}.${kind}`);
    logFailure(failureLog, { stage: 'summarise/llm', model: o.model, item: i, kind, message, scale: n });
  };

  // One call; an empty answer is malformed (retried, then a failure: an empty summary is a zero row downstream).
  const call = async (
    messages: ReturnType<typeof summaryMessages>,
  ): Promise<{
    text: string;
    t0: number;
    t1: number;
    tFirst?: number;
    usage?: { prompt_tokens: number; completion_tokens: number };
  }> => {
    const t0 = performance.now();
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    let tFirst: number | undefined;
    if (o.stream) {
      const stream = await client.chat.completions.create({
        model: o.model,
        messages,
        temperature: o.temperature,
        max_tokens: o.maxTokens,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta?.content;
        if (piece) {
          tFirst ??= performance.now();
          text += piece;
        }
        if (chunk.usage) usage = chunk.usage;
      }
    } else {
      const res = await client.chat.completions.create({
        model: o.model,
        messages,
        temperature: o.temperature,
        max_tokens: o.maxTokens,
      });
      text = res.choices[0]?.message?.content ?? '';
      usage = res.usage ?? undefined;
    }
    if (text.trim() === '') throw new MalformedAnswerError('empty answer');
    return { text, t0, t1: performance.now(), tFirst, usage };
  };

  const one = async (i: number): Promise<void> => {
    const conversation = textAt(col, i);
    if (conversation.trim() === '') {
      fail(i, 'emptyInput', 'empty conversation: nothing to summarise');
      return;
    }
    const messages = summaryMessages(conversation, o);
    const key = cacheKey([source, o.model, o.temperature, o.maxTokens, messages]);
    const hit = cache?.get(key);
    if (hit !== undefined) {
      out[i] = hit;
      ctx.count(API_COUNTERS.cacheHits);
      return;
    }
    if (cache) ctx.count(API_COUNTERS.cacheMisses);
    const tCall = performance.now();
    try {
      const { text, t1, tFirst, usage } = await retryMalformed(() => call(messages), o.maxRetries, ctx);
      const t0 = tCall;
      // Some compatible servers send no usage: count with the model's tokenizer instead.
      const promptTokens = usage?.prompt_tokens ?? tokenizer.countChat(messages);
      const completionTokens = usage?.completion_tokens ?? tokenizer.count(text);
      ctx.count(TOKENS_INPUT, promptTokens);
      ctx.count(TOKENS_OUTPUT, completionTokens);
      ctx.observe(API_OBSERVATIONS.latencyMs, t1 - t0);
      if (tFirst !== undefined) {
        ctx.observe(API_OBSERVATIONS.ttfbMs, tFirst - t0);
        if (t1 > tFirst && completionTokens > 1)
          ctx.observe(API_OBSERVATIONS.tokensPerSec, ((completionTokens - 1) * 1000) / (t1 - tFirst));
      } else if (!o.stream && t1 > t0)
        ctx.observe(API_OBSERVATIONS.tokensPerSec, (completionTokens * 1000) / (t1 - t0));
      out[i] = text.trim();
      cache?.put(key, out[i]);
    } catch (err) {
      fail(i, kindOf(err), (err as Error)?.message ?? String(err));
    } finally {
      if (++done % 100 === 0) ctx.sample(`${done}/${n}`);
    }
  };

  const phase0 = performance.now();
  try {
    await Promise.all(Array.from({ length: n }, (_, i) => limit(() => one(i))));
  } finally {
    cache?.close();
    ctx.count(API_COUNTERS.callPhaseMs, performance.now() - phase0);
  }
  enforceFailureBudget('summarise/llm', failed, n, o.failureBudget, kinds, firstError);
  return { summaries: packTexts(out) };
}

export const llmSummariser: StageDefinition<LlmSummariseOptions> = {
  kind: 'summarise',
  method: 'llm',
  reads: ['conversations'],
  writes: ['summaries'],
  usesApi: true,
  options: optionsSchema,
  run: (input, o, ctx) => summariseWithLlm(input, o, ctx),
};
