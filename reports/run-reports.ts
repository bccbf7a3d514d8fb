/** Writes a run's results.json and every report built from it into runs/<id>/. */
import { join } from 'node:path';
import type { RunResults } from '../harness/types.js';
import { writeFileAtomic } from '../harness/io/atomic-write.js';
import { measurementSections } from '../harness/analysis/derived-sections.js';
import { renderMarkdownReport } from './markdown-report.js';
import { writeReportFiles } from './report-files.js';
import { renderHardwareCsv } from './hardware-table.js';

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
