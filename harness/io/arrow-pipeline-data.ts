/**
 * PipelineData fields <-> Apache Arrow tables, zero-copy on the way out except text offsets: a TextColumn (float64
 * offsets, any size) is written as Utf8 record batches of at most `maxBatchTextBytes` (1 GiB: Int32 offsets address
 * 2 GiB), a Matrix is a FixedSizeList<Float32>, labels are Int32. Fields that are not one value per row (hierarchy,
 * clusterInfo) travel as JSON in the schema metadata. Files are read back through a file handle, batch by batch
 * (readFileSync stops at 2 GiB, and a whole-file buffer would double the footprint).
 *
 * Used by the stage checkpoints (harness/sweep/sweep-checkpoint.ts) and storage accounting (harness/analysis/storage-accounting.ts).
 */
import {
  CompressionType, Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, RecordBatchFileWriter, RecordBatchReader, Schema, Struct, Table,
  tableFromIPC, Utf8, type Data, type DataType,
} from 'apache-arrow';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ClusterInfo, Matrix, PipelineData, PipelineField, TextColumn } from '../types.js';
import { concatTexts } from '../workers/row-split.js';
import { tempPathFor } from './atomic-write.js';
import { FileWriteError } from './errno-words.js';
import { trackWrite } from './write-guard.js';
import { textBytes, textColumnFrom, utf8Batch, utf8BatchRanges } from '../../pipeline/support/text-column.js';

// The codecs (zstd as WebAssembly) cost ~90 ms CPU to load: only when a file is compressed (a cell's child process
// reads and writes uncompressed files, and its start-up is per cell).
const ensureArrowCodecs = async (): Promise<void> => (await import('./arrow-codecs.js')).ensureArrowCodecs();

/** Text bytes per Arrow record batch (all text columns of the batch together). */
export const DEFAULT_BATCH_TEXT_BYTES = 2 ** 30;

/** How a field is laid out in Arrow. */
type FieldLayout = 'text' | 'matrix' | 'int32' | 'float32' | 'json';

const LAYOUT: Record<PipelineField, FieldLayout> = {
  conversations: 'text', summaries: 'text', embeddings: 'matrix', reduced: 'matrix', projection: 'matrix',
  labels: 'int32', truth: 'int32', membership: 'float32', outlierScores: 'float32', hierarchy: 'json', clusterInfo: 'json',
};

const META_PREFIX = 'clusterbench.';

/** Body compression for an Arrow IPC file. */
export type ArrowCompression = 'none' | 'lz4' | 'zstd';

function rowCount(field: PipelineField, value: unknown): number {
  const layout = LAYOUT[field];
  if (layout === 'text') return (value as TextColumn).offsets.length - 1;
  if (layout === 'matrix') return (value as Matrix).rows;
  return (value as ArrayLike<number>).length;
}

function fieldType(field: PipelineField, value: unknown): DataType {
  const layout = LAYOUT[field];
  if (layout === 'text') return new Utf8();
  if (layout === 'matrix') return new FixedSizeList((value as Matrix).cols, new Field('item', new Float32(), false));
  return layout === 'float32' ? new Float32() : new Int32();
}

/** Rows [from, to) of one field as Arrow data (views into the field's buffers; text offsets rebased to Int32). */
function columnData(field: PipelineField, value: unknown, type: DataType, from: number, to: number): Data {
  const layout = LAYOUT[field];
  const length = to - from;
  if (layout === 'text') {
    const b = utf8Batch(value as TextColumn, from, to);
    return makeData({ type: type as Utf8, length, nullCount: 0, valueOffsets: b.offsets, data: b.bytes });
  }
  if (layout === 'matrix') {
    const m = value as Matrix;
    const child = makeData({ type: new Float32(), length: length * m.cols, nullCount: 0, data: m.data.subarray(from * m.cols, to * m.cols) });
    return makeData({ type: type as FixedSizeList, length, nullCount: 0, child });
  }
  if (layout === 'float32') return makeData({ type: type as Float32, length, nullCount: 0, data: (value as Float32Array).subarray(from, to) });
  return makeData({ type: type as Int32, length, nullCount: 0, data: (value as Int32Array).subarray(from, to) });
}

