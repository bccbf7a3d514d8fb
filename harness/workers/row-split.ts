/** Slice PipelineData into row ranges and join row pieces back into contiguous buffers. */
import type { Matrix, PipelineData, PipelineField, TextColumn } from '../types.js';
import { fieldEntry, fieldEntries, fieldSpec, setField, type FieldEntry } from '../../pipeline/pipeline-fields.js';

/** Rows [from, to) of a text column, rebased to offset 0. */
export function sliceTextRows(col: TextColumn, from: number, to: number): TextColumn {
  const base = col.offsets[from];
  const offsets = new Float64Array(to - from + 1);
  for (let i = 0; i <= to - from; i++) offsets[i] = col.offsets[from + i] - base;
  return { bytes: col.bytes.slice(base, col.offsets[to]), offsets };
}

/** Rows [from, to) of a matrix. */
export function sliceMatrixRows(m: Matrix, from: number, to: number): Matrix {
  return { rows: to - from, cols: m.cols, data: m.data.slice(from * m.cols, to * m.cols) };
}

/** Concatenate text columns in order. */
export function concatTexts(parts: TextColumn[]): TextColumn {
  const n = parts.reduce((s, p) => s + p.offsets.length - 1, 0);
  const total = parts.reduce((s, p) => s + (p.offsets[p.offsets.length - 1] - p.offsets[0]), 0);
  const offsets = new Float64Array(n + 1);
  const bytes = new Uint8Array(total);
  let row = 0;
  let pos = 0;
  for (const p of parts) {
    const k = p.offsets.length - 1;
    const base = p.offsets[0];
    for (let i = 1; i <= k; i++) offsets[row + i] = pos + (p.offsets[i] - base);
    bytes.set(p.bytes.subarray(base, p.offsets[k]), pos);
    pos += p.offsets[k] - base;
    row += k;
  }
  return { bytes, offsets };
}

/** Concatenate matrices with the same column count. */
export function concatMatrices(parts: Matrix[]): Matrix {
  const cols = parts[0]?.cols ?? 0;
  for (const p of parts)
    if (p.cols !== cols) throw new Error(`concatMatrices: column counts differ (${p.cols} vs ${cols})`);
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const data = new Float32Array(rows * cols);
  let at = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.rows * cols), at);
    at += p.rows * cols;
  }
  return { rows, cols, data };
}

/** Concatenate typed arrays of one kind. */
export function concatTyped<T extends Int32Array | Float32Array>(parts: T[], Kind: new (length: number) => T): T {
  const out = new Kind(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Boundaries of `parts` near-equal contiguous ranges over n rows. */
export function rowRanges(n: number, parts: number): Array<[number, number]> {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from(
    { length: k },
    (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as [number, number],
  );
}

/** Rows [from, to) of one field; a whole-scale field comes whole (its buffers copied, so each slice can be transferred). */
function sliceEntry(e: FieldEntry, from: number, to: number): FieldEntry {
  switch (e.layout) {
    case 'text':
      return { ...e, value: sliceTextRows(e.value, from, to) };
    case 'matrix':
      return { ...e, value: sliceMatrixRows(e.value, from, to) };
    case 'int32':
      return { ...e, value: e.value.slice(from, to) };
    case 'float32':
      return { ...e, value: e.value.slice(from, to) };
    case 'int32-levels':
      return { ...e, value: e.value.map((level) => level.slice()) };
    case 'json':
      return e;
  }
}

/** Rows [from, to) of every field of data (pipeline/pipeline-fields.ts); whole-scale fields go to each slice whole. */
export function sliceRows(data: PipelineData, from: number, to: number): PipelineData {
  const out: PipelineData = { n: to - from };
  for (const e of fieldEntries(data)) setField(out, sliceEntry(e, from, to));
  return out;
}

/** One field of row pieces joined in order (every piece has the field's layout: they come from one stage). */
function joinEntries(field: PipelineField, parts: FieldEntry[]): FieldEntry {
  switch (fieldSpec(field).layout) {
    case 'text':
      return {
        field,
        layout: 'text',
        value: concatTexts(parts.flatMap((p) => (p.layout === 'text' ? [p.value] : []))),
      };
    case 'matrix':
      return {
        field,
        layout: 'matrix',
        value: concatMatrices(parts.flatMap((p) => (p.layout === 'matrix' ? [p.value] : []))),
      };
    case 'int32':
      return {
        field,
        layout: 'int32',
        value: concatTyped(
          parts.flatMap((p) => (p.layout === 'int32' ? [p.value] : [])),
          Int32Array,
        ),
      };
    case 'float32':
      return {
        field,
        layout: 'float32',
        value: concatTyped(
          parts.flatMap((p) => (p.layout === 'float32' ? [p.value] : [])),
          Float32Array,
        ),
      };
    default:
      throw new Error(
        `joinRows: field ${field} is one value for the whole scale, not per-row, so a stage writing it cannot be split by rows`,
      );
  }
}

/** Join the `fields` of row pieces (in order) into one PipelineData. Whole-scale fields are refused. */
export function joinRows(pieces: Partial<PipelineData>[], fields: readonly PipelineField[]): Partial<PipelineData> {
  const out: Partial<PipelineData> = {};
  for (const f of fields) {
    const parts = pieces.map((p) => fieldEntry(p, f));
    if (parts.every((v) => v === undefined)) continue;
    if (parts.some((v) => v === undefined)) throw new Error(`joinRows: field ${f} is missing from some pieces`);
    setField(
      out,
      joinEntries(
        f,
        parts.filter((e): e is FieldEntry => e !== undefined),
      ),
    );
  }
  return out;
}
