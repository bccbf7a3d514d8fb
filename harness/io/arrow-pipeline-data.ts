/**
 * PipelineData fields <-> Apache Arrow tables, zero-copy on the way out except text offsets: a TextColumn (float64
 * offsets, any size) is written as Utf8 record batches of at most `maxBatchTextBytes` (1 GiB: Int32 offsets address
 * 2 GiB), a Matrix is a FixedSizeList<Float32>, Int32Array/Float32Array are Int32/Float32 columns; whole-scale fields
 * (hierarchy, clusterInfo) travel as JSON in the schema metadata; layouts come from pipeline/pipeline-fields.ts. Files
 * are read back through a file handle, batch by batch (readFileSync stops at 2 GiB, and a whole-file buffer would
 * double the footprint).
 *
 * Used by the stage checkpoints (harness/sweep/sweep-checkpoint.ts) and storage accounting (harness/analysis/storage-accounting.ts).
 */
import {
  CompressionType,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PipelineData, PipelineField, TextColumn } from '../types.js';
import {
  entryRows,
  fieldEntries,
  fieldSpec,
  isPerRow,
  isPipelineField,
  PIPELINE_FIELD_NAMES,
  setField,
  wholeFromJson,
  wholeToJson,
  type FieldEntry,
  type RowEntry,
} from '../../pipeline/pipeline-fields.js';
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

const META_PREFIX = 'clusterbench.';

/** Body compression for an Arrow IPC file. */
export type ArrowCompression = 'none' | 'lz4' | 'zstd';

function fieldType(e: RowEntry): DataType {
  switch (e.layout) {
    case 'text':
      return new Utf8();
    case 'matrix':
      return new FixedSizeList(e.value.cols, new Field('item', new Float32(), false));
    case 'float32':
      return new Float32();
    case 'int32':
      return new Int32();
  }
}

/** Rows [from, to) of one field as Arrow data (views into the field's buffers; text offsets rebased to Int32). */
function columnData(e: RowEntry, type: DataType, from: number, to: number): Data {
  const length = to - from;
  switch (e.layout) {
    case 'text': {
      const b = utf8Batch(e.value, from, to);
      return makeData({ type: type as Utf8, length, nullCount: 0, valueOffsets: b.offsets, data: b.bytes });
    }
    case 'matrix': {
      const m = e.value;
      const child = makeData({
        type: new Float32(),
        length: length * m.cols,
        nullCount: 0,
        data: m.data.subarray(from * m.cols, to * m.cols),
      });
      return makeData({ type: type as FixedSizeList, length, nullCount: 0, child });
    }
    case 'float32':
      return makeData({ type: type as Float32, length, nullCount: 0, data: e.value.subarray(from, to) });
    case 'int32':
      return makeData({ type: type as Int32, length, nullCount: 0, data: e.value.subarray(from, to) });
  }
}

const isRowEntry = (e: FieldEntry): e is RowEntry =>
  e.layout === 'text' || e.layout === 'matrix' || e.layout === 'int32' || e.layout === 'float32';

/**
 * An Arrow table of the given fields of data (those present). Row-wise fields become columns named after the field.
 * Rows are cut into record batches whose text stays under `maxBatchTextBytes` (tests pass a tiny limit).
 */
export function pipelineFieldsToTable(
  data: PipelineData,
  fields: readonly PipelineField[],
  extraMetadata: Record<string, string> = {},
  maxBatchTextBytes = DEFAULT_BATCH_TEXT_BYTES,
): Table {
  const n = data.n;
  const schemaFields: Field[] = [];
  const columns: Array<{ e: RowEntry; type: DataType }> = [];
  const metadata = new Map<string, string>([[`${META_PREFIX}n`, String(n)], ...Object.entries(extraMetadata)]);
  for (const e of fieldEntries(data, fields)) {
    if (!isRowEntry(e)) {
      metadata.set(`${META_PREFIX}${e.field}`, JSON.stringify(wholeToJson(e)));
      continue;
    }
    if (e.layout === 'text') metadata.set(`${META_PREFIX}textBytes.${e.field}`, String(textBytes(e.value)));
    if (entryRows(e) !== n) throw new Error(`${e.field}: has ${entryRows(e)} rows, expected ${n}`);
    const type = fieldType(e);
    schemaFields.push(new Field(e.field, type, false));
    columns.push({ e, type });
  }
  const schema = new Schema(schemaFields, metadata);
  const texts = columns.flatMap(({ e }) => (e.layout === 'text' ? [e.value] : []));
  const ranges = n === 0 ? [[0, 0] as [number, number]] : utf8BatchRanges(texts, n, maxBatchTextBytes);
  const batches = ranges.map(
    ([from, to]) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(schemaFields),
          length: to - from,
          nullCount: 0,
          children: columns.map((c) => columnData(c.e, c.type, from, to)),
        }),
      ),
  );
  return new Table(schema, batches);
}

