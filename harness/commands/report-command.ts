/** `clusterbench report RUN_DIR`: rebuild every report file of a run from its results.json alone. */
import { resolve } from 'node:path';
import { readResults } from '../sweep/run-directory.js';
import { writeRunReports } from '../../reports/run-reports.js';

/**
 * Rebuild every report file in `runDir` (report.md, hardware.csv, report.html, charts/, csv/, bmf.json) through the
 * same writer a sweep uses; derived sections (scaling, repeat statistics, hardware) are recomputed from the records.
 */
export async function reportCommand(runDir: string): Promise<string[]> {
  const dir = resolve(runDir);
  return writeRunReports(dir, readResults(dir));
}