/**
 * An Arrow table of the given fields of data (those present). Row-wise fields become columns named after the field.
 * Rows are cut into record batches whose text stays under `maxBatchTextBytes` (tests pass a tiny limit).
 */
export function pipelineFieldsToTable(
  data: PipelineData, fields: readonly PipelineField[], extraMetadata: Record<string, string> = {}, maxBatchTextBytes = DEFAULT_BATCH_TEXT_BYTES,
): Table {
  const n = data.n;
  const schemaFields: Field[] = [];
  const columns: Array<{ field: PipelineField; value: unknown; type: DataType }> = [];
  const metadata = new Map<string, string>([[`${META_PREFIX}n`, String(n)], ...Object.entries(extraMetadata)]);
  for (const f of fields) {
    const value = (data as unknown as Record<string, unknown>)[f];
    if (value === undefined) continue;
    if (LAYOUT[f] === 'json') {
      const json = f === 'hierarchy' ? (value as Int32Array[]).map((lvl) => Array.from(lvl)) : value;
      metadata.set(`${META_PREFIX}${f}`, JSON.stringify(json));
      continue;
    }
    if (LAYOUT[f] === 'text') metadata.set(`${META_PREFIX}textBytes.${f}`, String(textBytes(value as TextColumn)));
    if (rowCount(f, value) !== n) throw new Error(`${f}: has ${rowCount(f, value)} rows, expected ${n}`);
    const type = fieldType(f, value);
    schemaFields.push(new Field(f, type, false));
    columns.push({ field: f, value, type });
  }
  const schema = new Schema(schemaFields, metadata);
  const texts = columns.filter((c) => LAYOUT[c.field] === 'text').map((c) => c.value as TextColumn);
  const ranges = n === 0 ? [[0, 0] as [number, number]] : utf8BatchRanges(texts, n, maxBatchTextBytes);
  const batches = ranges.map(([from, to]) => new RecordBatch(schema, makeData({
    type: new Struct(schemaFields), length: to - from, nullCount: 0, children: columns.map((c) => columnData(c.field, c.value, c.type, from, to)),
  })));
  return new Table(schema, batches);
}

/** Uncompressed body bytes of a table: what a write needs on disk, at most (compression only shrinks it). */
export function tableBodyBytes(table: Table): number {
  let total = 0;
  for (const b of table.batches) total += b.data.byteLength;
  return total;
}

function writer(table: Table, compression: ArrowCompression): RecordBatchFileWriter {
  const compressionType = compression === 'zstd' ? CompressionType.ZSTD : compression === 'lz4' ? CompressionType.LZ4_FRAME : null;
  return RecordBatchFileWriter.writeAll(table, { compressionType });
}

/** Serialise a table as an Arrow IPC file in memory, with optional body compression. */
export async function tableToIpcFile(table: Table, compression: ArrowCompression = 'none'): Promise<Uint8Array> {
  if (compression !== 'none') await ensureArrowCodecs();
  return writer(table, compression).toUint8Array(true);
}

/**
 * Stream a table to an Arrow IPC file (temp file, then rename: atomic). Streaming, because a 1M x 256 embedding
 * checkpoint is 1 GB and building it in memory first would double the main thread's footprint. Returns its size.
 */
export async function writeTableFileAtomic(path: string, table: Table, compression: ArrowCompression = 'none', phase?: string): Promise<number> {
  if (compression !== 'none') await ensureArrowCodecs();
  const tmp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    await trackWrite(async () => {
      await pipeline(writer(table, compression).toNodeStream(), createWriteStream(tmp));
      renameSync(tmp, path);
    });
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, phase, err);
  }
  return statSync(path).size;
}