/** Uncompressed body bytes of a table: what a write needs on disk, at most (compression only shrinks it). */
export function tableBodyBytes(table: Table): number {
  let total = 0;
  for (const b of table.batches) total += b.data.byteLength;
  return total;
}

function writer(table: Table, compression: ArrowCompression): RecordBatchFileWriter {
  const compressionType =
    compression === 'zstd' ? CompressionType.ZSTD : compression === 'lz4' ? CompressionType.LZ4_FRAME : null;
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
export async function writeTableFileAtomic(
  path: string,
  table: Table,
  compression: ArrowCompression = 'none',
  phase?: string,
): Promise<number> {
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
    // The table's buffers: close to the file's size (Arrow adds a few KB of metadata and padding).
    throw new FileWriteError(
      path,
      phase,
      err,
      table.data.reduce((a, d) => a + d.byteLength, 0),
    );
  }
  return statSync(path).size;
}

/** One column being assembled: its full-size buffer, or (text without a size in the metadata) its batches. */
type ColumnSink = { entry: RowEntry; textAt: number } | { field: PipelineField; parts: TextColumn[] };

/**
 * Copies record batches into one buffer per field as they arrive, so a file is read batch by batch and its data is
 * held once. Sizes come from the schema metadata (n, and text bytes per field, written by pipelineFieldsToTable);
 * without them (older files) text parts are joined at the end. Columns that are not pipeline fields are ignored.
 */
class FieldAssembler {
  private readonly sinks: ColumnSink[] = [];
  private row = 0;

  constructor(
    private readonly schema: Schema,
    private readonly n: number,
  ) {
    for (const column of schema.fields) {
      const field = column.name;
      if (!isPipelineField(field)) continue;
      const layout = fieldSpec(field).layout;
      if (layout === 'matrix') {
        const cols = (column.type as FixedSizeList).listSize;
        this.sinks.push({
          entry: { field, layout, value: { rows: n, cols, data: new Float32Array(n * cols) } },
          textAt: 0,
        });
      } else if (layout === 'int32') this.sinks.push({ entry: { field, layout, value: new Int32Array(n) }, textAt: 0 });
      else if (layout === 'float32')
        this.sinks.push({ entry: { field, layout, value: new Float32Array(n) }, textAt: 0 });
      else if (layout === 'text') {
        const total = Number(schema.metadata.get(`${META_PREFIX}textBytes.${field}`));
        this.sinks.push(
          Number.isFinite(total)
            ? {
                entry: { field, layout, value: { bytes: new Uint8Array(total), offsets: new Float64Array(n + 1) } },
                textAt: 0,
              }
            : { field, parts: [] },
        );
      }
    }
  }

  add(batch: RecordBatch): void {
    const len = batch.numRows;
    if (this.row + len > this.n) throw new Error(`the file holds more rows than its metadata says (${this.n})`);
    for (const sink of this.sinks) {
      const name = 'parts' in sink ? sink.field : sink.entry.field;
      const d = batch.getChild(name)!.data[0];
      if ('parts' in sink) {
        const off = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + len + 1);
        const col = textColumnFrom((d.values as Uint8Array).subarray(off[0], off[len]).slice(), off);
        for (let i = 0; i < col.offsets.length; i++) col.offsets[i] -= off[0];
        sink.parts.push(col);
        continue;
      }
      const e = sink.entry;
      if (e.layout === 'text') {
        const off = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + len + 1);
        const base = off[0];
        const src = (d.values as Uint8Array).subarray(base, off[len]);
        if (sink.textAt + src.length > e.value.bytes.length)
          throw new Error(`${name}: the file holds more text than its metadata says`);
        e.value.bytes.set(src, sink.textAt);
        for (let i = 1; i <= len; i++) e.value.offsets[this.row + i] = sink.textAt + (off[i] - base);
        sink.textAt += src.length;
      } else if (e.layout === 'matrix') {
        const m = e.value;
        const child = d.children[0];
        const start = child.offset + d.offset * m.cols;
        m.data.set((child.values as Float32Array).subarray(start, start + len * m.cols), this.row * m.cols);
      } else if (e.layout === 'int32')
        e.value.set((d.values as Int32Array).subarray(d.offset, d.offset + len), this.row);
      else e.value.set((d.values as Float32Array).subarray(d.offset, d.offset + len), this.row);
    }
    this.row += len;
  }

  finish(): { n: number; fields: Partial<PipelineData>; metadata: Map<string, string> } {
    if (this.row !== this.n) throw new Error(`the file holds ${this.row} rows, its metadata says ${this.n}`);
    const fields: Partial<PipelineData> = {};
    for (const sink of this.sinks) {
      if ('parts' in sink)
        setField(fields, {
          field: sink.field,
          layout: 'text',
          value: sink.parts.length === 1 ? sink.parts[0] : concatTexts(sink.parts),
        });
      else setField(fields, sink.entry);
    }
    const metadata = this.schema.metadata;
    for (const f of PIPELINE_FIELD_NAMES) {
      const json = isPerRow(f) ? undefined : metadata.get(`${META_PREFIX}${f}`);
      if (json !== undefined) setField(fields, wholeFromJson(f, JSON.parse(json)));
    }
    return { n: this.n, fields, metadata };
  }
}

