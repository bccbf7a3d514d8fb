/**
 * Import of real conversations: open a file (OpenAI chat JSONL, Kura, ShareGPT as JSONL or a JSON array, or our
 * own Arrow file), detect or take its format, validate every record once, and index the valid ones (byte offset per
 * JSONL line, row number per Arrow row) so that sweep scales can be drawn as nested seeded samples without keeping
 * the conversations in memory.
 *
 * Every bad record gets an error naming the file, line (row / element), field and what was expected. Without
 * `skipInvalid` the first one is thrown; with it, the count and the first 10 line numbers are kept for results.json.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';

import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import type { Conversation } from '../../pipeline/contracts.js';
import { mulberry32, deriveSeed } from '../../pipeline/support/seeded-random.js';
import { formatBytes } from '../../pipeline/support/format-units.js';
import { batchRowToConversation, ArrowRowError, conversationSchemaProblem } from '../conversation-arrow.js';
import { FieldProblem, inputError, type InputError, type RecordPlace } from './import-errors.js';
import { parseOpenAIChat } from './openai-format.js';
import { parseKuraConversation } from './kura-format.js';
import { parseShareGptConversation } from './sharegpt-format.js';
import { firstInvalidUtf8, readBytesAt, readRawLines } from './jsonl-line-reader.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Formats a file can be read as. `jsonl` is our own JSONL (OpenAI shape plus ground truth). */
export type ImportFormat = 'openai' | 'kura' | 'sharegpt' | 'arrow' | 'jsonl';

/** Options for opening a conversation file. */
export interface ImportOptions {
  /** 'auto' (default) detects from the content. */
  format?: ImportFormat | 'auto';
  /** Record bad lines and go on instead of failing at the first one. */
  skipInvalid?: boolean;
  /** Largest accepted conversation (one line, or one Arrow row's text), bytes. Default 2 MiB. */
  maxConversationBytes?: number;
}

/** What an import found; goes into results.json `sections.input`. */
export interface ImportSummary {
  path: string;
  format: ImportFormat;
  /** How the format was chosen. */
  formatSource: 'detected' | 'flag';
  /** Records seen (non-blank lines, rows, array elements). */
  records: number;
  valid: number;
  /** Conversations that carried ground truth (our own files). */
  withTruth: number;
  invalid: { count: number; firstLines: number[]; firstErrors: string[]; unit: RecordPlace['unit'] };
  skipInvalid: boolean;
  maxConversationBytes: number;
  /** Valid conversations whose flattened text repeats an earlier one's (set by the sweep before it starts). */
  duplicates?: { count: number; fraction: number; dropped?: true };
}

/** An opened, validated, indexed conversation file. */
export interface ConversationFile {
  summary: ImportSummary;
  /**
   * A seeded random sample of `n` valid conversations, in file order. Samples are nested: for one seed, the sample
   * of n is the first n of one permutation, so it is contained in every larger sample.
   */
  sample(n: number, seed: number): Promise<Conversation[]>;
  /** The same sample, handed over one conversation at a time so a large scale is never all in memory at once. */
  forEachInSample(n: number, seed: number, fn: (c: Conversation) => void): Promise<void>;
  /** Every valid conversation in file order. */
  readAll(): Promise<Conversation[]>;
  /** The valid conversations of the given ranks (0 = first valid one), ascending ranks in, file order out. */
  forEachAtRanks(ranks: Uint32Array, fn: (c: Conversation) => void): Promise<void>;
}

export const DEFAULT_MAX_CONVERSATION_BYTES = 2 * 1024 * 1024;
const MAX_JSON_ARRAY_BYTES = 512 * 1024 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parse one JSON value as `format`. Throws FieldProblem. */
function parseRecord(format: Exclude<ImportFormat, 'arrow'>, value: unknown, fallbackId: string): Conversation {
  if (format === 'kura') return parseKuraConversation(value);
  if (format === 'sharegpt') return parseShareGptConversation(value, fallbackId);
  return parseOpenAIChat(value, fallbackId);
}

/** Which JSON format a record looks like, or undefined. */
export function detectJsonFormat(value: unknown): Exclude<ImportFormat, 'arrow'> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if ('chat_id' in o && 'messages' in o) return 'kura';
  if ('conversations' in o) return 'sharegpt';
  if ('messages' in o) return 'truth' in o ? 'jsonl' : 'openai';
  return undefined;
}

