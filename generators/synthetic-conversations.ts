/**
 * The synthetic conversation generator (first, small version): seeded, streaming, with a ground-truth intent.
 * Same seed and options give the same conversations; the first n of a larger run equal a run of n, so sweep
 * scales are nested.
 */
import type { Conversation, Message } from '../harness/types.js';
import { mulberry32 } from '../pipeline/seeded-random.js';

/** Options for the generator. */
export interface GeneratorOptions {
  n: number;
  seed: number;
  /** Conversations per yielded batch. */
  batchSize?: number;
  /** 0 = intents use disjoint vocabulary, 1 = heavy overlap. */
  difficulty?: number;
}

interface Intent { domain: string; intent: string; terms: string[] }

const INTENTS: Intent[] = [
  { domain: 'billing', intent: 'billing/refund-request', terms: ['refund', 'charged', 'twice', 'money', 'back', 'invoice', 'payment', 'reverse'] },
  { domain: 'billing', intent: 'billing/update-card', terms: ['card', 'expired', 'update', 'credit', 'billing', 'details', 'visa', 'declined'] },
  { domain: 'coding', intent: 'coding/python-sorting', terms: ['python', 'sort', 'list', 'sorted', 'key', 'lambda', 'order', 'dictionary'] },
  { domain: 'coding', intent: 'coding/sql-join', terms: ['sql', 'join', 'table', 'query', 'left', 'rows', 'postgres', 'foreign'] },
  { domain: 'travel', intent: 'travel/change-booking', terms: ['flight', 'booking', 'change', 'date', 'airline', 'reschedule', 'ticket', 'fee'] },
  { domain: 'travel', intent: 'travel/hotel-recommendation', terms: ['hotel', 'stay', 'neighbourhood', 'budget', 'nights', 'breakfast', 'area', 'rooms'] },
  { domain: 'health', intent: 'health/sleep-advice', terms: ['sleep', 'insomnia', 'night', 'tired', 'melatonin', 'bedtime', 'caffeine', 'rest'] },
  { domain: 'cooking', intent: 'cooking/bread-recipe', terms: ['bread', 'dough', 'yeast', 'flour', 'knead', 'oven', 'rise', 'sourdough'] },
  { domain: 'writing', intent: 'writing/cover-letter', terms: ['cover', 'letter', 'job', 'application', 'resume', 'hiring', 'manager', 'position'] },
  { domain: 'math', intent: 'math/derivatives', terms: ['derivative', 'function', 'calculus', 'slope', 'chain', 'rule', 'limit', 'tangent'] },
  { domain: 'devops', intent: 'devops/docker-networking', terms: ['docker', 'container', 'network', 'port', 'compose', 'bridge', 'expose', 'dns'] },
  { domain: 'finance', intent: 'finance/budget-planning', terms: ['budget', 'savings', 'expenses', 'monthly', 'income', 'spending', 'plan', 'debt'] },
];

const SHARED = ['help', 'issue', 'question', 'problem', 'work', 'need', 'understand', 'example', 'explain', 'best', 'way', 'today'];
const OPENERS = ['Hi, I need some help.', 'Hello there.', 'Quick question.', 'Can you help me?', 'I am stuck on something.'];
const ASSIST = ['Sure, here is what I suggest.', 'Good question.', 'Let me walk you through it.', 'Here is one way to do it.'];

/** The ground-truth intents this generator can emit, in id order. */
export function generatorIntents(): string[] {
  return INTENTS.map((i) => i.intent);
}

function sentence(rand: () => number, terms: string[], difficulty: number, len: number): string {
  const ws: string[] = [];
  for (let i = 0; i < len; i++) {
    const pool = rand() < difficulty ? INTENTS[Math.floor(rand() * INTENTS.length)].terms : rand() < 0.3 ? SHARED : terms;
    ws.push(pool[Math.floor(rand() * pool.length)]);
  }
  const s = ws.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + (rand() < 0.3 ? '?' : '.');
}

function makeConversation(index: number, seed: number, difficulty: number): Conversation {
  const rand = mulberry32((seed * 1000003 + index * 7919) >>> 0);
  const it = INTENTS[Math.floor(rand() * INTENTS.length)];
  const turns = 1 + Math.floor(rand() * 4);
  const messages: Message[] = [];
  for (let t = 0; t < turns; t++) {
    const us = [t === 0 ? OPENERS[Math.floor(rand() * OPENERS.length)] : 'Thanks.'];
    for (let s = 0; s < 2 + Math.floor(rand() * 3); s++) us.push(sentence(rand, it.terms, difficulty, 6 + Math.floor(rand() * 8)));
    messages.push({ role: 'user', content: us.join(' ') });
    const as = [ASSIST[Math.floor(rand() * ASSIST.length)]];
    for (let s = 0; s < 3 + Math.floor(rand() * 3); s++) as.push(sentence(rand, it.terms, difficulty, 8 + Math.floor(rand() * 8)));
    messages.push({ role: 'assistant', content: as.join(' ') });
  }
  return { id: `syn-${seed}-${index}`, messages, truth: { domain: it.domain, intent: it.intent, language: 'en', flags: [] } };
}

/** Stream n conversations in batches. */
export async function* generateConversations(opts: GeneratorOptions): AsyncGenerator<Conversation[]> {
  const batch = opts.batchSize ?? 1000;
  const difficulty = opts.difficulty ?? 0.1;
  for (let start = 0; start < opts.n; start += batch) {
    const out: Conversation[] = [];
    for (let i = start; i < Math.min(opts.n, start + batch); i++) out.push(makeConversation(i, opts.seed, difficulty));
    yield out;
  }
}
