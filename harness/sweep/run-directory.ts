/** runs/<id>/: where a run's results.json and every report file go (folders are created by run-folder.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResults } from '../types.js';
import { formatResultsIssues, runResultsSchema } from '../io/results-schema.js';
import { UserError } from '../../pipeline/support/user-error.js';

/**
 * Read a run's results.json and check its schema version and shape once (harness/io/results-schema.ts), so every
 * reader can trust the typed fields. A missing, unparsable or foreign file is refused with its path.
 */
export function readResults(runDir: string): RunResults {
  const path = join(runDir, 'results.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: cannot read results (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseResults(raw, path);
}

/** Check parsed JSON against the results schema; `source` names the file in the error. */
export function parseResults(raw: unknown, source: string): RunResults {
  const version = typeof raw === 'object' && raw !== null && 'schemaVersion' in raw ? raw.schemaVersion : undefined;
  if (version !== 1) {
    throw new UserError(
      `${source}: not a clusterbench results.json (schemaVersion 1 expected, found ${version === undefined ? 'none' : JSON.stringify(version)})`,
    );
  }
  const parsed = runResultsSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      `${source}: results.json does not match schemaVersion 1 (${formatResultsIssues(parsed.error)}); re-run the sweep with this version of clusterbench`,
    );
  // The schema is looser than the types only where JSON is (NaN and Infinity read back as null): the file is ours.
  return raw as RunResults;
}
