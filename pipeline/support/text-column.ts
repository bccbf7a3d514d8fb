/** Pack and read strings as one UTF-8 buffer, so text crosses worker threads by transfer instead of clone. */
import type { TextColumn } from '../contracts.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Pack strings into a TextColumn. */
export function packTexts(texts: readonly string[]): TextColumn {
  const parts = texts.map((t) => encoder.encode(t));
  const offsets = new Int32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  const bytes = new Uint8Array(offsets[parts.length]);
  for (let i = 0; i < parts.length; i++) bytes.set(parts[i], offsets[i]);
  return { bytes, offsets };
}

/** Number of strings in a column. */
export function textCount(col: TextColumn): number {
  return col.offsets.length - 1;
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
  const offsets = new Int32Array(indices.length + 1);
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
