/**
 * Streaming conversation writers: Arrow IPC file (one record batch per write) and JSONL (one conversation per line).
 * Memory stays flat: each write is encoded and handed to the file before the next batch is built. Output goes to
 * a temp file in the same folder and is renamed into place on close, so a crash never leaves a half-written file
 * under the final name (the streaming counterpart of harness/io/atomic-write.ts).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { RecordBatchFileWriter } from 'apache-arrow';
import type { Conversation } from '../pipeline/contracts.js';
import {
  columnBuffers,
  columnsToBatch,
  conversationsToColumns,
  conversationSchema,
  type ConversationColumns,
} from './conversation-arrow.js';
import { UserError } from '../pipeline/support/user-error.js';

/** A batch encoded for a writer: JSONL bytes or Arrow columns. Built in any thread, written in one. */
export type EncodedBatch =
  { kind: 'jsonl'; n: number; bytes: Uint8Array } | { kind: 'arrow'; n: number; columns: ConversationColumns };

/** Encode a batch for `format`. */
export function encodeBatch(batch: readonly Conversation[], format: ConversationFileFormat): EncodedBatch {
  if (format === 'arrow') return { kind: 'arrow', n: batch.length, columns: conversationsToColumns(batch) };
  let chunk = '';
  for (const c of batch) chunk += JSON.stringify(c) + '\n';
  const buf = Buffer.from(chunk, 'utf8');
  return { kind: 'jsonl', n: batch.length, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

/** The buffers of an encoded batch, for a transfer list. */
export function encodedBuffers(e: EncodedBatch): ArrayBuffer[] {
  return e.kind === 'arrow' ? columnBuffers(e.columns) : [e.bytes.buffer as ArrayBuffer];
}

/** A sink for batches of conversations. */
export interface ConversationWriter {
  readonly path: string;
  write(batch: readonly Conversation[]): Promise<void>;
  /** Write a batch already encoded for this writer's format (e.g. by a generation worker). */
  writeEncoded(e: EncodedBatch): Promise<void>;
  /** Finish the file and move it into place; returns the bytes written. */
  close(): Promise<number>;
  /** Drop the temp file. */
  abort(): void;
}

/** Output formats. */
export type ConversationFileFormat = 'arrow' | 'jsonl';

/** Format from a file name: .arrow/.ipc/.feather are Arrow, .jsonl/.ndjson are JSONL. */
export function formatFromPath(path: string): ConversationFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.arrow' || ext === '.ipc' || ext === '.feather') return 'arrow';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new UserError(
    `--out ${path}: unknown extension "${ext}"; use .arrow (Arrow IPC file) or .jsonl (one JSON conversation per line)`,
  );
}

class TempFile {
  readonly tmp: string;
  readonly fd: number;
  bytes = 0;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    this.fd = openSync(this.tmp, 'w');
  }
  write(chunk: Uint8Array | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let off = 0;
    while (off < buf.byteLength) off += writeSync(this.fd, buf, off, buf.byteLength - off);
    this.bytes += buf.byteLength;
  }
  commit(): void {
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    rmSync(this.tmp, { force: true });
  }
}

/** JSONL: `{"id","messages":[{"role","content"}],"truth":{...}}` per line, the OpenAI chat shape plus ground truth. */
export function createJsonlWriter(path: string): ConversationWriter {
  const file = new TempFile(path);
  const writeEncoded = async (e: EncodedBatch): Promise<void> => {
    if (e.kind !== 'jsonl') throw new Error(`${path}: a JSONL writer got an ${e.kind} batch`);
    file.write(e.bytes);
  };
  return {
    path,
    writeEncoded,
    write: (batch) => writeEncoded(encodeBatch(batch, 'jsonl')),
    async close() {
      file.commit();
      return file.bytes;
    },
    abort: () => file.abort(),
  };
}

/** Arrow IPC file format (random access, footer at the end), one record batch per write. */
export function createArrowWriter(path: string): ConversationWriter {
  const file = new TempFile(path);
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, conversationSchema);
  // The writer queues encoded chunks; this loop moves them to the file. Yielding to it after each batch keeps at
  // most one batch of encoded bytes in memory.
  // Typed here: apache-arrow's declaration of the writer's async iterator resolves to any.
  const chunks: AsyncIterable<Uint8Array> = writer;
  const drained = (async () => {
    for await (const chunk of chunks) file.write(chunk);
  })();
  const yieldToDrain = (): Promise<void> => new Promise((r) => setImmediate(r));
  const writeEncoded = async (e: EncodedBatch): Promise<void> => {
    if (e.kind !== 'arrow') throw new Error(`${path}: an Arrow writer got a ${e.kind} batch`);
    if (e.n === 0) return;
    writer.write(columnsToBatch(e.columns));
    await yieldToDrain();
  };
  return {
    path,
    writeEncoded,
    write: (batch) => writeEncoded(encodeBatch(batch, 'arrow')),
    async close() {
      writer.finish();
      await drained;
      file.commit();
      return file.bytes;
    },
    abort() {
      writer.abort();
      file.abort();
    },
  };
}

/** A writer for the format the path's extension names (or `format`). */
export function createConversationWriter(
  path: string,
  format: ConversationFileFormat = formatFromPath(path),
): ConversationWriter {
  return format === 'arrow' ? createArrowWriter(path) : createJsonlWriter(path);
}
