/** Write files so that nothing is ever half-written: temp file in the same folder, then rename. */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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
    throw new FileWriteError(
      path,
      phase,
      err,
      typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength,
    );
  }
}

/**
 * Write lines (each without its newline) to `path` atomically, in about 1 MiB batches, so a file of a million rows
 * is never one string in memory. Failures as writeFileAtomic.
 */
export function writeLinesAtomic(path: string, lines: Iterable<string>, phase?: string): void {
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, 'w');
    let batch: string[] = [];
    let size = 0;
    for (const line of lines) {
      batch.push(line);
      size += line.length + 1;
      if (size >= 1 << 20) {
        writeSync(fd, batch.join('\n') + '\n');
        batch = [];
        size = 0;
      }
    }
    if (batch.length) writeSync(fd, batch.join('\n') + '\n');
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new FileWriteError(path, phase, err);
  }
}
