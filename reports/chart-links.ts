import type { RunResults } from '../harness/types.js';
import { reportCharts } from './report-charts.js';

/** The Markdown "Charts" section: links to charts/*.svg, and a line per skipped chart. */
export function markdownChartLinks(r: RunResults): string[] {
  const lines = [
    '## Charts',
    '',
    'Open `report.html` for every chart inline with hover labels; the SVG files are in `charts/`, the tables in `csv/`.',
    '',
  ];
  for (const c of reportCharts(r))
    lines.push(c.spec ? `- [${c.title}](charts/${c.id}.svg)` : `- ${c.title}: skipped (${c.skipped})`);
  lines.push('');
  return lines;
}
