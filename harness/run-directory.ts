/** runs/<id>/: where a run's results.json and every report file go. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResults } from './types.js';
import { writeFileAtomic } from './atomic-write.js';
import { renderMarkdownReport } from '../reports/markdown-report.js';
import { writeReportFiles } from '../reports/report-files.js';
import { measurementSections } from './measurement-sections.js';
import { renderHardwareCsv } from '../reports/hardware-recommendation.js';

/** A run id that sorts by time: 20261124-061502-quick. */
export function newRunId(profileName: string, now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${iso}-${profileName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

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

/** Write results.json and every report built from it (report.md, report.html, charts/, csv/, bmf.json). Returns the files written. */
export async function writeRunReports(runDir: string, results: RunResults): Promise<string[]> {
  // Derived sections (scaling, repeatStats, hardware) last, so they see every other section.
  const derived = measurementSections(results);
  Object.assign(results.sections, derived);
  const files: [string, string][] = [
    ['results.json', JSON.stringify(results, null, 1)],
    ['report.md', renderMarkdownReport(results)],
    ['hardware.csv', renderHardwareCsv(derived.hardware)],
  ];
  for (const [name, content] of files) writeFileAtomic(join(runDir, name), content);
  return [...files.map(([name]) => join(runDir, name)), ...(await writeReportFiles(runDir, results))];
}
