/**
 * The synthetic conversation generator: seeded, streaming, with ground truth (domain, intent, language, noise
 * flags). The taxonomy (22 domains, 220 intents, 3 languages) and the sentence frames live in generators/data/.
 *
 * Conversation i is built from its own random stream keyed by (seed, i) (conversation-random.ts), so the same seed
 * and options give the same conversations, and the first n conversations of a run of N equal a run of n: sweep
 * scales are nested. Knobs: intent subset and Zipf skew, languages, turn-count distribution (1-12), mean length
 * (about 3.5 KB of raw text by default), style (formal/casual, typos, lists, code blocks), off-topic turns,
 * multi-intent conversations, and `difficulty`, the chance that an intent word is borrowed from a related intent.
 */
import type { Conversation, GroundTruth, Message } from '../pipeline/contracts.js';
import { loadTaxonomy, type LanguageFrames, type TaxonomyIntent, type Template } from './conversation-taxonomy.js';
import { conversationRandom, pick, type Rand } from './conversation-random.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';

/** Options for the generator. Every field but n and seed has a default; profiles pass them as `input.options`. */
export interface GeneratorOptions {
  n: number;
  seed: number;
  /** Conversations per yielded batch (default 1000). */
  batchSize?: number;
  /** 0 = each intent uses its own vocabulary, 1 = every intent word is borrowed from a related intent (default 0.1). */
  difficulty?: number;
  /** Restrict to N intents taken round-robin across domains (so 12 gives 12 domains), or to these intent ids. */
  intents?: number | string[];
  /** Restrict to these domains (applied before `intents`). */
  domains?: string[];
  /** Language codes (equal weights) or weights by code (default { en: 0.6, es: 0.2, de: 0.2 }). */
  languages?: string[] | Record<string, number>;
  /** Zipf exponent over intents: P(rank r) ∝ r^-zipf (default 1; 0 = uniform). */
  zipf?: number;
  /** Turn pairs (user + assistant) per conversation: truncated geometric on [min, max] with this mean (1, 12, 4). */
  turns?: { min?: number; max?: number; mean?: number };
  /** Mean raw text per conversation in bytes (default 3500); individual lengths are log-normal around it. */
  meanBytes?: number;
  /** Log-normal sigma of the length (default 0.5). */
  lengthSpread?: number;
  /** Share of conversations in casual style (default 0.5); the rest are formal. */
  casualRate?: number;
  /** Share with typos in user turns (default 0.1). */
  typoRate?: number;
  /** Share with one off-topic turn pair (default 0.1). */
  offTopicRate?: number;
  /** Share that switch to a second intent part-way (default 0.08). */
  multiIntentRate?: number;
  /** Share of technical conversations whose answer has a code block (default 0.6). */
  codeRate?: number;
  /** Share whose answers use numbered or bulleted lists (default 0.4). */
  listRate?: number;
}

/** Options after defaults and validation. */
export interface ResolvedGeneratorOptions {
  n: number;
  seed: number;
  batchSize: number;
  difficulty: number;
  zipf: number;
  turns: { min: number; max: number; mean: number };
  meanBytes: number;
  lengthSpread: number;
  casualRate: number;
  typoRate: number;
  offTopicRate: number;
  multiIntentRate: number;
  codeRate: number;
  listRate: number;
  /** Active intents, in taxonomy order. */
  intents: TaxonomyIntent[];
  /** Language codes and their probabilities. */
  languages: { code: string; p: number }[];
}

const KNOWN_KEYS = new Set([
  'n',
  'seed',
  'batchSize',
  'difficulty',
  'intents',
  'domains',
  'languages',
  'zipf',
  'turns',
  'meanBytes',
  'lengthSpread',
  'casualRate',
  'typoRate',
  'offTopicRate',
  'multiIntentRate',
  'codeRate',
  'listRate',
]);

function optError(key: string, msg: string): Error {
  return new Error(`generator option "${key}": ${msg}`);
}

