/**
 * embed/transformers: a sentence-embedding model in ONNX format from a local folder, run by @huggingface/transformers
 * (transformers.js 4, onnxruntime-node on the CPU) with its feature-extraction pipeline: mean pooling over the attention mask, then L2
 * normalisation. Remote downloads are switched off (env.allowRemoteModels = false): the folder must hold the files
 * of a Hugging Face "Xenova/..." export, e.g. Xenova/all-MiniLM-L6-v2 (384-d). onnxruntime-node loads and runs inside
 * piscina worker threads (test/embed-transformers.test.ts splits across 2); N workers each use ORT's default intra-op
 * threads: measure before raising `workers`.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Matrix, PipelineData, StageContext, StageDefinition, TextColumn } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
import { countColumnTokens, loadTokenCounter, TOKENS_EMBEDDING } from '../../api/token-counter.js';
import { booleanOption, enumOption, integerOption, textFieldOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the transformers embedder. */
export interface TransformersOptions {
  /** Absolute path of the model folder (resolved from the profile's value against the working directory). */
  modelDir: string;
  /** Which ONNX file: onnx/model_quantized.onnx (true) or onnx/model.onnx (false). */
  quantized: boolean;
  pooling: 'mean' | 'cls';
  field: 'summaries' | 'conversations';
  batchSize: number;
  /** Count the texts' cl100k_base tokens as tokens.embedding (what an API embedder would bill). */
  countTokens: boolean;
}

/** The files a model folder must hold, relative to it. */
export const REQUIRED_MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;
const onnxFile = (quantized: boolean): string => (quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx');

/** Check a model folder; the error names every missing file and what the folder should look like. */
export function checkModelDir(dir: string, quantized: boolean | 'auto'): { dir: string; quantized: boolean } {
  const abs = resolve(dir);
  const expected = `expected ${REQUIRED_MODEL_FILES.join(', ')} and onnx/model.onnx (or onnx/model_quantized.onnx), as in a Hugging Face Xenova/* export such as Xenova/all-MiniLM-L6-v2`;
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new Error(`modelDir: ${abs} is not a folder; ${expected}`);
  const q = quantized === 'auto' ? existsSync(join(abs, onnxFile(true))) : quantized;
  const missing = [...REQUIRED_MODEL_FILES, onnxFile(q)].filter((f) => !existsSync(join(abs, f)));
  if (missing.length > 0) throw new Error(`modelDir: ${abs} is missing ${missing.join(', ')}; ${expected}`);
  return { dir: abs, quantized: q };
}

type Extractor = (
  texts: string[],
  o: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;
const extractors = new Map<string, Promise<Extractor>>();

/** Load the feature-extraction pipeline for a folder once per thread. */
export function loadExtractor(opts: Pick<TransformersOptions, 'modelDir' | 'quantized'>): Promise<Extractor> {
  const key = `${opts.modelDir}|${opts.quantized}`;
  let p = extractors.get(key);
  if (!p) {
    p = (async () => {
      const { env, pipeline } = await import('@huggingface/transformers');
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.useFSCache = false;
      // Model ids are paths under localModelPath: point it at the parent folder and name the model by its folder.
      env.localModelPath = dirname(opts.modelDir) + '/';
      return (await pipeline('feature-extraction', basename(opts.modelDir), {
        dtype: opts.quantized ? 'q8' : 'fp32',
        device: 'cpu',
      })) as unknown as Extractor;
    })();
    extractors.set(key, p);
    p.catch(() => extractors.delete(key));
  }
  return p;
}

/** Embed every text of a column: n x hidden, pooled and L2-normalised by the library. Exported for tests. */
export async function transformersEmbed(
  col: TextColumn,
  opts: TransformersOptions,
  onBatch?: (done: number) => void,
): Promise<Matrix> {
  const extract = await loadExtractor(opts);
  const n = textCount(col);
  let data = new Float32Array(0);
  let cols = 0;
  for (let start = 0; start < n; start += opts.batchSize) {
    const end = Math.min(n, start + opts.batchSize);
    const texts: string[] = [];
    for (let i = start; i < end; i++) texts.push(textAt(col, i));
    const out = await extract(texts, { pooling: opts.pooling, normalize: true });
    if (cols === 0) {
      cols = out.dims[out.dims.length - 1];
      data = new Float32Array(n * cols);
    }
    data.set(out.data.subarray(0, (end - start) * cols), start * cols);
    onBatch?.(end);
  }
  return { rows: n, cols, data };
}

export const transformersEmbedder: StageDefinition<TransformersOptions> = {
  kind: 'embed',
  method: 'transformers',
  reads: ['summaries', 'conversations'],
  writes: ['embeddings'],
  splittable: true,
  options: z
    .strictObject({
      modelDir: z
        .string({
          error: (iss) =>
            iss.input === undefined
              ? `is required: a local folder with ${REQUIRED_MODEL_FILES.join(', ')} and onnx/model.onnx (remote models are off)`
              : 'must be the path of a local model folder',
        })
        .min(
          1,
          `is required: a local folder with ${REQUIRED_MODEL_FILES.join(', ')} and onnx/model.onnx (remote models are off)`,
        ),
      quantized: z
        .union([booleanOption(), z.literal('auto')], { error: 'must be true, false or "auto"' })
        .default('auto'),
      pooling: enumOption(['mean', 'cls'], 'must be "mean" or "cls"').default('mean'),
      field: textFieldOption(),
      batchSize: integerOption(1, 4096).default(32),
      countTokens: booleanOption().default(true),
    })
    // The folder is checked (and made absolute) at profile load, so a typo fails before any cell runs.
    .transform((o, ctx) => {
      try {
        const { dir, quantized } = checkModelDir(o.modelDir, o.quantized);
        return { ...o, modelDir: dir, quantized };
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['modelDir'], message: (e as Error).message.replace(/^modelDir: /, '') });
        return z.NEVER;
      }
    }),
  async run(input: PipelineData, opts: TransformersOptions, ctx: StageContext) {
    const col = opts.field === 'summaries' ? (input.summaries ?? input.conversations) : input.conversations;
    if (!col) throw new Error('embed/transformers needs summaries or conversations');
    const t0 = performance.now();
    await loadExtractor(opts);
    ctx.observe('model.loadMs', performance.now() - t0);
    ctx.sample('model loaded');
    const embeddings = await transformersEmbed(col, opts, (done) => ctx.sample(`${done}/${textCount(col)}`));
    if (opts.countTokens) ctx.count(TOKENS_EMBEDDING, countColumnTokens(await loadTokenCounter('cl100k_base'), col));
    return { embeddings };
  },
};
