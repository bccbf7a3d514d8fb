/**
 * report.html: one self-contained page (inline CSS and inline SVG charts, no script, no network), so it opens from
 * file://, from a CI artifact, or attached to an email. Its text and tables are report.md's, rendered with marked,
 * so the two never disagree; the charts are inline SVG with hover labels from SVG <title> elements.
 */
import type { RunResults } from '../harness/types.js';
import { Marked } from 'marked';
import type { ReportChart } from './report-charts.js';

/** A chart with its rendered SVG (absent when skipped or when rendering failed, with `error` set). */
export interface RenderedChart {
  chart: ReportChart;
  svg?: string;
  error?: string;
}

/** Escape text for HTML element content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 6px}ul{padding-left:20px}code{background:#f0f0f0;padding:0 3px;border-radius:3px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 4px}
table{border-collapse:collapse;margin:8px 0 16px;background:#fff;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{background:#fff;border:1px solid #ddd;margin:0 0 18px;padding:12px;overflow-x:auto}
figcaption{color:#555;font-size:12px;margin-top:6px}
.skipped{color:#8a6d00;background:#fff8e1;border:1px solid #f0dca0;padding:6px 10px;margin:6px 0}
.bad{color:#b00020;font-weight:600}
`;

/** Split report.md into what goes above the charts (what ran, stages at the largest scale, breaking points, topics) and below them. */
export function splitMarkdownForHtml(md: string): { top: string; rest: string } {
  // The Markdown's own "Charts" section only links the SVG files; the HTML shows the charts inline instead.
  const withoutCharts = md.replace(/\n## Charts\n[\s\S]*?(?=\n## |$)/, '\n');
  // The charts go after the first screen: what ran, stages at the largest scale, breaking points, topics.
  const cut = withoutCharts.search(/\n## (Hardware recommendation|Per scale)\n/);
  return cut < 0
    ? { top: withoutCharts, rest: '' }
    : { top: withoutCharts.slice(0, cut), rest: withoutCharts.slice(cut) };
}

// Raw HTML in the Markdown (e.g. a reason text holding "<anonymous>") is shown as text, never interpreted.
const markdown = new Marked({ gfm: true, renderer: { html: ({ text }) => escapeHtml(text) } });

/** Markdown to HTML with marked; raw HTML inside the Markdown is escaped, so results text cannot inject markup. */
export function markdownToHtml(md: string): string {
  return markdown.parse(md, { async: false });
}

/**
 * Render the whole page: the Markdown report's own content (so HTML and Markdown never disagree), with the hardware
 * table, breaking points and machine metadata first, then the charts inline, then the rest of the tables.
 */
export function renderHtmlReport(r: RunResults, charts: RenderedChart[], markdown: string): string {
  const { top, rest } = splitMarkdownForHtml(markdown);
  const parts: string[] = [markdownToHtml(top)];
  parts.push('<h2 id="charts">Charts</h2>');
  // The map first: it belongs with the topics table just above it.
  const ordered = [
    ...charts.filter((c) => c.chart.id === 'cluster-map'),
    ...charts.filter((c) => c.chart.id !== 'cluster-map'),
  ];
  for (const c of ordered) {
    if (c.svg)
      parts.push(
        `<figure id="chart-${escapeHtml(c.chart.id)}" class="chart">${c.svg}<figcaption>${escapeHtml(c.chart.caption)}</figcaption></figure>`,
      );
    else
      parts.push(
        `<p class="skipped" id="chart-${escapeHtml(c.chart.id)}">Skipped: <b>${escapeHtml(c.chart.title)}</b>: ${escapeHtml(c.error ?? c.chart.skipped ?? 'no data')}</p>`,
      );
  }
  if (!r.sections.hardware)
    parts.push(
      '<p class="skipped" id="no-hardware">No hardware recommendation table: results.json has no sections.hardware (it needs at least two scales that ran).</p>',
    );
  parts.push(markdownToHtml(rest));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>clusterbench ${escapeHtml(r.id)}</title><style>${css}</style></head>
<body><main>
${parts.join('\n')}
<p class="meta">Tables as CSV in <code>csv/</code>, charts as SVG in <code>charts/</code>, Bencher metrics in <code>bmf.json</code>, everything from <code>results.json</code> (schema ${r.schemaVersion}).</p>
</main></body></html>
`;
}
