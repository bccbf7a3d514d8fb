/**
 * Run folders, created exclusively: two sweeps started in the same millisecond (from several processes or machines
 * sharing a folder) never share one. The id sorts by time and ends in the pid and a random suffix; the final
 * mkdir is not recursive, so EEXIST means someone else has it and we draw another id.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { errnoInWords } from '../io/errno-words.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** A run id that sorts by time and is unique: 20261124-061502-123-quick-4242-9f3a1c. */
export function uniqueRunId(profileName: string, now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19);
  return `${iso}-${profileName.replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A bad output folder: the message names the folder and says what is wrong in words. */
export class OutputFolderError extends UserError {}

/** Make sure `outDir` is a folder we can create run folders in; throws OutputFolderError in words. */
export function ensureOutputFolder(outDir: string, flag = '--out'): string {
  const abs = resolve(outDir);
  if (existsSync(abs) && !statSync(abs).isDirectory())
    throw new OutputFolderError(`${flag} ${outDir}: is a file, not a folder`);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new OutputFolderError(`${flag} ${outDir}: cannot create the output folder: ${errnoInWords(e)}`);
  }
  try {
    accessSync(abs, constants.W_OK);
  } catch (e) {
    throw new OutputFolderError(`${flag} ${outDir}: cannot create run folders there: ${errnoInWords(e)}`);
  }
  return abs;
}

/** Create a fresh run folder under `outDir` (exclusive: never one another process also got). */
export function createRunFolder(outDir: string, profileName: string, now = new Date()): { id: string; runDir: string } {
  const parent = ensureOutputFolder(outDir);
  for (let attempt = 0; ; attempt++) {
    const id = uniqueRunId(profileName, now);
    const runDir = join(parent, id);
    try {
      mkdirSync(runDir); // not recursive: fails with EEXIST when taken
      return { id, runDir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 20) continue;
      throw new OutputFolderError(`--out ${outDir}: cannot create the run folder ${runDir}: ${errnoInWords(e)}`);
    }
  }
}
