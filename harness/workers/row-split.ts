/** Slice PipelineData into row ranges and join row pieces back into contiguous buffers. */
import type { Matrix, PipelineData, PipelineField, TextColumn } from '../types.js';

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
  for (const p of parts) if (p.cols !== cols) throw new Error(`concatMatrices: column counts differ (${p.cols} vs ${cols})`);
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const data = new Float32Array(rows * cols);
  let at = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.rows * cols), at);
    at += p.rows * cols;
  }
  return { rows, cols, data };
}

/** Concatenate Int32Arrays. */
export function concatInt32(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const TEXT_FIELDS = new Set<PipelineField>(['conversations', 'summaries']);
const MATRIX_FIELDS = new Set<PipelineField>(['embeddings', 'reduced', 'projection']);
const ROW_INT_FIELDS = new Set<PipelineField>(['labels', 'truth']);

/** Boundaries of `parts` near-equal contiguous ranges over n rows. */
export function rowRanges(n: number, parts: number): Array<[number, number]> {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as [number, number]);
}

/** Rows [from, to) of the per-row fields of data (text, matrix, labels/truth). Other fields are not carried. */
export function sliceRows(data: PipelineData, from: number, to: number): PipelineData {
  const out: PipelineData = { n: to - from };
  const o = out as unknown as Record<string, unknown>;
  const d = data as unknown as Record<string, unknown>;
  for (const f of TEXT_FIELDS) if (d[f]) o[f] = sliceTextRows(d[f] as TextColumn, from, to);
  for (const f of MATRIX_FIELDS) if (d[f]) o[f] = sliceMatrixRows(d[f] as Matrix, from, to);
  for (const f of ROW_INT_FIELDS) if (d[f]) o[f] = (d[f] as Int32Array).slice(from, to);
  return out;
}

/** Join the `fields` of row pieces (in order) into one PipelineData. Fields that are not per-row are refused. */
export function joinRows(pieces: Partial<PipelineData>[], fields: readonly PipelineField[]): Partial<PipelineData> {
  const out: Partial<PipelineData> = {};
  for (const f of fields) {
    const vals = pieces.map((p) => (p as Record<string, unknown>)[f]);
    if (vals.every((v) => v === undefined)) continue;
    if (vals.some((v) => v === undefined)) throw new Error(`joinRows: field ${f} is missing from some pieces`);
    if (TEXT_FIELDS.has(f)) (out as Record<string, unknown>)[f] = concatTexts(vals as TextColumn[]);
    else if (MATRIX_FIELDS.has(f)) (out as Record<string, unknown>)[f] = concatMatrices(vals as Matrix[]);
    else if (ROW_INT_FIELDS.has(f)) (out as Record<string, unknown>)[f] = concatInt32(vals as Int32Array[]);
    else throw new Error(`joinRows: field ${f} is not per-row, so a stage writing it cannot be split by rows`);
  }
  return out;
}
