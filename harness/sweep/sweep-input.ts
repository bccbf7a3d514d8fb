/** Build one scale's input: n conversations and their ids packed for transfer, plus ground-truth intent ids. */
import type { Conversation, PipelineData } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { generateConversations } from '../../generators/synthetic-conversations.js';
import { conversationToText } from '../../generators/conversation-text.js';
import { resolve as resolvePath } from 'node:path';
import {
  openConversationFile,
  scaleTooLargeMessage,
  type ConversationFile,
  type ImportSummary,
} from '../../generators/import/conversation-file.js';
import { countDistinct, textDigest48 } from '../../generators/generation-stats.js';
import { countFileDuplicates, dedupedRanks } from './input-duplicates.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** One scale's data and what we know about it. */
export interface ScaleInput {
  data: PipelineData;
  /** Intent name per truth id. */
  intents: string[];
  stats: Record<string, number>;
}

/** A scale's input does not fit the harness's in-memory layout; the sweep records it instead of crashing. */
export class InputTooLargeError extends UserError {}

/** ES2024 resizable ArrayBuffer (Node 20+), typed here so the project's lib can stay ES2023. */
type ResizableArrayBuffer = ArrayBuffer & {
  resize(byteLength: number): void;
  transferToFixedLength(byteLength: number): ArrayBuffer;
  readonly maxByteLength: number;
};
const ResizableBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;

/** Address space reserved (not committed) for one scale's text: resizable buffers grow in place up to this. */
const TEXT_RESERVE_BYTES = 2 ** 38;
/** The same for the conversation ids (a few bytes each). */
const ID_RESERVE_BYTES = 2 ** 34;

/** Grow a resizable buffer in place to hold `need` bytes (by half again, at least). */
function growTo(buffer: ResizableArrayBuffer, need: number): void {
  if (need > buffer.byteLength)
    buffer.resize(Math.min(buffer.maxByteLength, Math.max(need, Math.floor(buffer.byteLength * 1.5))));
}

/**
 * Packs conversations one at a time into a growing UTF-8 buffer, so a 1M-conversation scale never holds 1M
 * Conversation objects or strings in the main thread (RSS is per process: that would pollute every stage's reading).
 * The text lives in a resizable ArrayBuffer that grows in place (no copy per doubling); finish() makes one
 * fixed-length copy, so packing peaks at twice the text (the doubling buffer plus its final slice peaked at three).
 */
export class ConversationPacker {
  private readonly buffer: ResizableArrayBuffer;
  private bytes: Uint8Array;
  private offsets = new Float64Array(1025);
  private readonly idBuffer = new ResizableBuffer(1 << 16, { maxByteLength: ID_RESERVE_BYTES });
  private idBytes = new Uint8Array(this.idBuffer);
  private idOffsets = new Float64Array(1025);
  private truth = new Int32Array(1024);
  private digests = new Float64Array(1024);
  private n = 0;
  private readonly encoder = new TextEncoder();

  /**
   * `maxBytes` caps the text (a machine-sized limit, or tiny in tests of the limit). `ids` numbers intents; streaming
   * mode passes one map to every batch's packer, so truth ids are the scale's, not the batch's.
   */
  constructor(
    private readonly maxBytes = Infinity,
    private readonly ids = new Map<string, number>(),
  ) {
    this.buffer = new ResizableBuffer(1 << 20, {
      maxByteLength: Math.min(
        TEXT_RESERVE_BYTES,
        Number.isFinite(maxBytes) ? Math.max(1 << 20, maxBytes) : TEXT_RESERVE_BYTES,
      ),
    });
    this.bytes = new Uint8Array(this.buffer);
  }

  add(c: Conversation): void {
    const text = conversationToText(c);
    const used = this.offsets[this.n];
    let need = used + text.length * 3;
    if (need > this.maxBytes || need > this.buffer.maxByteLength) {
      need = used + Buffer.byteLength(text);
      if (need > this.maxBytes || need > this.buffer.maxByteLength) {
        throw new InputTooLargeError(
          `conversation text of this scale passes ${Math.min(this.maxBytes, this.buffer.maxByteLength).toLocaleString('en-US')} bytes after ${this.n.toLocaleString('en-US')} conversations. ` +
            'Use a smaller scale, shorter conversations (input.options.meanBytes), or streaming mode.',
        );
      }
    }
    if (need > this.buffer.byteLength) {
      growTo(this.buffer, need);
      this.bytes = new Uint8Array(this.buffer);
    }
    // One row capacity for every per-row array (offsets hold one more): growing them on different schedules left
    // rows past a few thousand writing past the end of truth/digests (silently dropped: intent 0, digest 0).
    if (this.n >= this.truth.length) this.growRows(this.truth.length * 2);
    const { written } = this.encoder.encodeInto(text, this.bytes.subarray(used));
    this.offsets[this.n + 1] = used + written;
    const idAt = this.idOffsets[this.n];
    if (idAt + c.id.length * 3 > this.idBuffer.byteLength) {
      growTo(this.idBuffer, idAt + c.id.length * 3);
      this.idBytes = new Uint8Array(this.idBuffer);
    }
    this.idOffsets[this.n + 1] = idAt + this.encoder.encodeInto(c.id, this.idBytes.subarray(idAt)).written;
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
    const o = new Float64Array(rows + 1);
    o.set(this.offsets);
    this.offsets = o;
    const io = new Float64Array(rows + 1);
    io.set(this.idOffsets);
    this.idOffsets = io;
    const t = new Int32Array(rows);
    t.set(this.truth);
    this.truth = t;
    const g = new Float64Array(rows);
    g.set(this.digests);
    this.digests = g;
  }

