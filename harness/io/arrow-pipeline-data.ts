/**
 * PipelineData fields <-> Apache Arrow tables, zero-copy on the way out: a TextColumn is already Arrow's Utf8
 * layout (int32 offsets + UTF-8 bytes), a Matrix is a FixedSizeList<Float32>, labels are Int32. Fields that are
 * not one value per row (hierarchy, clusterInfo) travel as JSON in the schema metadata.
 *
 * Used by the stage checkpoints (harness/sweep/sweep-checkpoint.ts) and storage accounting (harness/analysis/storage-accounting.ts).
 */
import {
  CompressionType, Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, Table,
  tableFromIPC, Utf8, type Data, type DataType,
} from 'apache-arrow';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ClusterInfo, Matrix, PipelineData, PipelineField, TextColumn } from '../types.js';
import { concatInt32, concatMatrices, concatTexts } from '../workers/row-split.js';
import { tempPathFor } from './atomic-write.js';
import { FileWriteError } from './errno-words.js';
import { trackWrite } from './write-guard.js';

// The codecs (zstd as WebAssembly) cost ~90 ms CPU to load: only when a file is compressed (a cell's child process
// reads and writes uncompressed files, and its start-up is per cell).
const ensureArrowCodecs = async (): Promise<void> => (await import('./arrow-codecs.js')).ensureArrowCodecs();

/** How a field is laid out in Arrow. */
type FieldLayout = 'text' | 'matrix' | 'int32' | 'float32' | 'json';

const LAYOUT: Record<PipelineField, FieldLayout> = {
  conversations: 'text', summaries: 'text', embeddings: 'matrix', reduced: 'matrix', projection: 'matrix',
  labels: 'int32', truth: 'int32', membership: 'float32', outlierScores: 'float32', hierarchy: 'json', clusterInfo: 'json',
};

const META_PREFIX = 'clusterbench.';

/** Body compression for an Arrow IPC file. */
export type ArrowCompression = 'none' | 'lz4' | 'zstd';

function columnData(field: PipelineField, value: unknown, n: number): { type: DataType; data: Data } {
  const layout = LAYOUT[field];
  if (layout === 'text') {
    const col = value as TextColumn;
    if (col.offsets.length !== n + 1) throw new Error(`${field}: has ${col.offsets.length - 1} rows, expected ${n}`);
    const type = new Utf8();
    return { type, data: makeData({ type, length: n, nullCount: 0, valueOffsets: col.offsets, data: col.bytes }) };
  }
  if (layout === 'matrix') {
    const m = value as Matrix;
    if (m.rows !== n) throw new Error(`${field}: has ${m.rows} rows, expected ${n}`);
    const child = makeData({ type: new Float32(), length: m.rows * m.cols, nullCount: 0, data: m.data.subarray(0, m.rows * m.cols) });
    const type = new FixedSizeList(m.cols, new Field('item', new Float32(), false));
    return { type, data: makeData({ type, length: n, nullCount: 0, child }) };
  }
  if (layout === 'float32') {
    const f = value as Float32Array;
    if (f.length !== n) throw new Error(`${field}: has ${f.length} rows, expected ${n}`);
    const type = new Float32();
    return { type, data: makeData({ type, length: n, nullCount: 0, data: f }) };
  }
  const a = value as Int32Array;
  if (a.length !== n) throw new Error(`${field}: has ${a.length} rows, expected ${n}`);
  const type = new Int32();
  return { type, data: makeData({ type, length: n, nullCount: 0, data: a }) };
}

/** An Arrow table of the given fields of data (those present). Row-wise fields become columns named after the field. */
export function pipelineFieldsToTable(data: PipelineData, fields: readonly PipelineField[], extraMetadata: Record<string, string> = {}): Table {
  const n = data.n;
  const schemaFields: Field[] = [];
  const children: Data[] = [];
  const metadata = new Map<string, string>([[`${META_PREFIX}n`, String(n)], ...Object.entries(extraMetadata)]);
  for (const f of fields) {
    const value = (data as unknown as Record<string, unknown>)[f];
    if (value === undefined) continue;
    if (LAYOUT[f] === 'json') {
      const json = f === 'hierarchy' ? (value as Int32Array[]).map((lvl) => Array.from(lvl)) : value;
      metadata.set(`${META_PREFIX}${f}`, JSON.stringify(json));
      continue;
    }
    const { type, data: d } = columnData(f, value, n);
    schemaFields.push(new Field(f, type, false));
    children.push(d);
  }
  const schema = new Schema(schemaFields, metadata);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schemaFields), length: n, nullCount: 0, children }));
  return new Table(schema, [batch]);
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

// Each reader copies, so the result owns its buffers (transferable, independent of the file's bytes).
function readText(chunks: readonly Data[]): TextColumn {
  const parts: TextColumn[] = chunks.map((d) => {
    const off = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + d.length + 1);
    const base = off[0];
    return { bytes: (d.values as Uint8Array).slice(base, off[d.length]), offsets: off.map((o) => o - base) };
  });
  return parts.length === 1 ? parts[0] : concatTexts(parts);
}

function readMatrix(chunks: readonly Data[], cols: number): Matrix {
  const parts: Matrix[] = chunks.map((d) => {
    const child = d.children[0];
    const start = child.offset + d.offset * cols;
    return { rows: d.length, cols, data: (child.values as Float32Array).slice(start, start + d.length * cols) };
  });
  return parts.length === 1 ? parts[0] : concatMatrices(parts);
}

function readFloat32(chunks: readonly Data[]): Float32Array {
  const parts = chunks.map((d) => (d.values as Float32Array).slice(d.offset, d.offset + d.length));
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function readInt32(chunks: readonly Data[]): Int32Array {
  const parts = chunks.map((d) => (d.values as Int32Array).slice(d.offset, d.offset + d.length));
  return parts.length === 1 ? parts[0] : concatInt32(parts);
}

/** Read the pipeline fields back from an Arrow IPC file (any codec registered by ensureArrowCodecs; `compressed: false` skips loading them). */
export async function ipcFileToPipelineFields(bytes: Uint8Array, opts: { compressed?: boolean } = {}): Promise<{ n: number; fields: Partial<PipelineData>; metadata: Map<string, string> }> {
  if (opts.compressed !== false) await ensureArrowCodecs();
  const table = tableFromIPC(bytes);
  const metadata = table.schema.metadata;
  const n = Number(metadata.get(`${META_PREFIX}n`) ?? table.numRows);
  const out: Record<string, unknown> = {};
  for (const field of table.schema.fields) {
    const name = field.name as PipelineField;
    const layout = LAYOUT[name];
    if (!layout) continue;
    const chunks = table.getChild(name)!.data;
    if (layout === 'text') out[name] = readText(chunks);
    else if (layout === 'matrix') out[name] = readMatrix(chunks, (field.type as FixedSizeList).listSize);
    else if (layout === 'int32') out[name] = readInt32(chunks);
    else if (layout === 'float32') out[name] = readFloat32(chunks);
  }
  const h = metadata.get(`${META_PREFIX}hierarchy`);
  if (h !== undefined) out.hierarchy = (JSON.parse(h) as number[][]).map((lvl) => Int32Array.from(lvl));
  const ci = metadata.get(`${META_PREFIX}clusterInfo`);
  if (ci !== undefined) out.clusterInfo = JSON.parse(ci) as ClusterInfo[];
  return { n, fields: out as Partial<PipelineData>, metadata };
}
