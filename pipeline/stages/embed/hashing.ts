/**
 * embed/hashing: the fast local embedder. Signed feature hashing (FNV-1a) of word unigrams and bigrams with
 * sublinear term frequency, L2-normalised. No model, no network, linear in text size: the 1M-scale default.
 */
import type { Matrix, PipelineData, StageContext, StageDefinition, TextColumn } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
import { fnv1a } from '../../support/fnv1a-hash.js';
import { booleanOption, integerOption, textFieldOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the hashing embedder. */
export interface HashingOptions {
  dims: number;
  /** Which text to embed. */
  field: 'summaries' | 'conversations';
  bigrams: boolean;
}

/** Embed every text of a column into an n x dims L2-normalised matrix. Exported for benches and tests. */
export function hashEmbed(col: TextColumn, opts: HashingOptions, onBatch?: (done: number) => void): Matrix {
  const n = textCount(col);
  const { dims } = opts;
  const data = new Float32Array(n * dims);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const ws =
      textAt(col, i)
        .toLowerCase()
        .match(/\p{L}[\p{L}\p{N}'-]*|\p{N}+/gu) ?? [];
    counts.clear();
    for (let j = 0; j < ws.length; j++) {
      const h = fnv1a(ws[j], 0);
      counts.set(h, (counts.get(h) ?? 0) + 1);
      if (opts.bigrams && j + 1 < ws.length) {
        const hb = fnv1a(ws[j] + ' ' + ws[j + 1], 7);
        counts.set(hb, (counts.get(hb) ?? 0) + 0.5);
      }
    }
    const row = i * dims;
    for (const [h, c] of counts) {
      const sign = h & 0x80000000 ? -1 : 1;
      data[row + (h % dims)] += sign * (1 + Math.log(c));
    }
    let norm = 0;
    for (let k = 0; k < dims; k++) norm += data[row + k] * data[row + k];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < dims; k++) data[row + k] /= norm;
    if (onBatch && (i + 1) % 2000 === 0) onBatch(i + 1);
  }
  return { rows: n, cols: dims, data };
}

export const hashingEmbedder: StageDefinition<HashingOptions> = {
  kind: 'embed',
  method: 'hashing',
  reads: ['summaries', 'conversations'],
  writes: ['embeddings'],
  splittable: true,
  options: z.strictObject({
    dims: integerOption(2).default(256),
    field: textFieldOption(),
    bigrams: booleanOption().default(true),
  }),
  run(input: PipelineData, opts: HashingOptions, ctx: StageContext) {
    const col = opts.field === 'summaries' ? (input.summaries ?? input.conversations) : input.conversations;
    if (!col) throw new Error('embed/hashing needs summaries or conversations');
    return { embeddings: hashEmbed(col, opts, (done) => ctx.sample(`${done}`)) };
  },
};
