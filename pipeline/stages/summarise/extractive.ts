/**
 * summarise/extractive: a local, offline summariser. Picks the highest-scoring sentences of the user's turns by
 * average term frequency (a classic Luhn-style extract), keeps them in order. Term frequencies are weighted by role
 * (user turns count `userWeight`, assistant turns `assistantWeight`, default 0), so the same user prompts give the same
 * summary whatever the assistant answered; sentences come from the roles with a positive weight. Quoted or retrieved
 * context is dropped first (code fences, `>` quotes, `Context:` / `Document:` / `Retrieved ...:` / `Sources:` blocks
 * and <context>/<document> tags) unless `keepContext`, so a RAG log's summary is its question, not its document.
 */
import type { PipelineData, StageContext, StageDefinition } from '../../contracts.js';
import { packTexts, textAt, textCount } from '../../support/text-column.js';
import { booleanOption, integerOption, numberOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for the extractive summariser. */
export interface ExtractiveOptions {
  /** Sentences kept per summary. */
  sentences: number;
  /** Hard cap on summary length in characters. */
  maxChars: number;
  /** Weight of user turns in term frequencies (and whether their sentences are candidates: > 0). */
  userWeight: number;
  /** Weight of assistant turns; 0 (default) = the summary depends on the user's turns alone. */
  assistantWeight: number;
  /** Keep quoted and retrieved context blocks (default false: drop them). */
  keepContext: boolean;
}

/** The role weighting and context dropping defaults, for callers of summariseText outside the stage. */
export const EXTRACTIVE_ROLE_DEFAULTS = { userWeight: 1, assistantWeight: 0, keepContext: false } as const;

const STOP = new Set(
  'the a an and or but if of to in on for with at by from is are was were be been it this that i you we they he she me my your our can could would should will do does did have has had not no so as just about what how please thanks thank hi hello'.split(
    ' ',
  ),
);

function words(s: string): string[] {
  return s.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? [];
}

// A labelled context block runs to the next question marker or the end of the turn. Flattening ("role: content"
// lines) has already joined a message's lines, so block ends are found by these markers, not by blank lines.
const QUESTION = '(?=\\b(?:question|query|user question|my question|task)\\s*:|$)';
// Only as a label at the turn start or after a sentence end: "For context: ..." inside a sentence is the user's own.
const CONTEXT_BLOCK = new RegExp(
  `(?<=^|[.!?]\\s+)(?:context|contexts|document|documents|retrieved(?: [a-z]+)?|sources|passages?|search results)\\s*:[\\s\\S]*?${QUESTION}`,
  'giu',
);
const TAGGED = /<(context|document|documents|retrieved|source|search_results)\b[^>]*>[\s\S]*?(?:<\/\1>|$)/giu;
const FENCE = /```[\s\S]*?(?:```|$)/gu;
// A `>` quote (at the turn start or after a sentence end) up to its own sentence end: its line end was lost in flattening.
const QUOTE = /(^|[.!?:]\s+|\s{2,})>\s[^.!?]*[.!?]?/gu;

/** A turn with its quoted/retrieved context removed (the turn unchanged when nothing else would remain). Exported for tests. */
export function dropContext(content: string): string {
  const out = content
    .replace(TAGGED, ' ')
    .replace(FENCE, ' ')
    .replace(CONTEXT_BLOCK, ' ')
    .replace(QUOTE, '$1 ')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > 0 ? out : content;
}

/** Summarise one flattened conversation ("role: content" lines). Exported for tests. */
export function summariseText(text: string, opts: ExtractiveOptions): string {
  const turns: { weight: number; content: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(user|assistant|system|tool|human|ai|bot)\s*:\s?/i.exec(line);
    const role = m?.[1].toLowerCase();
    const weight =
      role === 'user' || role === 'human'
        ? opts.userWeight
        : role === 'assistant' || role === 'ai' || role === 'bot'
          ? opts.assistantWeight
          : 0;
    const content = m ? line.slice(m[0].length) : line;
    turns.push({ weight, content: opts.keepContext ? content : dropContext(content) });
  }
  let weighted = turns.filter((t) => t.weight > 0 && t.content.trim().length > 0);
  // No user (or weighted) turn at all: an unlabelled text is summarised as a whole.
  if (weighted.length === 0) weighted = [{ weight: 1, content: opts.keepContext ? text : dropContext(text) }];
  const sentences = weighted
    .flatMap((t) => t.content.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (sentences.length <= opts.sentences) return sentences.join(' ').slice(0, opts.maxChars);
  const tf = new Map<string, number>();
  for (const t of turns) {
    if (t.weight <= 0) continue;
    for (const w of words(t.content)) if (!STOP.has(w)) tf.set(w, (tf.get(w) ?? 0) + t.weight);
  }
  if (tf.size === 0)
    for (const t of weighted) for (const w of words(t.content)) if (!STOP.has(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
  const scored = sentences.map((s, i) => {
    const ws = words(s).filter((w) => !STOP.has(w));
    const score = ws.length === 0 ? 0 : ws.reduce((acc, w) => acc + (tf.get(w) ?? 0), 0) / Math.sqrt(ws.length);
    return { i, s, score };
  });
  const top = scored
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, opts.sentences)
    .sort((a, b) => a.i - b.i);
  return top
    .map((t) => t.s)
    .join(' ')
    .slice(0, opts.maxChars);
}

export const extractiveSummariser: StageDefinition<ExtractiveOptions> = {
  kind: 'summarise',
  method: 'extractive',
  reads: ['conversations'],
  writes: ['summaries'],
  // Each summary depends only on its own conversation: rows can be split across workers and streamed in batches.
  splittable: true,
  options: z
    .strictObject({
      sentences: integerOption(1).default(3),
      maxChars: integerOption(16).default(600),
      userWeight: numberOption(0).default(EXTRACTIVE_ROLE_DEFAULTS.userWeight),
      assistantWeight: numberOption(0).default(EXTRACTIVE_ROLE_DEFAULTS.assistantWeight),
      keepContext: booleanOption().default(EXTRACTIVE_ROLE_DEFAULTS.keepContext),
    })
    .refine((o) => o.userWeight > 0 || o.assistantWeight > 0, {
      path: ['userWeight'],
      message: 'userWeight and assistantWeight are both 0; at least one must be > 0',
    }),
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