/** Read the pipeline fields back from an Arrow IPC file (any codec registered by ensureArrowCodecs). */
export async function ipcFileToPipelineFields(
  bytes: Uint8Array,
  opts: { compressed?: boolean } = {},
): Promise<{ n: number; fields: Partial<PipelineData>; metadata: Map<string, string> }> {
  if (opts.compressed !== false) await ensureArrowCodecs();
  return tableToPipelineFields(tableFromIPC(bytes));
}

/**
 * Read the pipeline fields of an Arrow IPC file from disk, batch by batch through a file handle: works past 2 GiB
 * and holds the file's bytes once (in the result), not twice.
 */
export async function readPipelineFieldsFile(
  path: string,
): Promise<{ n: number; fields: Partial<PipelineData>; metadata: Map<string, string> }> {
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

function tableToPipelineFields(table: Table): {
  n: number;
  fields: Partial<PipelineData>;
  metadata: Map<string, string>;
} {
  const asm = new FieldAssembler(table.schema, Number(table.schema.metadata.get(`${META_PREFIX}n`) ?? table.numRows));
  for (const b of table.batches) asm.add(b);
  return asm.finish();
}

function sameView(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

/**
 * True when the Arrow file at `path` holds exactly `fields` of `data` (row-wise fields byte for byte, JSON fields as
 * JSON). Reads batch by batch and compares each with the matching rows of `data`, so verifying a 3.5 GB column
 * costs one batch of memory, not a second copy of the column.
 */
export async function verifyPipelineFieldsFile(
  path: string,
  data: PipelineData,
  fields: readonly PipelineField[],
): Promise<boolean> {
  await ensureArrowCodecs();
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    const meta = reader.schema.metadata;
    if (Number(meta.get(`${META_PREFIX}n`)) !== data.n) return false;
    const entries = fieldEntries(data, fields);
    for (const e of entries) {
      if (!isRowEntry(e) && meta.get(`${META_PREFIX}${e.field}`) !== JSON.stringify(wholeToJson(e))) return false;
    }
    const rowEntries = entries.filter(isRowEntry);
    if (rowEntries.some((e) => !reader.schema.fields.some((s) => s.name === e.field))) return false;
    let row = 0;
    for await (const batch of reader) {
      const len = batch.numRows;
      if (row + len > data.n) return false;
      for (const e of rowEntries) {
        const d = batch.getChild(e.field)!.data[0];
        if (e.layout === 'text') {
          const col = e.value;
          const off = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + len + 1);
          const base = off[0],
            srcBase = col.offsets[row];
          for (let i = 0; i <= len; i++) if (off[i] - base !== col.offsets[row + i] - srcBase) return false;
          if (
            !sameView(
              (d.values as Uint8Array).subarray(base, off[len]),
              col.bytes.subarray(srcBase, col.offsets[row + len]),
            )
          )
            return false;
        } else if (e.layout === 'matrix') {
          const m = e.value;
          const child = d.children[0];
          const start = child.offset + d.offset * m.cols;
          if (
            !sameView(
              (child.values as Float32Array).subarray(start, start + len * m.cols),
              m.data.subarray(row * m.cols, (row + len) * m.cols),
            )
          )
            return false;
        } else if (
          !sameView(
            (d.values as Int32Array | Float32Array).subarray(d.offset, d.offset + len),
            e.value.subarray(row, row + len),
          )
        )
          return false;
      }
      row += len;
    }
    return row === data.n;
  } finally {
    await fh.close();
  }
}