const FORMAT_HELP =
  'one JSON conversation per line: OpenAI {"messages":[{"role","content"}]}, Kura {"chat_id","created_at","messages","metadata"} or ShareGPT {"conversations":[{"from","value"}]}; or a clusterbench .arrow file';

function isArrowMagic(head: Buffer): boolean {
  return (
    head.subarray(0, 6).toString('latin1') === 'ARROW1' || (head.length >= 4 && head.readUInt32LE(0) === 0xffffffff)
  );
}

function checkConversationSize(c: Conversation, max: number): number {
  let bytes = 0;
  for (const m of c.messages) bytes += Buffer.byteLength(m.content) + m.role.length + 3;
  return bytes > max ? bytes : 0;
}

/** Collects bad records: throws the first, or keeps count and the first ten. */
class InvalidLog {
  count = 0;
  firstLines: number[] = [];
  firstErrors: string[] = [];
  constructor(private readonly skip: boolean) {}
  add(err: InputError): void {
    if (!this.skip)
      throw Object.assign(err, {
        message: `${err.message}\n  (use --skip-invalid to skip bad records; they are counted in results.json)`,
      });
    this.count++;
    if (this.firstLines.length < 10) {
      this.firstLines.push(err.line);
      this.firstErrors.push(err.message);
    }
  }
}

/** The seeded permutation of 0..count-1 that nested samples take prefixes of. */
export function seededPermutation(count: number, seed: number): Uint32Array {
  const perm = new Uint32Array(count);
  for (let i = 0; i < count; i++) perm[i] = i;
  const rand = mulberry32(deriveSeed(seed, 'input-sample'));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}

/** The refusal for a scale larger than the input. */
export function scaleTooLargeMessage(s: ImportSummary, scale: number): string {
  const skipped = s.invalid.count ? ` (${s.invalid.count} invalid ${s.invalid.unit}s skipped)` : '';
  return `${s.path} holds ${s.valid} valid conversations${skipped}; scale ${scale} is larger than the input. Sweep scales are samples of the input: use scales up to ${s.valid} (e.g. --scales ${[...new Set([Math.max(1, Math.floor(s.valid / 10)), Math.max(1, Math.floor(s.valid / 2)), s.valid])].join(',')})`;
}

/** Visits valid conversations by rank (ascending, i.e. file order). */
type Visit = (ranks: Uint32Array, fn: (c: Conversation) => void) => Promise<void>;

function makeFile(valid: number, summary: ImportSummary, visit: Visit): ConversationFile {
  const perms = new Map<number, Uint32Array>();
  const ranks = (n: number, seed: number): Uint32Array => {
    if (n > valid) throw new UserError(scaleTooLargeMessage(summary, n));
    let perm = perms.get(seed);
    if (!perm) perms.set(seed, (perm = seededPermutation(valid, seed)));
    return perm.slice(0, n).sort();
  };
  const collect = async (r: Uint32Array): Promise<Conversation[]> => {
    const out: Conversation[] = [];
    await visit(r, (c) => out.push(c));
    return out;
  };
  return {
    summary,
    sample: async (n, seed) => collect(ranks(n, seed)),
    forEachInSample: async (n, seed, fn) => visit(ranks(n, seed), fn),
    readAll: () => collect(Uint32Array.from({ length: valid }, (_, i) => i)),
    forEachAtRanks: async (r, fn) => visit(r, fn),
  };
}

