/**
 * embed/openai: embeddings through the official `openai` SDK (OpenAI, a compatible server, or the simulator), in
 * batches of `batchSize` texts, `concurrency` batches in flight, with the SDK's retries counted, a per-text disk
 * cache keyed by endpoint, model and text (Kura re-embeds on every re-cluster; this stage never pays twice), and a
 * failure budget. Malformed answers are retried; a batch that still fails is retried item by item; an empty text
 * (an upstream failure) counts as a failed item; every failed item gets a line in the failure log.
 *
 * The base64 gotcha: openai 6 asks for base64 when no encoding_format is given and then decodes whatever comes
 * back as base64, so a compatible server that ignores the format and answers floats yields garbage. This stage
 * always names the format and decodes by what actually arrived (string = base64 float32 LE, array = floats).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { z } from 'zod/v4';
import type { Matrix, PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
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
import { cacheKey, safeFileName, VectorCache } from '../../api/response-cache.js';
import { encodingForModel, loadTokenCounter, TOKENS_EMBEDDING } from '../../api/token-counter.js';

const optionsSchema = z.strictObject({
  ...apiStageOptionShape,
  model: apiStageOptionShape.model.default('text-embedding-3-small'),
  concurrency: apiStageOptionShape.concurrency.default(4),
  /** Output dimensions (text-embedding-3 models can shorten); default: the model's own. */
  dimensions: z.number().int('must be an integer').positive('must be > 0').optional(),
  /** Which text to embed (falls back to conversations when there are no summaries). */
  field: z
    .enum(['summaries', 'conversations'], { error: 'must be "summaries" or "conversations"' })
    .default('summaries'),
  /** Texts per request (OpenAI allows up to 2048). */
  batchSize: z.number().int('must be an integer').min(1, 'must be >= 1').max(2048, 'must be <= 2048').default(64),
  encodingFormat: z.enum(['base64', 'float'], { error: 'must be "base64" or "float"' }).default('base64'),
});

/** Options of embed/openai. */
export type OpenAiEmbedOptions = ApiStageOptions & z.infer<typeof optionsSchema>;

/** Decode one embedding as the server sent it: a base64 string of float32 LE, or an array of numbers. */
export function decodeEmbedding(e: unknown): Float32Array {
  if (typeof e === 'string') {
    const buf = Buffer.from(e, 'base64');
    if (buf.length === 0 || buf.length % 4 !== 0)
      throw new Error(`base64 embedding decodes to ${buf.length} bytes, not a whole number of float32s`);
    const v = new Float32Array(buf.length / 4);
    new Uint8Array(v.buffer).set(buf);
    return v;
  }
  if (Array.isArray(e) && e.every((x) => typeof x === 'number')) return Float32Array.from(e);
  throw new Error(`embedding is neither a base64 string nor an array of numbers (got ${typeof e})`);
}

/** Failure kinds that may be one item's fault (a bad answer, a rejected input), worth retrying item by item. */
const ITEM_SPECIFIC_FAILURE = /^(malformed|http400|http413|http422|other)$/;

function normalise(v: Float32Array): void {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  const norm = Math.sqrt(s);
  if (norm > 0 && Math.abs(norm - 1) > 1e-6) for (let k = 0; k < v.length; k++) v[k] /= norm;
}

