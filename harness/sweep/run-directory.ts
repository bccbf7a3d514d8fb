/** runs/<id>/: where a run's results.json and every report file go (folders are created by run-folder.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResults } from '../types.js';

/** Read a run's results.json, with a clear error when it is missing or not ours. */
export function readResults(runDir: string): RunResults {
  const path = join(runDir, 'results.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read results (${(e as Error).message})`);
  }
  const r = raw as RunResults;
  if (r?.schemaVersion !== 1 || !Array.isArray(r.records)) throw new Error(`${path}: not a clusterbench results.json (schemaVersion 1 expected)`);
  return r;
}