/**
 * Copies record batches into one buffer per field as they arrive, so a file is read batch by batch and its data is
 * held once. Sizes come from the schema metadata (n, and text bytes per field, written by pipelineFieldsToTable);
 * without them (older files) text parts are joined at the end.
 */
class FieldAssembler {
  private readonly out: Record<string, unknown> = {};
  private readonly textParts = new Map<string, TextColumn[]>();
  private row = 0;
  private readonly textAt = new Map<string, number>();

  constructor(private readonly schema: Schema, private readonly n: number) {
    for (const field of schema.fields) {
      const name = field.name as PipelineField;
      const layout = LAYOUT[name];
      if (layout === 'matrix') out(this, name, { rows: n, cols: (field.type as FixedSizeList).listSize, data: new Float32Array(n * (field.type as FixedSizeList).listSize) });
      else if (layout === 'int32') out(this, name, new Int32Array(n));
      else if (layout === 'float32') out(this, name, new Float32Array(n));
      else if (layout === 'text') {
        const total = Number(schema.metadata.get(`${META_PREFIX}textBytes.${name}`));
        if (Number.isFinite(total)) {
          out(this, name, { bytes: new Uint8Array(total), offsets: new Float64Array(n + 1) });
          this.textAt.set(name, 0);
        } else this.textParts.set(name, []);
      }
    }
    function out(self: FieldAssembler, name: string, v: unknown): void { self.out[name] = v; }
  }

  add(batch: RecordBatch): void {
    const len = batch.numRows;
    if (this.row + len > this.n) throw new Error(`the file holds more rows than its metadata says (${this.n})`);
    for (const field of this.schema.fields) {
      const name = field.name as PipelineField;
      const layout = LAYOUT[name];
      if (!layout || layout === 'json') continue;
      const d = batch.getChild(name)!.data[0];
      if (layout === 'text') {
        const off = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + len + 1);
        const base = off[0];
        const src = (d.values as Uint8Array).subarray(base, off[len]);
        const parts = this.textParts.get(name);
        if (parts) {
          const col = textColumnFrom(src.slice(), off);
          for (let i = 0; i < col.offsets.length; i++) col.offsets[i] -= base;
          parts.push(col);
          continue;
        }
        const col = this.out[name] as TextColumn;
        const at = this.textAt.get(name)!;
        if (at + src.length > col.bytes.length) throw new Error(`${name}: the file holds more text than its metadata says`);
        col.bytes.set(src, at);
        for (let i = 1; i <= len; i++) col.offsets[this.row + i] = at + (off[i] - base);
        this.textAt.set(name, at + src.length);
      } else if (layout === 'matrix') {
        const m = this.out[name] as Matrix;
        const child = d.children[0];
        const start = child.offset + d.offset * m.cols;
        m.data.set((child.values as Float32Array).subarray(start, start + len * m.cols), this.row * m.cols);
      } else {
        const a = this.out[name] as Int32Array | Float32Array;
        a.set((d.values as Int32Array | Float32Array).subarray(d.offset, d.offset + len) as never, this.row);
      }
    }
    this.row += len;
  }

  finish(): { n: number; fields: Partial<PipelineData>; metadata: Map<string, string> } {
    if (this.row !== this.n) throw new Error(`the file holds ${this.row} rows, its metadata says ${this.n}`);
    for (const [name, parts] of this.textParts) this.out[name] = parts.length === 1 ? parts[0] : concatTexts(parts);
    const metadata = this.schema.metadata;
    const h = metadata.get(`${META_PREFIX}hierarchy`);
    if (h !== undefined) this.out.hierarchy = (JSON.parse(h) as number[][]).map((lvl) => Int32Array.from(lvl));
    const ci = metadata.get(`${META_PREFIX}clusterInfo`);
    if (ci !== undefined) this.out.clusterInfo = JSON.parse(ci) as ClusterInfo[];
    return { n: this.n, fields: this.out as Partial<PipelineData>, metadata };
  }
}

