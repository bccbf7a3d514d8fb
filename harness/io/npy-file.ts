/**
 * NumPy .npy files (format version 1.0 written; 1.0, 2.0 and 3.0 read), for command stages: matrices as float32
 * '<f4' and label vectors as int32 '<i4', C order. Our own because it is ~100 lines and every npm package we looked
 * at either pulls in a numpy clone or reads only. Reading also accepts '<f8' and '<i8' (what numpy gives by
 * default) and converts them, refusing int64 values outside int32's range.
 * Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { UserError } from '../../pipeline/support/user-error.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** dtypes this module reads; '<f4' and '<i4' are also written. */
export type NpyDescr = '<f4' | '<i4' | '<f8' | '<i8';

const ITEM_SIZE: Record<NpyDescr, number> = { '<f4': 4, '<i4': 4, '<f8': 8, '<i8': 8 };

/** A decoded array: data is always float32 or int32 (wider dtypes converted); `descr` says what the file held. */
export interface NpyArray {
  descr: NpyDescr;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** An .npy problem; message starts with the file's name. */
export class NpyError extends UserError {}

/** The .npy header (magic, version, length, dict padded so the data starts at a multiple of 64 bytes). */
export function npyHeader(descr: '<f4' | '<i4', shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** Write a float32 or int32 array as .npy (temp file, then rename), without copying the data. */
export function writeNpyFile(path: string, data: Float32Array | Int32Array, shape: readonly number[]): number {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new Error(`${path}: shape (${shape.join(', ')}) holds ${count} values, the array has ${data.length}`);
  const header = npyHeader(data instanceof Float32Array ? '<f4' : '<i4', shape);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, header);
    // Our hosts are little-endian (x86-64, arm64), so the typed array's bytes are already '<'.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, Math.min(1 << 30, bytes.length - at));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return header.length + data.byteLength;
}

/** Decode .npy bytes; `name` is used in messages. Throws NpyError saying what is wrong. */
export function decodeNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new NpyError(`${name}: not an .npy file (no \\x93NUMPY magic; write it with numpy.save)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else throw new NpyError(`${name}: .npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0, 3.0 are)`);
  if (start + headerLen > bytes.length) throw new NpyError(`${name}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyError(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  if (!(descr in ITEM_SIZE))
    throw new NpyError(
      `${name}: dtype '${descr}' is not supported; save float32 ('<f4') matrices and int32 ('<i4') labels (int64 and float64 are converted)`,
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`${name}: malformed shape (${shapeText})`);
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1)
    throw new NpyError(`${name}: Fortran-order array; save it C-ordered (numpy.ascontiguousarray)`);
  const d = descr as NpyDescr;
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const expected = count * ITEM_SIZE[d];
  if (bytes.length - dataStart < expected)
    throw new NpyError(
      `${name}: truncated: shape (${shape.join(', ')}) of '${d}' needs ${expected} data bytes, the file has ${bytes.length - dataStart}`,
    );
  // Copy out of the file buffer: it may not be aligned for the typed array, and the copy owns its buffer (transferable).
  const raw = new Uint8Array(bytes.subarray(dataStart, dataStart + expected)).buffer; // a copy (Buffer#slice would not be)
  let data: Float32Array | Int32Array;
  if (d === '<f4') data = new Float32Array(raw);
  else if (d === '<i4') data = new Int32Array(raw);
  else if (d === '<f8') data = Float32Array.from(new Float64Array(raw));
  else {
    const wide = new BigInt64Array(raw);
    data = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = wide[i];
      if (v > 2147483647n || v < -2147483648n)
        throw new NpyError(`${name}: value ${v} at index ${i} does not fit in int32`);
      data[i] = Number(v);
    }
  }
  return { descr: d, shape, data };
}

/** Read and decode an .npy file; `name` (default: the path) is used in messages. */
export function readNpyFile(path: string, name = path): NpyArray {
  return decodeNpy(readFileSync(path), name);
}
