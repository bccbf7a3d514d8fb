/** Paths as users read them in messages: relative to the working directory when inside it, absolute otherwise. */
import { isAbsolute, relative, resolve } from 'node:path';

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}
