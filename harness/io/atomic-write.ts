/** Write files so that nothing is ever half-written: temp file in the same folder, then rename. */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileWriteError } from './errno-words.js';

let tmpSerial = 0;

/** A temp path beside `path`, unique within this process and across processes. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now()}-${tmpSerial++}`;
}

/**
 * Write `content` to `path` atomically. A failure (ENOSPC, EACCES...) removes the temp file and throws a
 * FileWriteError naming the file and `phase` (e.g. "checkpoint", "report").
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, phase?: string): void {
  const tmp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, phase, err, typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength);
  }
}
