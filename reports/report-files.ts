/**
 * Writes every report file beside results.json, built from it alone: report.html (self-contained), charts/*.svg,
 * csv/*.csv (one per table) and bmf.json (Bencher). report.md (reports/markdown-report.ts) links
 * the chart files through `markdownChartLinks` (reports/chart-links.ts).
 */
import { join } from 'node:path';
import type { RunResults } from '../harness/types.js';
import { writeFileAtomic } from '../harness/io/atomic-write.js';
import { reportCharts } from './report-charts.js';
import { renderVegaLiteSvg } from './vega-svg.js';
import { renderHtmlReport, type RenderedChart } from './html-report.js';
import { reportTables, tableToCsv } from './report-tables.js';
import { toBencherMetricFormat } from './bencher-bmf.js';
import { renderMarkdownReport } from './markdown-report.js';

/** Render every chart; a chart that fails to render is kept with its error, never fails the report. */
export async function renderReportCharts(r: RunResults): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const chart of reportCharts(r)) {
    if (!chart.spec) {
      out.push({ chart });
      continue;
    }
    try {
      out.push({ chart, svg: await renderVegaLiteSvg(chart.spec, chart.id) });
    } catch (e) {
      out.push({ chart, error: (e as Error).message });
    }
  }
  return out;
}

/** Write report.html, charts/*.svg, csv/*.csv and bmf.json; returns the paths written. */
export async function writeReportFiles(runDir: string, r: RunResults): Promise<string[]> {
  const written: string[] = [];
  const put = (rel: string, content: string): void => {
    const p = join(runDir, rel);
    writeFileAtomic(p, content);
    written.push(p);
  };
  const charts = await renderReportCharts(r);
  for (const c of charts) if (c.svg) put(join('charts', `${c.chart.id}.svg`), c.svg);
  for (const t of reportTables(r)) put(join('csv', `${t.id}.csv`), tableToCsv(t));
  put('bmf.json', JSON.stringify(toBencherMetricFormat(r), null, 1));
  put('report.html', renderHtmlReport(r, charts, renderMarkdownReport(r)));
  return written;
}
