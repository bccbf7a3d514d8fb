/**
 * embed/tfidf: TF-IDF with the IDF fitted on the scale's own texts, projected to a dense matrix. Terms are lower-cased
 * words (unigrams, and bigrams at half weight), stop words of en/es/de dropped; tf is sublinear (1 + ln tf); idf is
 * scikit-learn's smooth idf, ln((1 + n) / (1 + df)) + 1. The sparse vector is projected by a sparse random projection
 * (Achlioptas 2003; each term hashed to `nonzeros` signed coordinates of `dims`), which keeps cosines within a few
 * percent at 1,024 dims, then L2-normalised. Not `splittable`: the IDF looks across all rows.
 */
import type { Matrix, PipelineData, StageContext, StageDefinition, TextColumn } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
import { STOP_WORDS } from './stop-words.js';
import { fnv1a } from '../../support/fnv1a-hash.js';
import { booleanOption, integerOption, textFieldOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the TF-IDF embedder. */
export interface TfidfOptions {
  field: 'summaries' | 'conversations';
  dims: number;
  /** Signed coordinates per term in the projection. */
  nonzeros: number;
  bigrams: boolean;
  /** Terms in fewer texts than this are dropped (1 keeps all). */
  minDf: number;
}

const WORD = /\p{L}[\p{L}\p{N}'-]*|\p{N}+/gu;

function terms(text: string, bigrams: boolean): Map<string, number> {
  const ws = (text.toLowerCase().match(WORD) ?? []).filter((w) => !STOP_WORDS.has(w) && w.length > 1);
  const tf = new Map<string, number>();
  for (let j = 0; j < ws.length; j++) {
    tf.set(ws[j], (tf.get(ws[j]) ?? 0) + 1);
    if (bigrams && j + 1 < ws.length) {
      const b = ws[j] + ' ' + ws[j + 1];
      tf.set(b, (tf.get(b) ?? 0) + 1);
    }
  }
  return tf;
}

/** TF-IDF + sparse random projection of every text; n x dims, L2-normalised. Exported for benches and tests. */
export function tfidfEmbed(col: TextColumn, o: Omit<TfidfOptions, 'field'>, onBatch?: (done: number) => void): Matrix {
  const n = textCount(col);
  // Pass 1: document frequency per term id.
  const ids = new Map<string, number>();
  const df: number[] = [];
  const docs = new Array<{ t: Int32Array; c: Float32Array }>(n);
  for (let i = 0; i < n; i++) {
    const tf = terms(textAt(col, i), o.bigrams);
    const t = new Int32Array(tf.size);
    const c = new Float32Array(tf.size);
    let j = 0;
    for (const [w, count] of tf) {
      let id = ids.get(w);
      if (id === undefined) {
        id = df.length;
        ids.set(w, id);
        df.push(0);
      }
      df[id]++;
      t[j] = id;
      c[j++] = (1 + Math.log(count)) * (w.includes(' ') ? 0.5 : 1);
    }
    docs[i] = { t, c };
  }
  const idf = new Float32Array(df.length);
  for (let id = 0; id < df.length; id++) idf[id] = df[id] < o.minDf ? 0 : Math.log((1 + n) / (1 + df[id])) + 1;
  // Projection coordinates and signs per term, from the term's own hash (the same term maps the same way in any run).
  const s = o.nonzeros;
  const coord = new Int32Array(df.length * s);
  const sign = new Float32Array(df.length * s);
  for (const [w, id] of ids) {
    for (let r = 0; r < s; r++) {
      const h = fnv1a(w, r + 1);
      coord[id * s + r] = h % o.dims;
      sign[id * s + r] = h & 0x80000000 ? -1 : 1;
    }
  }
  const data = new Float32Array(n * o.dims);
  for (let i = 0; i < n; i++) {
    const { t, c } = docs[i];
    const row = i * o.dims;
    for (let j = 0; j < t.length; j++) {
      const v = c[j] * idf[t[j]];
      if (v === 0) continue;
      const base = t[j] * s;
      for (let r = 0; r < s; r++) data[row + coord[base + r]] += sign[base + r] * v;
    }
    let norm = 0;
    for (let k = 0; k < o.dims; k++) norm += data[row + k] * data[row + k];
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < o.dims; k++) data[row + k] *= inv;
    }
    if (onBatch && (i + 1) % 5000 === 0) onBatch(i + 1);
  }
  return { rows: n, cols: o.dims, data };
}

/** embed/tfidf's options as the profile gives them. */
export const tfidfOptions = z.strictObject({
  field: textFieldOption(),
  dims: integerOption(2).default(1024),
  nonzeros: integerOption(1, 64).default(4),
  bigrams: booleanOption().default(true),
  minDf: integerOption(1).default(1),
});

export const tfidfEmbedder: StageDefinition<TfidfOptions> = {
  kind: 'embed',
  method: 'tfidf',
  reads: ['summaries', 'conversations'],
  writes: ['embeddings'],
  options: tfidfOptions,
  run(input: PipelineData, opts: TfidfOptions, ctx: StageContext) {
    const col = opts.field === 'summaries' ? (input.summaries ?? input.conversations) : input.conversations;
    if (!col) throw new Error('embed/tfidf needs summaries or conversations');
    return { embeddings: tfidfEmbed(col, opts, (done) => ctx.sample(`${done}/${textCount(col)}`)) };
  },
};
