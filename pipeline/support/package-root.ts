/** The clusterbench package folder (holds profiles/, generators/data/), found from this file, whether run from dist/ or not. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === 'clusterbench')
      return (cached = dir);
    const up = dirname(dir);
    if (up === dir)
      throw new Error('cannot find the clusterbench package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