/** Open a JSONL (or JSON array) file. */
function openJsonFile(
  path: string,
  file: string,
  fd: number,
  size: number,
  opts: Required<ImportOptions>,
): ConversationFile {
  const head = Buffer.alloc(Math.min(size, 64));
  readSync(fd, head, 0, head.length, 0);
  const firstChar = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()[0];
  if (firstChar === '[') return openJsonArray(path, file, size, opts);
  let format: Exclude<ImportFormat, 'arrow'> | undefined =
    opts.format === 'auto' ? undefined : (opts.format as Exclude<ImportFormat, 'arrow'>);
  const formatSource: ImportSummary['formatSource'] = format ? 'flag' : 'detected';
  const log = new InvalidLog(opts.skipInvalid);
  // Valid records: byte offset and length of each line (12 bytes per conversation, not the conversation).
  let offsets = new Float64Array(1024);
  let lengths = new Int32Array(1024);
  let lines = new Int32Array(1024);
  let valid = 0;
  let records = 0;
  let withTruth = 0;
  const undetected: { line: number; value: unknown; offset: number; length: number }[] = [];
  const accept = (c: Conversation, line: number, offset: number, length: number): void => {
    if (valid === offsets.length) {
      const o = new Float64Array(valid * 2);
      o.set(offsets);
      offsets = o;
      const l = new Int32Array(valid * 2);
      l.set(lengths);
      lengths = l;
      const ln = new Int32Array(valid * 2);
      ln.set(lines);
      lines = ln;
    }
    offsets[valid] = offset;
    lengths[valid] = length;
    lines[valid] = line;
    valid++;
    if (c.truth) withTruth++;
  };
  const place = (n: number): RecordPlace => ({ file, number: n, unit: 'line' });
  for (const raw of readRawLines(path, opts.maxConversationBytes)) {
    if (!raw.bytes) {
      records++;
      log.add(
        inputError(
          place(raw.number),
          `conversation is ${formatBytes(raw.length)}, over the ${formatBytes(opts.maxConversationBytes)} limit; expected at most ${opts.maxConversationBytes} bytes per line (raise --max-conversation-bytes)`,
        ),
      );
      continue;
    }
    let bytes = raw.bytes;
    if (raw.number === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      records++;
      log.add(
        inputError(
          place(raw.number),
          `invalid UTF-8 at byte ${firstInvalidUtf8(bytes) + 1} of the line; expected UTF-8 text (re-encode the file, e.g. iconv -f latin1 -t utf-8)`,
        ),
      );
      continue;
    }
    if (text.trim().length === 0) continue; // blank lines separate nothing and hold nothing
    records++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      log.add(
        inputError(place(raw.number), `malformed JSON (${(err as Error).message}); expected one JSON object per line`),
      );
      continue;
    }
    if (!format) {
      format = detectJsonFormat(value);
      if (!format) {
        // Keep looking a little: the first line may just be a bad one.
        undetected.push({ line: raw.number, value, offset: raw.offset, length: raw.length });
        if (undetected.length < 20) continue;
        throw inputError(
          place(undetected[0].line),
          `cannot tell the format (no "messages", "chat_id" or "conversations" key in the first ${undetected.length} records); expected ${FORMAT_HELP}, or pass --format`,
        );
      }
      // Records held back before the format was known.
      for (const u of undetected) handle(u.value, u.line, u.offset, u.length);
      undetected.length = 0;
    }
    handle(value, raw.number, raw.offset, raw.length);
  }
  function handle(value: unknown, line: number, offset: number, length: number): void {
    try {
      const c = parseRecord(format!, value, `line-${line}`);
      const over = checkConversationSize(c, opts.maxConversationBytes);
      if (over)
        throw new FieldProblem(
          undefined,
          `conversation text is ${formatBytes(over)}, over the ${formatBytes(opts.maxConversationBytes)} limit (raise --max-conversation-bytes)`,
        );
      accept(c, line, offset, length);
    } catch (err) {
      if (!(err instanceof FieldProblem)) throw err;
      log.add(inputError(place(line), err.problem, err.field));
    }
  }
  if (undetected.length > 0) {
    throw inputError(
      place(undetected[0].line),
      `cannot tell the format (no "messages", "chat_id" or "conversations" key); expected ${FORMAT_HELP}, or pass --format`,
    );
  }
  if (records === 0) throw new UserError(`${file}: holds no conversations (only blank lines); expected ${FORMAT_HELP}`);
  if (valid === 0)
    throw new UserError(
      `${file}: none of its ${records} records is a valid conversation (first problems: ${log.firstErrors.slice(0, 3).join(' | ')})`,
    );
  const summary: ImportSummary = {
    path: file,
    format: format!,
    formatSource,
    records,
    valid,
    withTruth,
    invalid: { count: log.count, firstLines: log.firstLines, firstErrors: log.firstErrors, unit: 'line' },
    skipInvalid: opts.skipInvalid,
    maxConversationBytes: opts.maxConversationBytes,
  };
  const visit: Visit = async (ranks, fn) => {
    const fdr = openSync(path, 'r');
    try {
      for (const v of ranks) {
        const text = decoder.decode(readBytesAt(fdr, offsets[v], lengths[v])).replace(/^\uFEFF/, '');
        fn(parseRecord(format!, JSON.parse(text), `line-${lines[v]}`));
      }
    } finally {
      closeSync(fdr);
    }
  };
  return makeFile(valid, summary, visit);
}

