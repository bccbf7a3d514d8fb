/**
 * Statistics of a stream of conversations, in bounded memory: domain / intent / language / turn / flag histograms,
 * raw-text length percentiles, and the fraction of unique conversation texts. Uniqueness keeps a 48-bit prefix of
 * each text's MD5 (8 bytes per conversation; at 1M the chance of one false collision is about 2e-3), not the texts.
 */
import { createHash } from 'node:crypto';
import type { Conversation } from '../pipeline/contracts.js';
import { conversationToText } from './conversation-text.js';
import { summarisePercentiles } from '../pipeline/support/percentiles.js';
import { formatBytes } from '../pipeline/support/format-units.js';

/** A 48-bit prefix of the text's MD5, exact in a float64: 8 bytes per text for uniqueness counts. */
export function textDigest48(text: string): number {
  return createHash('md5').update(text).digest().readUIntBE(0, 6);
}

/** How many distinct values the first n digests hold (sorts a copy). */
export function countDistinct(digests: Float64Array, n = digests.length): number {
  const h = digests.slice(0, n).sort();
  let unique = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (h[i] !== h[i - 1]) unique++;
  return unique;
}

/** What --stats prints and results.json can carry. */
export interface GenerationStatsReport {
  conversations: number;
  uniqueTexts: number;
  uniqueFraction: number;
  /** Raw text bytes per conversation (the "role: content" lines the pipeline sees). */
  bytes: { min: number; p5: number; p50: number; p95: number; p99: number; max: number; mean: number; total: number };
  messages: { mean: number };
  domains: Record<string, number>;
  intents: Record<string, number>;
  languages: Record<string, number>;
  /** Turn pairs (user messages) per conversation. */
  turns: Record<string, number>;
  flags: Record<string, number>;
}

function bump(m: Map<string, number>, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/** The statistics of one batch, as built in a generation worker and merged in the main thread. */
export interface GenerationStatsPart {
  n: number;
  hashes: Float64Array;
  lengths: Float64Array;
  totalBytes: number;
  totalMessages: number;
  counts: Record<'domains' | 'intents' | 'languages' | 'turns' | 'flags', [string, number][]>;
}

const COUNT_KEYS = ['domains', 'intents', 'languages', 'turns', 'flags'] as const;

/** Accumulates statistics over conversations as they stream past. */
export class GenerationStats {
  private n = 0;
  private hashes: Float64Array = new Float64Array(1024);
  private lengths: Float64Array = new Float64Array(1024);
  private totalBytes = 0;
  private totalMessages = 0;
  private domains = new Map<string, number>();
  private intents = new Map<string, number>();
  private languages = new Map<string, number>();
  private turns = new Map<string, number>();
  private flags = new Map<string, number>();

  private reserve(extra: number): void {
    if (this.n + extra <= this.hashes.length) return;
    const size = Math.max(this.n + extra, this.hashes.length * 2);
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(size);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.hashes = grow(this.hashes);
    this.lengths = grow(this.lengths);
  }

  /** This accumulator's content, for moving to another thread. */
  toPart(): GenerationStatsPart {
    const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, [...this[k]]])) as GenerationStatsPart['counts'];
    return {
      n: this.n,
      hashes: this.hashes.slice(0, this.n),
      lengths: this.lengths.slice(0, this.n),
      totalBytes: this.totalBytes,
      totalMessages: this.totalMessages,
      counts,
    };
  }

  /** Add a part built elsewhere. */
  merge(p: GenerationStatsPart): void {
    this.reserve(p.n);
    this.hashes.set(p.hashes, this.n);
    this.lengths.set(p.lengths, this.n);
    this.n += p.n;
    this.totalBytes += p.totalBytes;
    this.totalMessages += p.totalMessages;
    for (const k of COUNT_KEYS) for (const [key, v] of p.counts[k]) bump(this[k], key, v);
  }

  add(c: Conversation): void {
    this.reserve(1);
    const text = conversationToText(c);
    const bytes = Buffer.byteLength(text);
    this.hashes[this.n] = textDigest48(text);
    this.lengths[this.n] = bytes;
    this.n++;
    this.totalBytes += bytes;
    this.totalMessages += c.messages.length;
    bump(this.domains, c.truth?.domain ?? '(none)');
    bump(this.intents, c.truth?.intent ?? '(none)');
    bump(this.languages, c.truth?.language ?? '(none)');
    bump(this.turns, String(c.messages.filter((m) => m.role === 'user').length));
    for (const f of c.truth?.flags ?? []) bump(this.flags, f);
  }

  report(): GenerationStatsReport {
    const n = this.n;
    const unique = countDistinct(this.hashes, n);
    const len = this.lengths.slice(0, n).sort();
    const at = (q: number): number => (n === 0 ? 0 : len[Math.min(n - 1, Math.floor(q * n))]);
    const p = summarisePercentiles(Array.from(len));
    const sorted = (m: Map<string, number>): Record<string, number> =>
      Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    return {
      conversations: n,
      uniqueTexts: unique,
      uniqueFraction: n ? unique / n : 1,
      bytes: {
        min: n ? len[0] : 0,
        p5: at(0.05),
        p50: p.p50,
        p95: p.p95,
        p99: p.p99,
        max: p.max,
        mean: p.mean,
        total: this.totalBytes,
      },
      messages: { mean: n ? this.totalMessages / n : 0 },
      domains: sorted(this.domains),
      intents: sorted(this.intents),
      languages: sorted(this.languages),
      turns: Object.fromEntries([...this.turns].sort((a, b) => Number(a[0]) - Number(b[0]))),
      flags: sorted(this.flags),
    };
  }
}

function histogram(title: string, counts: Record<string, number>, total: number, limit = Infinity): string[] {
  const rows = Object.entries(counts);
  const width = Math.max(8, ...rows.map(([k]) => k.length));
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const line = ([k, v]: [string, number]): string =>
    `  ${k.padEnd(width)} ${String(v).padStart(9)} ${((100 * v) / Math.max(total, 1)).toFixed(2).padStart(6)}%  ${'#'.repeat(Math.round((30 * v) / max))}`;
  const out = [`${title} (${rows.length})`];
  if (rows.length <= limit) out.push(...rows.map(line));
  else {
    const head = Math.ceil(limit / 2);
    out.push(
      ...rows.slice(0, head).map(line),
      `  … ${rows.length - limit} more …`,
      ...rows.slice(rows.length - (limit - head)).map(line),
    );
  }
  return out;
}

/** The --stats printout. */
export function formatGenerationStats(r: GenerationStatsReport): string {
  const b = r.bytes;
  const lines = [
    `conversations: ${r.conversations}; unique texts: ${r.uniqueTexts} (${(100 * r.uniqueFraction).toFixed(3)}%)`,
    `raw text per conversation: mean ${formatBytes(b.mean)}; min ${formatBytes(b.min)}, p5 ${formatBytes(b.p5)}, p50 ${formatBytes(b.p50)}, p95 ${formatBytes(b.p95)}, p99 ${formatBytes(b.p99)}, max ${formatBytes(b.max)}; total ${formatBytes(b.total)}`,
    `messages per conversation: mean ${r.messages.mean.toFixed(2)}`,
    '',
    ...histogram('languages', r.languages, r.conversations),
    '',
    ...histogram('turns (user messages)', r.turns, r.conversations),
    '',
    ...histogram('flags', r.flags, r.conversations),
    '',
    ...histogram('domains', r.domains, r.conversations),
    '',
    ...histogram('intents', r.intents, r.conversations, 30),
  ];
  return lines.join('\n');
}
