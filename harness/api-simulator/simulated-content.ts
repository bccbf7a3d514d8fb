/**
 * What the simulator says: Clio-style summaries derived from the prompt's conversation (request, task, one
 * paragraph), and embeddings that are stable per seed and text. Embeddings are the hashing embedder's vector plus
 * a little seeded noise, so related texts stay close (sweeps against the simulator still score meaningful ARI).
 */
import { hashEmbed } from '../../pipeline/stages/embed/hashing.js';
import { EXTRACTIVE_ROLE_DEFAULTS, summariseText } from '../../pipeline/stages/summarise/extractive.js';
import { deriveSeed, gaussian, mulberry32 } from '../../pipeline/support/seeded-random.js';
import { packTexts } from '../../pipeline/support/text-column.js';

const COMMON = new Set(
  'that this with have from your what there their about would could should which when where will just like need help want know please thanks thank hello user assistant sure here some them they then into also does been more very make good question quick stuck something today'.split(
    ' ',
  ),
);

function keywords(text: string, k: number): string[] {
  const freq = new Map<string, number>();
  for (const w of text.toLowerCase().match(/\p{L}[\p{L}'-]{3,}/gu) ?? [])
    if (!COMMON.has(w)) freq.set(w, (freq.get(w) ?? 0) + 1);
  return [...freq.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([w]) => w);
}

const REQUESTS = [
  'The user asks for help with {a} and {b}.',
  'The user wants to sort out a problem involving {a} and {b}.',
  'The user is looking for guidance on {a}, mentioning {b}.',
];
const TASKS = [
  'Explain how {a} works and give concrete next steps for {b}.',
  'Diagnose the {a} issue and suggest a fix involving {b}.',
  'Provide a step-by-step answer about {a} with an example of {b}.',
];
const CLOSERS = [
  'The assistant gives a short, practical answer.',
  'The assistant walks through the options and recommends one.',
  'The assistant explains the steps and offers an example.',
];

/** The conversation inside the prompt: the text between <conversation> tags if present, else every message. */
function conversationOf(messages: { role: string; content: string }[]): string {
  const all = messages.map((m) => m.content).join('\n');
  const m = /<conversation>([\s\S]*?)<\/conversation>/i.exec(all);
  return (
    m
      ? m[1]
      : messages
          .filter((x) => x.role !== 'system')
          .map((x) => x.content)
          .join('\n')
  ).trim();
}

/** A plausible Clio/Kura-style summary of the conversation in `messages`; deterministic per seed and text. */
export function simulatedSummary(messages: { role: string; content: string }[], seed: number): string {
  const conv = conversationOf(messages);
  const rand = mulberry32(deriveSeed(seed, conv));
  const pick = (xs: string[]): string => xs[Math.floor(rand() * xs.length)];
  const [a = 'their question', b = 'the details'] = keywords(conv, 2);
  const fill = (s: string): string => s.replace('{a}', a).replace('{b}', b);
  const extract = summariseText(conv, { sentences: 2, maxChars: 320, ...EXTRACTIVE_ROLE_DEFAULTS })
    .replace(/\b(user|assistant):\s*/g, '')
    .trim();
  return [
    `Request: ${fill(pick(REQUESTS))}`,
    `Task: ${fill(pick(TASKS))}`,
    `Summary: The user writes about ${a} and ${b}${extract ? `: "${extract}"` : '.'} ${pick(CLOSERS)}`,
  ].join('\n');
}

/** Default output dimensions per embedding model; unknown models get 256. */
export function defaultEmbeddingDims(model: string): number {
  if (model.includes('3-large')) return 3072;
  if (model.includes('3-small') || model.includes('ada-002')) return 1536;
  return 256;
}

/** Stable unit vectors (row-major n x dims) for `texts`, per seed. */
export function simulatedEmbeddings(texts: string[], dims: number, seed: number): Float32Array {
  const m = hashEmbed(packTexts(texts), { dims, field: 'summaries', bigrams: true });
  const noise = 0.3 / Math.sqrt(dims);
  for (let i = 0; i < texts.length; i++) {
    const rand = mulberry32(deriveSeed(seed, texts[i]));
    const row = m.data.subarray(i * dims, (i + 1) * dims);
    let norm = 0;
    for (let k = 0; k < dims; k++) {
      row[k] += noise * gaussian(rand);
      norm += row[k] * row[k];
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < dims; k++) row[k] /= norm;
  }
  return m.data;
}
