/**
 * Pack and read strings as one UTF-8 buffer, so text crosses worker threads by transfer instead of clone.
 * Offsets are float64 (no 2 GiB ceiling); `utf8Batch` gives the Int32 offsets one Arrow Utf8 record batch needs.
 */
import type { TextColumn } from '../contracts.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Arrow Utf8 layout of one record batch: Int32 offsets, so at most 2 GiB of bytes. */
export interface Utf8Batch {
  bytes: Uint8Array;
  offsets: Int32Array;
}

/** Largest byte count Int32 offsets can address. */
export const MAX_UTF8_BATCH_BYTES = 2 ** 31 - 1;

/** Pack strings into a TextColumn. */
export function packTexts(texts: readonly string[]): TextColumn {
  const parts = texts.map((t) => encoder.encode(t));
  const offsets = new Float64Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  const bytes = new Uint8Array(offsets[parts.length]);
  for (let i = 0; i < parts.length; i++) bytes.set(parts[i], offsets[i]);
  return { bytes, offsets };
}

/** Pack strings as one Arrow Utf8 batch (Int32 offsets); throws past 2 GiB. */
export function packUtf8Batch(texts: readonly string[]): Utf8Batch {
  const col = packTexts(texts);
  return utf8Batch(col, 0, textCount(col));
}

/**
 * Rows [from, to) of a column as an Arrow Utf8 batch: offsets rebased to 0 as Int32, bytes shared (no copy).
 * Throws when the rows hold more than 2 GiB; split them first (utf8BatchRanges).
 */
export function utf8Batch(col: TextColumn, from: number, to: number): Utf8Batch {
  const base = col.offsets[from];
  const size = col.offsets[to] - base;
  if (size > MAX_UTF8_BATCH_BYTES)
    throw new RangeError(
      `rows ${from}..${to} hold ${size} bytes of text, more than one Utf8 batch (2 GiB) can address`,
    );
  const offsets = new Int32Array(to - from + 1);
  for (let i = 0; i <= to - from; i++) offsets[i] = col.offsets[from + i] - base;
  return { bytes: col.bytes.subarray(base, col.offsets[to]), offsets };
}

/**
 * Split rows [0, n) into consecutive ranges whose text (over every column given) stays at or under maxBytes each,
 * and at most maxRows rows. A single row larger than maxBytes gets a range of its own.
 */
export function utf8BatchRanges(
  cols: readonly TextColumn[],
  n: number,
  maxBytes: number,
  maxRows = Infinity,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = 0;
  while (from < n) {
    const bytesTo = (t: number): number => cols.reduce((s, c) => s + (c.offsets[t] - c.offsets[from]), 0);
    // Bytes grow with the row index, so bisect for the last row that fits (10M rows: no per-row scan).
    let lo = from + 1;
    let hi = Math.min(n, from + maxRows);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (bytesTo(mid) <= maxBytes) lo = mid;
      else hi = mid - 1;
    }
    out.push([from, lo]);
    from = lo;
  }
  return out;
}

/** A TextColumn whose offsets come from an Arrow Utf8 batch (Int32) or any number array. */
export function textColumnFrom(bytes: Uint8Array, offsets: ArrayLike<number>): TextColumn {
  return { bytes, offsets: Float64Array.from(offsets) };
}

/** Number of strings in a column. */
export function textCount(col: TextColumn): number {
  return col.offsets.length - 1;
}

/** UTF-8 bytes of the column's strings. */
export function textBytes(col: TextColumn): number {
  return col.offsets[col.offsets.length - 1] - col.offsets[0];
}

/** Decode string i. */
export function textAt(col: TextColumn, i: number): string {
  return decoder.decode(col.bytes.subarray(col.offsets[i], col.offsets[i + 1]));
}

/** Decode every string (allocates n strings: use textAt in hot loops over huge columns). */
export function unpackTexts(col: TextColumn): string[] {
  const n = textCount(col);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = textAt(col, i);
  return out;
}

/** Take rows `indices` of a column into a new column. */
export function selectTexts(col: TextColumn, indices: ArrayLike<number>): TextColumn {
  const offsets = new Float64Array(indices.length + 1);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    offsets[i + 1] = offsets[i] + (col.offsets[r + 1] - col.offsets[r]);
  }
  const bytes = new Uint8Array(offsets[indices.length]);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    bytes.set(col.bytes.subarray(col.offsets[r], col.offsets[r + 1]), offsets[i]);
  }
  return { bytes, offsets };
}
