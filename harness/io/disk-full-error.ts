/** A clear error for a write that ran out of disk (ENOSPC) or quota (EDQUOT): which file, and how many bytes it needed. */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes } from '../../pipeline/support/format-units.js';

/** Thrown when a file could not be written for lack of space; the partial file has been removed. */
export class DiskFullError extends Error {
  override name = 'DiskFullError';
  constructor(message: string, readonly path: string, readonly bytesNeeded: number, readonly bytesFree: number | undefined) {
    super(message);
  }
}

function freeBytes(path: string): number | undefined {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** `err` as a DiskFullError naming the path and the bytes needed when it is ENOSPC/EDQUOT; otherwise `err` unchanged. */
export function diskFullError(err: unknown, path: string, bytesNeeded: number): unknown {
  const code = (err as { code?: string } | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  const free = freeBytes(path);
  return new DiskFullError(
    `no space left on the device writing ${path}: it needs about ${formatBytes(bytesNeeded)} (${bytesNeeded} bytes)` +
      `${free !== undefined ? `, ${formatBytes(free)} free` : ''}; no partial file was left. Free space, or point the run directory elsewhere (--out).`,
    path, bytesNeeded, free,
  );
}