/** Run the stage (exported for tests, which call it without a worker). */
export async function embedWithOpenAi(
  input: PipelineData,
  o: OpenAiEmbedOptions,
  ctx: StageContext,
): Promise<Partial<PipelineData>> {
  const col = o.field === 'summaries' ? (input.summaries ?? input.conversations) : input.conversations;
  if (!col) throw new Error('embed/openai needs summaries or conversations');
  const n = textCount(col);
  const client = createCountingClient(o, ctx);
  const tokenizer = await loadTokenCounter(encodingForModel(o.model));
  const cache = o.cache
    ? new VectorCache(join(o.cacheDir, `embeddings-${safeFileName(o.model)}-${o.dimensions ?? 'default'}.bin`))
    : undefined;
  const rows = new Array<Float32Array | undefined>(n);
  const keys = new Array<Buffer>(n);
  const misses: number[] = [];
  const source = answerSource(o);
  const failureLog = failureLogPath(o, 'embed/openai');
  const kinds = new Map<string, number>();
  let failed = 0;
  let firstError: string | undefined;
  const fail = (idx: number[], kind: string, message: string): void => {
    failed += idx.length;
    firstError ??= `${idx.length > 1 ? `batch of items ${idx[0]}..${idx[idx.length - 1]}` : `item ${idx[0]}`}: ${kind}: ${message}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + idx.length);
    ctx.count(API_COUNTERS.errors, idx.length);
    ctx.count(`${API_COUNTERS.errors}.${kind}`, idx.length);
    for (const i of idx)
      logFailure(failureLog, { stage: 'embed/openai', model: o.model, item: i, kind, message, scale: n });
  };
  for (let i = 0; i < n; i++) {
    const text = textAt(col, i);
    if (text.trim().length === 0) {
      // The API rejects empty input and the row would stay zero: a failure against the budget, not a silent zero row.
      ctx.count('emptyInputs');
      fail(
        [i],
        'emptyInput',
        `empty ${col === input.summaries ? 'summary' : 'conversation'} (an upstream failure?): its embedding row would be zero`,
      );
      continue;
    }
    keys[i] = cacheKey([source, o.model, o.dimensions ?? null, text]);
    const hit = cache?.get(keys[i]);
    if (hit) {
      rows[i] = hit;
      ctx.count(API_COUNTERS.cacheHits);
    } else {
      if (cache) ctx.count(API_COUNTERS.cacheMisses);
      misses.push(i);
    }
  }
  let batchesDone = 0;
  const limit = pLimit(o.concurrency);
  const batches: number[][] = [];
  for (let b = 0; b < misses.length; b += o.batchSize) batches.push(misses.slice(b, b + o.batchSize));

  // One request for idx; a wrong count or an undecodable vector is malformed (retried).
  const call = async (idx: number[]): Promise<void> => {
    const texts = idx.map((i) => textAt(col, i));
    const t0 = performance.now();
    const res = await client.embeddings.create({
      model: o.model,
      input: texts,
      encoding_format: o.encodingFormat,
      ...(o.dimensions !== undefined ? { dimensions: o.dimensions } : {}),
    });
    if (!Array.isArray(res?.data) || res.data.length !== texts.length)
      throw new MalformedAnswerError(
        `asked for ${texts.length} embeddings, got ${Array.isArray(res?.data) ? res.data.length : 'none'}`,
      );
    let vecs: Float32Array[];
    try {
      vecs = [...res.data].sort((a, b) => a.index - b.index).map((d) => decodeEmbedding(d.embedding as unknown));
    } catch (e) {
      throw new MalformedAnswerError((e as Error).message);
    }
    ctx.observe(API_OBSERVATIONS.latencyMs, performance.now() - t0);
    ctx.count(TOKENS_EMBEDDING, res.usage?.prompt_tokens ?? texts.reduce((s, t) => s + tokenizer.count(t), 0));
    ctx.count('embeddings', texts.length);
    vecs.forEach((v, j) => {
      normalise(v);
      rows[idx[j]] = v;
      cache?.put(keys[idx[j]], v);
    });
  };

  const one = async (idx: number[]): Promise<void> => {
    try {
      await retryMalformed(() => call(idx), o.maxRetries, ctx);
    } catch (err) {
      const kind = kindOf(err);
      // An endpoint that is down or throttling fails every item alike: splitting would only multiply the requests.
      if (idx.length === 1 || !ITEM_SPECIFIC_FAILURE.test(kind)) {
        fail(idx, kind, (err as Error)?.message ?? String(err));
        return;
      }
      // One bad text (or one bad answer) must not cost the whole batch: retry its items one by one.
      ctx.count('batchesSplit');
      for (const i of idx) {
        try {
          await retryMalformed(() => call([i]), o.maxRetries, ctx);
        } catch (e) {
          fail([i], kindOf(e), (e as Error)?.message ?? String(e));
        }
      }
    } finally {
      if (++batchesDone % 10 === 0) ctx.sample(`batch ${batchesDone}/${batches.length}`);
    }
  };

  const phase0 = performance.now();
  try {
    await Promise.all(batches.map((b) => limit(() => one(b))));
  } finally {
    cache?.close();
    ctx.count(API_COUNTERS.callPhaseMs, performance.now() - phase0);
  }
  enforceFailureBudget('embed/openai', failed, n, o.failureBudget, kinds, firstError);
  const dims = rows.find((r) => r !== undefined)?.length ?? o.dimensions;
  if (dims === undefined)
    throw new Error(
      'embed/openai: no text could be embedded (all empty or failed), so the output dimension is unknown; set options.dimensions',
    );
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!r) continue;
    if (r.length !== dims)
      throw new Error(`embed/openai: item ${i} has ${r.length} dims, others ${dims} (mixed models or dimensions?)`);
    data.set(r, i * dims);
  }
  const embeddings: Matrix = { rows: n, cols: dims, data };
  return { embeddings };
}

export const openAiEmbedder: StageDefinition<OpenAiEmbedOptions> = {
  kind: 'embed',
  method: 'openai',
  reads: ['summaries', 'conversations'],
  writes: ['embeddings'],
  usesApi: true,
  options: optionsSchema,
  run: (input, o, ctx) => embedWithOpenAi(input, o, ctx),
};