function num(raw: Record<string, unknown>, key: string, def: number, min: number, max: number, int = false): number {
  const v = raw[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v)))
    throw optError(key, `must be ${int ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

/** Validate and default generator options; errors name the option. */
export function resolveGeneratorOptions(opts: GeneratorOptions): ResolvedGeneratorOptions {
  const raw = opts as unknown as Record<string, unknown>;
  for (const k of Object.keys(raw))
    if (!KNOWN_KEYS.has(k)) throw optError(k, `unknown option (known: ${[...KNOWN_KEYS].join(', ')})`);
  const tax = loadTaxonomy();
  const n = num(raw, 'n', 0, 0, Number.MAX_SAFE_INTEGER, true);
  const seed = num(raw, 'seed', 0, -(2 ** 53), 2 ** 53, true);
  let pool = tax.intents;
  if (opts.domains !== undefined) {
    if (!Array.isArray(opts.domains) || opts.domains.length === 0)
      throw optError('domains', 'must be a non-empty list of domain ids');
    for (const d of opts.domains)
      if (!tax.domains.includes(d))
        throw optError('domains', `unknown domain "${d}" (known: ${tax.domains.join(', ')})`);
    pool = pool.filter((i) => opts.domains!.includes(i.domain));
  }
  if (typeof opts.intents === 'number') {
    if (!Number.isInteger(opts.intents) || opts.intents < 1 || opts.intents > pool.length)
      throw optError('intents', `must be an integer in [1, ${pool.length}] or a list of intent ids`);
    // Round-robin across domains: the first intent of each domain, then the second, ... so N <= domains gives N domains.
    const chosen = [...pool]
      .sort((a, b) => a.rankInDomain - b.rankInDomain || a.index - b.index)
      .slice(0, opts.intents);
    pool = chosen.sort((a, b) => a.index - b.index);
  } else if (opts.intents !== undefined) {
    if (!Array.isArray(opts.intents) || opts.intents.length === 0)
      throw optError(
        'intents',
        'must be a positive integer or a non-empty list of intent ids like "billing/refund-request"',
      );
    const byId = new Map(pool.map((i) => [i.id, i]));
    for (const id of opts.intents) {
      if (byId.has(id)) continue;
      // Name the valid ids of the domain the user meant, so the fix is a copy-paste away.
      const sameDomain = pool.filter((i) => i.domain === String(id).split('/')[0]).map((i) => i.id);
      const hint = sameDomain.length
        ? `known in this domain: ${sameDomain.join(', ')}`
        : `ids look like "billing/refund-request"; domains: ${tax.domains.join(', ')}`;
      throw optError('intents', `unknown intent "${id}" (${hint})`);
    }
    pool = pool.filter((i) => (opts.intents as string[]).includes(i.id));
  }
  const lw = opts.languages ?? { en: 0.6, es: 0.2, de: 0.2 };
  const entries = Array.isArray(lw) ? lw.map((c) => [c, 1] as [string, number]) : Object.entries(lw);
  if (entries.length === 0) throw optError('languages', 'must name at least one language');
  for (const [c, w] of entries) {
    if (!tax.languages[c])
      throw optError('languages', `unknown language "${c}" (known: ${tax.languageCodes.join(', ')})`);
    if (typeof w !== 'number' || !(w >= 0)) throw optError('languages', `weight of "${c}" must be a number >= 0`);
  }
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (!(total > 0)) throw optError('languages', 'weights must not all be 0');
  const languages: { code: string; p: number }[] = entries.map(([code, w]) => ({ code, p: w / total }));
  const t = (opts.turns ?? {}) as Record<string, unknown>;
  if (typeof t !== 'object' || Array.isArray(t)) throw optError('turns', 'must be an object { min, max, mean }');
  const tMin = num(t, 'min', 1, 1, 12, true);
  const tMax = num(t, 'max', Math.max(12, tMin), tMin, 50, true);
  const tMean = num(t, 'mean', Math.min(Math.max(4, tMin), tMax), tMin, tMax);
  return {
    n,
    seed,
    batchSize: num(raw, 'batchSize', 1000, 1, 1_000_000, true),
    difficulty: num(raw, 'difficulty', 0.1, 0, 1),
    zipf: num(raw, 'zipf', 1, 0, 5),
    turns: { min: tMin, max: tMax, mean: tMean },
    meanBytes: num(raw, 'meanBytes', 3500, 200, 1_000_000),
    lengthSpread: num(raw, 'lengthSpread', 0.5, 0, 2),
    casualRate: num(raw, 'casualRate', 0.5, 0, 1),
    typoRate: num(raw, 'typoRate', 0.1, 0, 1),
    offTopicRate: num(raw, 'offTopicRate', 0.1, 0, 1),
    multiIntentRate: num(raw, 'multiIntentRate', 0.08, 0, 1),
    codeRate: num(raw, 'codeRate', 0.6, 0, 1),
    listRate: num(raw, 'listRate', 0.4, 0, 1),
    intents: pool,
    languages,
  };
}

/** The ground-truth intents a run with these options can emit, in taxonomy order (all 220 by default). */
export function generatorIntents(opts: Partial<GeneratorOptions> = {}): string[] {
  return resolveGeneratorOptions({ n: 0, seed: 0, ...opts }).intents.map((i) => i.id);
}

/** Zipf probability of each active intent: intents are ranked by a fixed shuffle, so the popular ones span domains. */
export function intentDistribution(opts: Partial<GeneratorOptions> = {}): { intent: string; p: number }[] {
  const r = resolveGeneratorOptions({ n: 0, seed: 0, ...opts });
  return rankedIntents(r).map(({ intent, p }) => ({ intent: intent.id, p }));
}

function rankedIntents(r: ResolvedGeneratorOptions): { intent: TaxonomyIntent; p: number }[] {
  // Fixed (seed-independent) rank order, so the same intents are popular in every run.
  const order = [...r.intents];
  const rand = mulberry32(0x5eed2026);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const w = order.map((_, k) => 1 / Math.pow(k + 1, r.zipf));
  const s = w.reduce((a, b) => a + b, 0);
  return order.map((intent, k) => ({ intent, p: w[k] / s }));
}

function cdf(ps: number[]): Float64Array {
  const c = new Float64Array(ps.length);
  let acc = 0;
  for (let i = 0; i < ps.length; i++) c[i] = acc += ps[i];
  c[ps.length - 1] = 1;
  return c;
}

function sampleCdf(c: Float64Array, u: number): number {
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < c[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Truncated geometric on [min, max] with the requested mean (ratio found by bisection). */
function turnProbabilities(min: number, max: number, mean: number): number[] {
  const probs = (q: number): number[] => {
    const w: number[] = [];
    for (let t = min; t <= max; t++) w.push(Math.pow(q, t - min));
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  };
  const meanOf = (q: number): number => probs(q).reduce((a, p, k) => a + p * (min + k), 0);
  let lo = 1e-6;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (meanOf(mid) < mean) lo = mid;
    else hi = mid;
  }
  return probs(Math.sqrt(lo * hi));
}

const SLOT_TOPIC = 0,
  SLOT_TERM = 1,
  SLOT_TERM2 = 2,
  SLOT_NUM = 3,
  SLOT_ID = 4,
  SLOT_AMOUNT = 5,
  SLOT_TIME = 6,
  SLOT_NAME = 7,
  SLOT_PLACE = 8,
  SLOT_DAY = 9,
  SLOT_CURRENCY = 10;

const TYPO_NEIGHBOURS = 'qwertyuiopasdfghjklzxcvbnm';

/** Add keyboard-style typos (swap, drop, double, wrong key) to roughly `rate` of the longer words. */
function addTypos(text: string, rand: Rand, rate: number): string {
  const words = text.split(' ');
  for (let w = 0; w < words.length; w++) {
    const s = words[w];
    if (s.length < 4 || rand() >= rate) continue;
    const k = 1 + Math.floor(rand() * (s.length - 2));
    const op = Math.floor(rand() * 4);
    words[w] =
      op === 0
        ? s.slice(0, k) + s[k + 1] + s[k] + s.slice(k + 2)
        : op === 1
          ? s.slice(0, k) + s.slice(k + 1)
          : op === 2
            ? s.slice(0, k) + s[k] + s.slice(k)
            : s.slice(0, k) + TYPO_NEIGHBOURS[Math.floor(rand() * TYPO_NEIGHBOURS.length)] + s.slice(k + 1);
  }
  return words.join(' ');
}

/** Everything fixed for a run: options, tables and per-intent confusers. */
interface RunTables {
  o: ResolvedGeneratorOptions;
  ranked: TaxonomyIntent[];
  intentCdf: Float64Array;
  langCodes: string[];
  langCdf: Float64Array;
  turnCdf: Float64Array;
  /** Active intents of the same domain, per intent index. */
  siblings: Map<number, TaxonomyIntent[]>;
  frames: Record<string, LanguageFrames>;
  /** Mean of the length factor for turns, so the mean length stays meanBytes. */
  turnFactorMean: number;
}

function buildTables(o: ResolvedGeneratorOptions): RunTables {
  const tax = loadTaxonomy();
  const ranked = rankedIntents(o);
  const turnP = turnProbabilities(o.turns.min, o.turns.max, o.turns.mean);
  const siblings = new Map<number, TaxonomyIntent[]>();
  for (const it of o.intents)
    siblings.set(
      it.index,
      o.intents.filter((s) => s.domain === it.domain && s !== it),
    );
  const turnMean = turnP.reduce((a, p, k) => a + p * (o.turns.min + k), 0);
  return {
    o,
    ranked: ranked.map((r) => r.intent),
    intentCdf: cdf(ranked.map((r) => r.p)),
    langCodes: o.languages.map((l) => l.code),
    langCdf: cdf(o.languages.map((l) => l.p)),
    turnCdf: cdf(turnP),
    siblings,
    frames: tax.languages,
    turnFactorMean: turnMean,
  };
}

/** Builds one conversation from its random stream. */
class ConversationBuilder {
  private cur!: TaxonomyIntent;
  private lang!: string;
  private f!: LanguageFrames;

  constructor(
    private readonly t: RunTables,
    private readonly rand: Rand,
  ) {}

  private confuser(): TaxonomyIntent {
    const sib = this.t.siblings.get(this.cur.index)!;
    if (sib.length > 0 && this.rand() < 0.7) return pick(this.rand, sib);
    const all = this.t.o.intents;
    if (all.length === 1) return this.cur;
    let other = pick(this.rand, all);
    while (other === this.cur) other = pick(this.rand, all);
    return other;
  }

  private lastTerm = '';

  private term(): string {
    const src = this.t.o.difficulty > 0 && this.rand() < this.t.o.difficulty ? this.confuser() : this.cur;
    const terms = src.lexicon[this.lang].terms;
    let v = pick(this.rand, terms);
    for (let k = 0; k < 3 && v === this.lastTerm; k++) v = pick(this.rand, terms); // "compare the X with the X" reads badly
    return (this.lastTerm = v);
  }

  fill(tpl: Template): string {
    let s = tpl.parts[0];
    const r = this.rand;
    for (let k = 0; k < tpl.slots.length; k++) {
      let v: string;
      switch (tpl.slots[k]) {
        case SLOT_TOPIC:
          v = this.cur.lexicon[this.lang].topic;
          break;
        case SLOT_TERM:
        case SLOT_TERM2:
          v = this.term();
          break;
        case SLOT_NUM:
          v = String(2 + Math.floor(r() * 48));
          break;
        case SLOT_ID:
          v = String(100000 + Math.floor(r() * 9900000));
          break;
        case SLOT_AMOUNT:
          v = (5 + r() * 1995).toFixed(2);
          break;
        case SLOT_TIME:
          v = `${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}`;
          break;
        case SLOT_NAME:
          v = pick(r, this.f.names);
          break;
        case SLOT_PLACE:
          v = pick(r, this.f.places);
          break;
        case SLOT_DAY:
          v = pick(r, this.f.days);
          break;
        case SLOT_CURRENCY:
          v = this.f.currency;
          break;
        default:
          v = '';
      }
      s += v + tpl.parts[k + 1];
    }
    return s;
  }

  /** Frames used in the current message, so a message rarely repeats one. */
  private used = new Set<Template>();

  private one(list: Template[]): string {
    let tpl = pick(this.rand, list);
    for (let k = 0; k < 3 && this.used.has(tpl); k++) tpl = pick(this.rand, list);
    this.used.add(tpl);
    return this.fill(tpl);
  }

  /** A frame, capitalised when it starts with a slot ("{term} and ... " at the start of a sentence). */
  private sentence(list: Template[]): string {
    const s = this.one(list);
    const c = s.charCodeAt(0);
    return c >= 97 && c <= 122 ? String.fromCharCode(c - 32) + s.slice(1) : s;
  }

  /** An assistant answer of about `budget` characters: paragraphs of sentences, maybe a list and a code block. */
  private answer(budget: number, intro: boolean, list: boolean, code: boolean): string {
    const r = this.rand;
    const f = this.f;
    this.used.clear();
    let out = intro ? this.one(f.aIntro) : '';
    const sep = (s: string): void => {
      out += out.length === 0 || out.endsWith('\n') ? s : ` ${s}`;
    };
    if (list) {
      sep(`${this.one(f.aListIntro)}\n`);
      const numbered = r() < 0.6;
      const items = 3 + Math.floor(r() * 4);
      for (let k = 0; k < items && out.length < budget * 0.7; k++)
        out += `${numbered ? `${k + 1}.` : '-'} ${this.sentence(f.aStep)}\n`;
      out += '\n';
    }
    if (code && this.cur.code.length > 0) {
      sep(`${this.one(f.aCodeIntro)}\n\n${this.fill(pick(r, this.cur.code))}\n\n`);
    }
    let sentences = 0;
    while (out.length < budget) {
      sep(this.sentence(r() < 0.55 ? f.aExplain : f.aStep));
      if (++sentences % 4 === 0) out += '\n\n';
    }
    if (r() < 0.5) sep(this.one(f.aClose));
    return out.trimEnd();
  }

  build(index: number): Conversation {
    const { o, t } = { o: this.t.o, t: this.t };
    const r = this.rand;
    const primary = t.ranked[sampleCdf(t.intentCdf, r())];
    const lang = t.langCodes[sampleCdf(t.langCdf, r())];
    this.lang = lang;
    this.f = t.frames[lang];
    this.cur = primary;
    const f = this.f;
    let turns = o.turns.min + sampleCdf(t.turnCdf, r());
    const casual = r() < o.casualRate;
    const style = casual ? 'casual' : 'formal';
    const typos = r() < o.typoRate;
    const offTopic = r() < o.offTopicRate;
    const multi = o.intents.length > 1 && r() < o.multiIntentRate;
    const list = r() < o.listRate;
    const code = primary.code.length > 0 && r() < o.codeRate;
    const lengthFactor = Math.exp(o.lengthSpread * gaussian(r) - (o.lengthSpread * o.lengthSpread) / 2);
    const target = Math.max(200, o.meanBytes * lengthFactor * (0.5 + (0.5 * turns) / t.turnFactorMean));
    let second: TaxonomyIntent | undefined;
    if (multi) {
      second = pick(r, o.intents);
      while (second === primary) second = pick(r, o.intents);
    }
    const switchAt = multi ? (turns > 1 ? 1 + Math.floor(r() * (turns - 1)) : 0) : -1;
    const offAt = offTopic ? Math.floor(r() * (turns + 1)) : -1;
    if (offTopic && turns >= o.turns.max && turns > 1) turns--;

    // User turns first, so the assistant's share of the length budget is known.
    const users: string[] = [];
    const intentAt: TaxonomyIntent[] = [];
    for (let k = 0; k < turns; k++) {
      const parts: string[] = [];
      this.used.clear();
      if (k === 0) {
        if (r() < 0.75) parts.push(this.one(casual ? f.greet.casual : f.greet.formal));
        parts.push(this.one(f.ask));
        const details = 1 + Math.floor(r() * 3);
        for (let d = 0; d < details; d++) parts.push(this.one(f.detail));
      } else if (k === turns - 1 && r() < 0.3) {
        parts.push(this.one(f.thanks));
        if (r() < 0.5) parts.push(this.one(f.followup));
      } else {
        parts.push(this.one(f.followup));
        const details = Math.floor(r() * 3);
        for (let d = 0; d < details; d++) parts.push(this.one(f.detail));
      }
      if (k === switchAt && second) {
        intentAt[k] = this.cur;
        this.cur = second;
        parts.push(this.one(f.switch), this.one(f.detail));
      }
      if (k === 0 && r() < 0.3) parts.push(this.one(casual ? f.close.casual : f.close.formal));
      let text = parts.join(' ');
      if (casual && r() < 0.3) text = text.toLowerCase();
      if (typos) text = addTypos(text, r, 0.08);
      users.push(text);
      intentAt[k] = k === switchAt && second ? second : this.cur;
    }
    const userLen = users.reduce((a, u) => a + u.length, 0);
    // Less the role prefixes and the half sentence the fill loop overshoots by, so the mean lands on meanBytes.
    const budget = Math.max(120, (target - userLen) / turns - 70);
    const messages: Message[] = [];
    for (let k = 0; k < turns; k++) {
      if (k === offAt) {
        messages.push(
          { role: 'user', content: this.one(f.offtopicUser) },
          { role: 'assistant', content: this.one(f.offtopicAssistant) },
        );
      }
      this.cur = intentAt[k];
      messages.push({ role: 'user', content: users[k] });
      const fresh = k === 0 || k === switchAt;
      if (k === 0 && switchAt === 0 && second) {
        // Both requests in the first message: answer the first, then the second.
        this.cur = primary;
        const first = this.answer(budget / 2, true, list, code);
        this.cur = second;
        messages.push({ role: 'assistant', content: `${first}\n\n${this.answer(budget / 2, true, false, false)}` });
        continue;
      }
      messages.push({
        role: 'assistant',
        content: this.answer(budget, fresh, list && (fresh || r() < 0.3), code && fresh && this.cur === primary),
      });
    }
    if (offAt === turns)
      messages.push(
        { role: 'user', content: this.one(f.offtopicUser) },
        { role: 'assistant', content: this.one(f.offtopicAssistant) },
      );

    const flags: string[] = [style];
    if (typos) flags.push('typos');
    if (list) flags.push('list');
    if (code) flags.push('code-block');
    if (offTopic) flags.push('off-topic-turn');
    if (second) flags.push('multi-intent');
    const truth: GroundTruth = { domain: primary.domain, intent: primary.id, language: lang, flags };
    if (second) truth.secondaryIntents = [second.id];
    return { id: `syn-${o.seed}-${index}`, messages, truth };
  }
}

/** A compiled generator: build any conversation of the run by index. */
export interface ConversationSource {
  options: ResolvedGeneratorOptions;
  at(index: number): Conversation;
}

/** Compile the tables for a run once; `at(i)` then builds conversation i. */
export function createConversationSource(opts: GeneratorOptions): ConversationSource {
  const o = resolveGeneratorOptions(opts);
  const tables = buildTables(o);
  return { options: o, at: (i) => new ConversationBuilder(tables, conversationRandom(o.seed, i)).build(i) };
}

/** Stream n conversations in batches. */
export async function* generateConversations(opts: GeneratorOptions): AsyncGenerator<Conversation[]> {
  const src = createConversationSource(opts);
  const { n, batchSize } = src.options;
  for (let start = 0; start < n; start += batchSize) {
    const out: Conversation[] = [];
    const end = Math.min(n, start + batchSize);
    for (let i = start; i < end; i++) out.push(src.at(i));
    yield out;
  }
}
