/** Build one scale's input: n conversations packed for transfer, plus ground-truth intent ids. */
import type { Conversation, PipelineData } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { generateConversations } from '../../generators/synthetic-conversations.js';
import { conversationToText } from '../../generators/conversation-text.js';
import { resolve as resolvePath } from 'node:path';
import { openConversationFile, scaleTooLargeMessage, type ConversationFile, type ImportSummary } from '../../generators/import/conversation-file.js';
import { countDistinct, textDigest48 } from '../../generators/generation-stats.js';

/** One scale's data and what we know about it. */
export interface ScaleInput {
  data: PipelineData;
  /** Intent name per truth id. */
  intents: string[];
  stats: Record<string, number>;
}

/** TextColumn offsets are Int32 (like Arrow's Utf8), so one column holds at most 2 GiB of UTF-8. */
export const MAX_TEXT_BYTES = 2 ** 31 - 1;

/** A scale's input does not fit the harness's in-memory layout; the sweep records it instead of crashing. */
export class InputTooLargeError extends Error {
  override name = 'InputTooLargeError';
}

/**
 * Packs conversations one at a time into a growing UTF-8 buffer, so a 1M-conversation scale never holds 1M
 * Conversation objects or strings in the main thread (RSS is per process: that would pollute every stage's reading).
 */
export class ConversationPacker {
  private bytes = new Uint8Array(1 << 20);
  private offsets = new Int32Array(1025);
  private truth = new Int32Array(1024);
  private digests = new Float64Array(1024);
  private n = 0;
  private readonly ids = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  /** `maxBytes` below MAX_TEXT_BYTES is for tests of the limit. */
  constructor(private readonly maxBytes = MAX_TEXT_BYTES) {}

  add(c: Conversation): void {
    const text = conversationToText(c);
    let need = this.offsets[this.n] + text.length * 3;
    if (need > this.maxBytes) {
      need = this.offsets[this.n] + Buffer.byteLength(text);
      if (need > this.maxBytes) {
        throw new InputTooLargeError(
          `conversation text of this scale passes ${this.maxBytes === MAX_TEXT_BYTES ? '2 GiB' : `${this.maxBytes} bytes`} after ${this.n.toLocaleString('en-US')} conversations: TextColumn offsets are 32-bit ` +
            '(as Arrow Utf8). Use a smaller scale, or shorter conversations (input.options.meanBytes).',
        );
      }
    }
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(need, this.bytes.length * 2)));
      grown.set(this.bytes.subarray(0, this.offsets[this.n]));
      this.bytes = grown;
    }
    // One row capacity for every per-row array (offsets hold one more): growing them on different schedules left
    // rows past a few thousand writing past the end of truth/digests (silently dropped: intent 0, digest 0).
    if (this.n >= this.truth.length) this.growRows(this.truth.length * 2);
    const { written } = this.encoder.encodeInto(text, this.bytes.subarray(this.offsets[this.n]));
    this.offsets[this.n + 1] = this.offsets[this.n] + written;
    // 8 bytes per text for the unique fraction, not the texts themselves (as the generator's --stats does).
    this.digests[this.n] = textDigest48(text);
    const intent = c.truth?.intent;
    let id = -1;
    if (intent !== undefined) {
      id = this.ids.get(intent) ?? this.ids.size;
      if (id === this.ids.size) this.ids.set(intent, id);
    }
    this.truth[this.n] = id;
    this.n++;
  }

  private growRows(rows: number): void {
    const o = new Int32Array(rows + 1);
    o.set(this.offsets);
    this.offsets = o;
    const t = new Int32Array(rows);
    t.set(this.truth);
    this.truth = t;
    const g = new Float64Array(rows);
    g.set(this.digests);
    this.digests = g;
  }

  /** The packed scale; the packer must not be used afterwards. */
  finish(): ScaleInput {
    const n = this.n;
    const total = this.offsets[n];
    return {
      data: { n, conversations: { bytes: this.bytes.slice(0, total), offsets: this.offsets.slice(0, n + 1) }, truth: this.truth.slice(0, n) },
      intents: [...this.ids.keys()],
      stats: { conversations: n, uniqueFraction: n ? countDistinct(this.digests, n) / n : 1, meanBytes: n ? total / n : 0, intents: this.ids.size },
    };
  }
}

/** Pack conversations into PipelineData, numbering intents in order of first appearance. */
export function packConversations(convs: Iterable<Conversation>): ScaleInput {
  const packer = new ConversationPacker();
  for (const c of convs) packer.add(c);
  return packer.finish();
}

const openFiles = new Map<string, Promise<ConversationFile>>();

/** Open (once per process) the input file a `kind: file` profile names; errors name the file, line and field. */
export function openProfileInputFile(profile: SweepProfile): Promise<ConversationFile> {
  const input = profile.input;
  if (!input.path) throw new Error('input.path: is required when input.kind is "file" (or pass --input FILE)');
  const o = input.options as { skipInvalid?: unknown; maxConversationBytes?: unknown };
  if (o.skipInvalid !== undefined && typeof o.skipInvalid !== 'boolean') throw new Error('input.options.skipInvalid: must be true or false');
  if (o.maxConversationBytes !== undefined && !(Number.isInteger(o.maxConversationBytes) && (o.maxConversationBytes as number) > 0)) throw new Error('input.options.maxConversationBytes: must be a positive integer');
  const path = resolvePath(input.path);
  const opts = { format: input.format, skipInvalid: o.skipInvalid as boolean | undefined, maxConversationBytes: o.maxConversationBytes as number | undefined };
  const key = JSON.stringify([path, opts]);
  let f = openFiles.get(key);
  if (!f) {
    f = openConversationFile(path, opts);
    openFiles.set(key, f);
    f.catch(() => openFiles.delete(key));
  }
  return f;
}

/**
 * Before a sweep: for a file input, read and validate the file and refuse scales above its size. Returns what goes
 * into results.json `sections.input` (count and first 10 line numbers of skipped records), or undefined for synthetic input.
 */
export async function prepareSweepInput(profile: SweepProfile): Promise<ImportSummary | undefined> {
  if (profile.input.kind !== 'file') return undefined;
  const f = await openProfileInputFile(profile);
  const tooBig = profile.scales.find((s) => s > f.summary.valid);
  if (tooBig !== undefined) throw new Error(scaleTooLargeMessage(f.summary, tooBig));
  return f.summary;
}

/** Generate (or read) the conversations for one scale. */
export async function buildScaleInput(profile: SweepProfile, scale: number): Promise<ScaleInput> {
  if (profile.input.kind === 'file') {
    // A nested seeded sample of the file: scale n is the first n of one permutation of its valid conversations.
    const f = await openProfileInputFile(profile);
    const packer = new ConversationPacker();
    await f.forEachInSample(scale, profile.seed, (c) => packer.add(c));
    return packer.finish();
  }
  if (profile.input.kind !== 'synthetic') throw new Error(`input.kind "${profile.input.kind}" is not supported yet`);
  const packer = new ConversationPacker();
  for await (const batch of generateConversations({ ...(profile.input.options as object), n: scale, seed: profile.seed })) for (const c of batch) packer.add(c);
  return packer.finish();
}
