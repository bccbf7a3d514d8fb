/** File-system errors in words: which file, what went wrong, and in which phase of the run. */
import { UserError } from '../../pipeline/support/user-error.js';

const WORDS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENOTEMPTY: 'folder not empty',
};

/** "no space left on the device (ENOSPC)" for an errno error, else its message. */
export function errnoInWords(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words = e?.code ? WORDS[e.code] : undefined;
  return words ? `${words} (${e.code})` : (e?.message ?? String(err));
}

/** A write failure that names the file and the phase; `code` stays the errno code so callers can still test it. */
export class FileWriteError extends UserError {
  readonly code: string | undefined;
  /** `bytesNeeded`: the size of what was being written, said on a full disk (ENOSPC, EDQUOT, EFBIG). */
  constructor(
    readonly path: string,
    readonly phase: string | undefined,
    cause: unknown,
    readonly bytesNeeded?: number,
  ) {
    const full = ['ENOSPC', 'EDQUOT', 'EFBIG'].includes((cause as NodeJS.ErrnoException)?.code ?? '');
    const need = full && bytesNeeded !== undefined ? `; ${bytesNeeded.toLocaleString('en-US')} bytes needed` : '';
    super(`${path}: cannot write${phase ? ` (${phase})` : ''}: ${errnoInWords(cause)}${need}`, { cause });
    this.code = (cause as NodeJS.ErrnoException)?.code;
  }
}