/** A whole-file JSON array (ShareGPT dumps are often one). Elements are the records. */
function openJsonArray(path: string, file: string, size: number, opts: Required<ImportOptions>): ConversationFile {
  if (size > MAX_JSON_ARRAY_BYTES)
    throw new UserError(
      `${file}: a ${formatBytes(size)} JSON array is too large to read at once (limit ${formatBytes(MAX_JSON_ARRAY_BYTES)}); convert it to JSONL, e.g. jq -c '.[]' ${file} > out.jsonl`,
    );
  const bytes = readFileSync(path);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    throw inputError(
      { file, number: line, unit: 'line' },
      `invalid UTF-8 at byte ${at + 1} of the file; expected UTF-8 text (re-encode the file, e.g. iconv -f latin1 -t utf-8)`,
    );
  }
  let arr: unknown;
  try {
    arr = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UserError(
      `${file}: malformed JSON (${(err as Error).message}); expected a JSON array of conversations, or JSONL`,
    );
  }
  if (!Array.isArray(arr)) throw new UserError(`${file}: expected a JSON array of conversations`);
  let format: Exclude<ImportFormat, 'arrow'> | undefined =
    opts.format === 'auto' ? undefined : (opts.format as Exclude<ImportFormat, 'arrow'>);
  const formatSource: ImportSummary['formatSource'] = format ? 'flag' : 'detected';
  if (!format)
    format = arr
      .slice(0, 20)
      .map(detectJsonFormat)
      .find((f) => f !== undefined);
  if (!format)
    throw new UserError(
      `${file}: cannot tell the format of the array's elements; expected ${FORMAT_HELP}, or pass --format`,
    );
  const log = new InvalidLog(opts.skipInvalid);
  const convs: Conversation[] = [];
  arr.forEach((v, i) => {
    const place: RecordPlace = { file, number: i + 1, unit: 'element' };
    try {
      const c = parseRecord(format, v, `element-${i + 1}`);
      const over = checkConversationSize(c, opts.maxConversationBytes);
      if (over)
        throw new FieldProblem(
          undefined,
          `conversation text is ${formatBytes(over)}, over the ${formatBytes(opts.maxConversationBytes)} limit (raise --max-conversation-bytes)`,
        );
      convs.push(c);
    } catch (err) {
      if (!(err instanceof FieldProblem)) throw err;
      log.add(inputError(place, err.problem, err.field));
    }
  });
  if (arr.length === 0) throw new UserError(`${file}: the JSON array is empty; expected at least one conversation`);
  if (convs.length === 0)
    throw new UserError(
      `${file}: none of its ${arr.length} elements is a valid conversation (first problems: ${log.firstErrors.slice(0, 3).join(' | ')})`,
    );
  const summary: ImportSummary = {
    path: file,
    format,
    formatSource,
    records: arr.length,
    valid: convs.length,
    withTruth: convs.filter((c) => c.truth).length,
    invalid: { count: log.count, firstLines: log.firstLines, firstErrors: log.firstErrors, unit: 'element' },
    skipInvalid: opts.skipInvalid,
    maxConversationBytes: opts.maxConversationBytes,
  };
  return makeFile(convs.length, summary, async (ranks, fn) => {
    for (const v of ranks) fn(convs[v]);
  });
}

async function* arrowBatches(path: string): AsyncGenerator<RecordBatch> {
  const handle = await openAsync(path, 'r');
  try {
    const reader = await RecordBatchReader.from(handle);
    for await (const batch of reader) yield batch;
  } finally {
    await handle.close();
  }
}

