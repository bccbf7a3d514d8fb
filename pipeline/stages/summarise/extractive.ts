/**
 * summarise/extractive: a local, offline summariser. Picks the highest-scoring sentences of the user's turns by
 * average term frequency over the conversation (a classic Luhn-style extract), keeps them in order.
 */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { packTexts, textAt, textCount } from '../../support/text-column.js';

/** Options for the extractive summariser. */
export interface ExtractiveOptions {
  /** Sentences kept per summary. */
  sentences: number;
  /** Hard cap on summary length in characters. */
  maxChars: number;
}

const STOP = new Set(
  'the a an and or but if of to in on for with at by from is are was were be been it this that i you we they he she me my your our can could would should will do does did have has had not no so as just about what how please thanks thank hi hello'.split(' '),
);

function words(s: string): string[] {
  return s.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? [];
}

/** Summarise one flattened conversation ("role: content" lines). Exported for tests. */
export function summariseText(text: string, opts: ExtractiveOptions): string {
  const lines = text.split('\n');
  const userText = lines.filter((l) => l.startsWith('user:')).map((l) => l.slice(5)).join(' ');
  const source = userText.trim().length > 0 ? userText : text;
  const sentences = source.split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (sentences.length <= opts.sentences) return sentences.join(' ').slice(0, opts.maxChars);
  const tf = new Map<string, number>();
  for (const w of words(text)) if (!STOP.has(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
  const scored = sentences.map((s, i) => {
    const ws = words(s).filter((w) => !STOP.has(w));
    const score = ws.length === 0 ? 0 : ws.reduce((acc, w) => acc + (tf.get(w) ?? 0), 0) / Math.sqrt(ws.length);
    return { i, s, score };
  });
  const top = scored.sort((a, b) => b.score - a.score || a.i - b.i).slice(0, opts.sentences).sort((a, b) => a.i - b.i);
  return top.map((t) => t.s).join(' ').slice(0, opts.maxChars);
}

export const extractiveSummariser: StageDefinition<ExtractiveOptions> = {
  kind: 'summarise',
  method: 'extractive',
  reads: ['conversations'],
  writes: ['summaries'],
  // Each summary depends only on its own conversation: rows can be split across workers and streamed in batches.
  splittable: true,
  parseOptions(raw) {
    const sentences = raw.sentences ?? 3;
    const maxChars = raw.maxChars ?? 600;
    if (!Number.isInteger(sentences) || (sentences as number) < 1) throw new Error('sentences: must be a positive integer');
    if (!Number.isInteger(maxChars) || (maxChars as number) < 16) throw new Error('maxChars: must be an integer >= 16');
    return { sentences: sentences as number, maxChars: maxChars as number };
  },
  run(input: PipelineData, opts: ExtractiveOptions, ctx: StageContext) {
    const col = input.conversations;
    if (!col) throw new Error('summarise/extractive needs conversations');
    const n = textCount(col);
    const out = new Array<string>(n);
    const batch = Math.max(1000, Math.ceil(n / 20));
    for (let i = 0; i < n; i++) {
      out[i] = summariseText(textAt(col, i), opts);
      if ((i + 1) % batch === 0) ctx.sample(`${i + 1}/${n}`);
    }
    return { summaries: packTexts(out) };
  },
};