  /** Rows packed so far. */
  get count(): number {
    return this.n;
  }

  /** The 48-bit text digest of each row packed so far (for a streamed scale's unique fraction). */
  digests48(): Float64Array {
    return this.digests.subarray(0, this.n);
  }

  /** The packed scale; the packer must not be used afterwards. */
  finish(): ScaleInput {
    const n = this.n;
    const total = this.offsets[n];
    // A fixed-length copy: resizable buffers cannot be structured-cloned (piscina without a transfer list, tests'
    // copies). The copy is the one moment two copies of the text exist (growth itself never copies).
    const fixed = this.buffer.transferToFixedLength(total);
    const idTotal = this.idOffsets[n];
    const conversationIds = {
      bytes: new Uint8Array(this.idBuffer.transferToFixedLength(idTotal), 0, idTotal),
      offsets: this.idOffsets.slice(0, n + 1),
    };
    return {
      data: {
        n,
        conversations: { bytes: new Uint8Array(fixed, 0, total), offsets: this.offsets.slice(0, n + 1) },
        conversationIds,
        truth: this.truth.slice(0, n),
      },
      intents: [...this.ids.keys()],
      stats: {
        conversations: n,
        uniqueFraction: n ? countDistinct(this.digests, n) / n : 1,
        meanBytes: n ? total / n : 0,
        intents: this.ids.size,
      },
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
  if (!input.path) throw new UserError('input.path: is required when input.kind is "file" (or pass --input FILE)');
  const o = input.options as { skipInvalid?: unknown; maxConversationBytes?: unknown; dedupe?: unknown };
  if (o.dedupe !== undefined && typeof o.dedupe !== 'boolean')
    throw new UserError('input.options.dedupe: must be true or false');
  if (o.skipInvalid !== undefined && typeof o.skipInvalid !== 'boolean')
    throw new UserError('input.options.skipInvalid: must be true or false');
  if (
    o.maxConversationBytes !== undefined &&
    !(Number.isInteger(o.maxConversationBytes) && (o.maxConversationBytes as number) > 0)
  )
    throw new UserError('input.options.maxConversationBytes: must be a positive integer');
  const path = resolvePath(input.path);
  const opts = {
    format: input.format,
    skipInvalid: o.skipInvalid,
    maxConversationBytes: o.maxConversationBytes as number | undefined,
  };
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
  if (tooBig !== undefined) throw new UserError(scaleTooLargeMessage(f.summary, tooBig));
  const duplicates = await countFileDuplicates(f);
  if (inputDedupe(profile)) {
    const distinct = f.summary.valid - duplicates.count;
    const over = profile.scales.find((s) => s > distinct);
    if (over !== undefined)
      throw new UserError(
        `${f.summary.path} holds ${distinct} distinct conversations (of ${f.summary.valid} valid; dedupe is on); scale ${over} is larger. Use scales up to ${distinct}, or drop --dedupe`,
      );
  }
  return { ...f.summary, duplicates: { ...duplicates, ...(inputDedupe(profile) ? { dropped: true } : {}) } };
}

/** True when the profile's file input drops duplicate conversations (`input.options.dedupe`, `sweep --dedupe`). */
export function inputDedupe(profile: SweepProfile): boolean {
  return profile.input.kind === 'file' && (profile.input.options as { dedupe?: unknown }).dedupe === true;
}

/** Generate (or read) the conversations for one scale. */
export async function buildScaleInput(profile: SweepProfile, scale: number): Promise<ScaleInput> {
  if (profile.input.kind === 'file') {
    // A nested seeded sample of the file: scale n is the first n of one permutation of its valid conversations.
    const f = await openProfileInputFile(profile);
    const packer = new ConversationPacker();
    // dedupe: the same nested sampling, over the first copy of each distinct text.
    if (inputDedupe(profile)) await f.forEachAtRanks(await dedupedRanks(f, scale, profile.seed), (c) => packer.add(c));
    else await f.forEachInSample(scale, profile.seed, (c) => packer.add(c));
    return packer.finish();
  }
  if (profile.input.kind !== 'synthetic')
    throw new UserError(`input.kind "${String(profile.input.kind)}" is not supported yet`);
  const packer = new ConversationPacker();
  for await (const batch of generateConversations({
    ...(profile.input.options as object),
    n: scale,
    seed: profile.seed,
  }))
    for (const c of batch) packer.add(c);
  return packer.finish();
}