/** Our own Arrow file (generators/conversation-arrow.ts); rows are the records. */
async function openArrowFile(path: string, file: string, opts: Required<ImportOptions>): Promise<ConversationFile> {
  const log = new InvalidLog(opts.skipInvalid);
  let validRows = new Float64Array(1024);
  let valid = 0;
  let records = 0;
  let withTruth = 0;
  try {
    let checked = false;
    for await (const batch of arrowBatches(path)) {
      if (!checked) {
        const problem = conversationSchemaProblem(batch.schema);
        if (problem) throw new UserError(`${file}: not a conversation Arrow file: ${problem}`);
        checked = true;
      }
      for (let i = 0; i < batch.numRows; i++) {
        const row = records++;
        try {
          const c = batchRowToConversation(batch, i, row);
          const over = checkConversationSize(c, opts.maxConversationBytes);
          if (over)
            throw new FieldProblem(
              'messages',
              `conversation text is ${formatBytes(over)}, over the ${formatBytes(opts.maxConversationBytes)} limit (raise --max-conversation-bytes)`,
            );
          if (valid === validRows.length) {
            const g = new Float64Array(valid * 2);
            g.set(validRows);
            validRows = g;
          }
          validRows[valid++] = row;
          if (c.truth) withTruth++;
        } catch (err) {
          if (err instanceof ArrowRowError)
            log.add(inputError({ file, number: row + 1, unit: 'row' }, `expected ${err.expected}`, err.field));
          else if (err instanceof FieldProblem)
            log.add(inputError({ file, number: row + 1, unit: 'row' }, err.problem, err.field));
          else throw err;
        }
      }
    }
  } catch (err) {
    const e = err as Error;
    if (e.message.startsWith(file)) throw e;
    throw new UserError(
      `${file}: not a readable Arrow IPC file (${e.message}); expected a file written by clusterbench generate --out x.arrow`,
    );
  }
  if (records === 0) throw new UserError(`${file}: the Arrow file has no rows; expected at least one conversation`);
  if (valid === 0)
    throw new UserError(
      `${file}: none of its ${records} rows is a valid conversation (first problems: ${log.firstErrors.slice(0, 3).join(' | ')})`,
    );
  const summary: ImportSummary = {
    path: file,
    format: 'arrow',
    formatSource: opts.format === 'arrow' ? 'flag' : 'detected',
    records,
    valid,
    withTruth,
    invalid: { count: log.count, firstLines: log.firstLines, firstErrors: log.firstErrors, unit: 'row' },
    skipInvalid: opts.skipInvalid,
    maxConversationBytes: opts.maxConversationBytes,
  };
  const visit: Visit = async (ranks, fn) => {
    // Stream the batches once, taking the wanted rows (ranks ascend, so do their rows).
    let k = 0;
    let base = 0;
    for await (const batch of arrowBatches(path)) {
      while (k < ranks.length && validRows[ranks[k]] < base + batch.numRows) {
        fn(batchRowToConversation(batch, validRows[ranks[k]] - base, base));
        k++;
      }
      base += batch.numRows;
      if (k === ranks.length) break;
    }
  };
  return makeFile(valid, summary, visit);
}

/** Open, detect, validate and index a conversation file. */
export async function openConversationFile(path: string, options: ImportOptions = {}): Promise<ConversationFile> {
  const opts: Required<ImportOptions> = {
    format: options.format ?? 'auto',
    skipInvalid: options.skipInvalid ?? false,
    maxConversationBytes: options.maxConversationBytes ?? DEFAULT_MAX_CONVERSATION_BYTES,
  };
  const file = displayPath(path);
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${file}: not a file`);
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UserError(`${file}: no such file (--input expects a conversation file: ${FORMAT_HELP})`);
    throw err;
  }
  if (size === 0) throw new UserError(`${file}: the file is empty (0 bytes); expected ${FORMAT_HELP}`);
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 8));
    readSync(fd, head, 0, head.length, 0);
    const arrow = isArrowMagic(head);
    if (opts.format === 'arrow' || (opts.format === 'auto' && arrow)) {
      if (!arrow)
        throw new UserError(
          `${file}: --format arrow, but the file does not start with the Arrow magic bytes "ARROW1"; expected an Arrow IPC file`,
        );
      return await openArrowFile(path, file, opts);
    }
    if (arrow)
      throw new UserError(`${file}: --format ${opts.format}, but this is an Arrow file; use --format arrow (or auto)`);
    return openJsonFile(path, file, fd, size, opts);
  } finally {
    closeSync(fd);
  }
}
