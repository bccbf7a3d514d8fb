/**
 * Reads a file as raw byte lines, with 1-based line numbers and byte offsets, in bounded memory. Lines longer than
 * `maxBytes` are reported (with their length) but not kept. Bytes are not decoded here so that invalid UTF-8 can be
 * reported with its line instead of being silently replaced.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** One line of the file (without its "\n" or "\r\n"). */
export interface RawLine {
  /** 1-based line number. */
  number: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Length in bytes, without the line ending. */
  length: number;
  /** The bytes, or undefined when the line is longer than maxBytes. */
  bytes?: Buffer;
}

const CHUNK = 4 << 20;

/** Stream the lines of a file. */
export function* readRawLines(path: string, maxBytes: number): Generator<RawLine> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let lineStart = 0;
    let number = 1;
    let filePos = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, CHUNK, filePos);
      if (got === 0) break;
      let pos = 0;
      while (pos < got) {
        const nl = buf.indexOf(10, pos);
        const end = nl === -1 || nl >= got ? got : nl;
        const piece = end - pos;
        if (pendingLen + piece <= maxBytes + 1) pending.push(Buffer.from(buf.subarray(pos, end)));
        pendingLen += piece;
        if (end === got && (nl === -1 || nl >= got)) {
          pos = got;
          break;
        }
        let length = pendingLen;
        let bytes: Buffer | undefined =
          length <= maxBytes + 1 ? (pending.length === 1 ? pending[0] : Buffer.concat(pending)) : undefined;
        if (bytes && length > 0 && bytes[length - 1] === 13) {
          bytes = bytes.subarray(0, length - 1);
          length--;
        }
        if (bytes && length > maxBytes) bytes = undefined;
        yield { number, offset: lineStart, length, bytes };
        number++;
        lineStart = filePos + end + 1;
        pending = [];
        pendingLen = 0;
        pos = end + 1;
      }
      filePos += got;
    }
    if (pendingLen > 0) {
      let length = pendingLen;
      let bytes: Buffer | undefined = length <= maxBytes + 1 ? Buffer.concat(pending) : undefined;
      if (bytes && bytes[length - 1] === 13) {
        bytes = bytes.subarray(0, length - 1);
        length--;
      }
      if (bytes && length > maxBytes) bytes = undefined;
      yield { number, offset: lineStart, length, bytes };
    }
  } finally {
    closeSync(fd);
  }
}

/** Read `length` bytes at `offset` (one line found by a previous scan). */
export function readBytesAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, b, done, length - done, offset + done);
    if (got === 0)
      throw new Error(`unexpected end of file at byte ${offset + done} (did the file change during the run?)`);
    done += got;
  }
  return b;
}

/** Byte index of the first invalid UTF-8 sequence, or -1. Only used to word an error, so clarity beats speed. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const need =
      c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    if (need === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f))) return i;
    if (need === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))) return i;
    i += need + 1;
  }
  return -1;
}