/** Read the pipeline fields back from an Arrow IPC file (any codec registered by ensureArrowCodecs). */
export async function ipcFileToPipelineFields(bytes: Uint8Array, opts: { compressed?: boolean } = {}): Promise<{ n: number; fields: Partial<PipelineData>; metadata: Map<string, string> }> {
  if (opts.compressed !== false) await ensureArrowCodecs();
  return tableToPipelineFields(tableFromIPC(bytes));
}

/**
 * Read the pipeline fields of an Arrow IPC file from disk, batch by batch through a file handle: works past 2 GiB
 * and holds the file's bytes once (in the result), not twice.
 */
export async function readPipelineFieldsFile(path: string): Promise<{ n: number; fields: Partial<PipelineData>; metadata: Map<string, string> }> {
  await ensureArrowCodecs();
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    let asm: FieldAssembler | undefined;
    for await (const b of reader) {
      asm ??= new FieldAssembler(reader.schema, Number(reader.schema.metadata.get(`${META_PREFIX}n`) ?? 0));
      asm.add(b);
    }
    return (asm ?? new FieldAssembler(reader.schema, 0)).finish();
  } finally {
    await fh.close();
  }
}

function tableToPipelineFields(table: Table): { n: number; fields: Partial<PipelineData>; metadata: Map<string, string> } {
  const asm = new FieldAssembler(table.schema, Number(table.schema.metadata.get(`${META_PREFIX}n`) ?? table.numRows));
  for (const b of table.batches) asm.add(b);
  return asm.finish();
}

function sameView(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/**
 * True when the Arrow file at `path` holds exactly `fields` of `data` (row-wise fields byte for byte, JSON fields as
 * JSON). Reads batch by batch and compares each with the matching rows of `data`, so verifying a 3.5 GB column
 * costs one batch of memory, not a second copy of the column.
 */
export async function verifyPipelineFieldsFile(path: string, data: PipelineData, fields: readonly PipelineField[]): Promise<boolean> {
  await ensureArrowCodecs();
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    const meta = reader.schema.metadata;
    if (Number(meta.get(`${META_PREFIX}n`)) !== data.n) return false;
    const get = (f: PipelineField): unknown => (data as unknown as Record<string, unknown>)[f];
    for (const f of fields) {
      const v = get(f);
      if (v === undefined || LAYOUT[f] !== 'json') continue;
      const want = f === 'hierarchy' ? (v as Int32Array[]).map((l) => Array.from(l)) : v;
      if (meta.get(`${META_PREFIX}${f}`) !== JSON.stringify(want)) return false;
    }
    const rowFields = fields.filter((f) => get(f) !== undefined && LAYOUT[f] !== 'json');
    if (rowFields.some((f) => !reader.schema.fields.some((s) => s.name === f))) return false;
    let row = 0;
    for await (const batch of reader) {
      const len = batch.numRows;
      if (row + len > data.n) return false;
      for (const f of rowFields) {
        const d = batch.getChild(f)!.data[0];
        const v = get(f);
        if (LAYOUT[f] === 'text') {
          const col = v as TextColumn;
          const off = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + len + 1);
          const base = off[0], srcBase = col.offsets[row];
          for (let i = 0; i <= len; i++) if (off[i] - base !== col.offsets[row + i] - srcBase) return false;
          if (!sameView((d.values as Uint8Array).subarray(base, off[len]), col.bytes.subarray(srcBase, col.offsets[row + len]))) return false;
        } else if (LAYOUT[f] === 'matrix') {
          const m = v as Matrix;
          const child = d.children[0];
          const start = child.offset + d.offset * m.cols;
          if (!sameView((child.values as Float32Array).subarray(start, start + len * m.cols), m.data.subarray(row * m.cols, (row + len) * m.cols))) return false;
        } else {
          const a = v as Int32Array | Float32Array;
          if (!sameView((d.values as Int32Array | Float32Array).subarray(d.offset, d.offset + len), a.subarray(row, row + len))) return false;
        }
      }
      row += len;
    }
    return row === data.n;
  } finally {
    await fh.close();
  }
}
