/**
 * report.html: one self-contained page (inline CSS and inline SVG charts, no script, no network), so it opens from
 * file://, from a CI artifact, or attached to an email. Hover labels come from SVG <title> elements.
 */
import type { RunResults } from '../harness/types.js';
import { formatBytes, formatMs } from '../harness/format-units.js';
import type { ReportChart } from './report-charts.js';
import { breakingPointsTable, qualityTable, sectionTables, stagesTable, type ReportTable, type TableValue } from './report-tables.js';

/** A chart with its rendered SVG (absent when skipped or when rendering failed, with `error` set). */
export interface RenderedChart {
  chart: ReportChart;
  svg?: string;
  error?: string;
}

/** Escape text for HTML element content and attribute values. */
export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function formatValue(v: TableValue, unit: string | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v !== 'number') return escapeHtml(String(v));
  if (unit === 'bytes') return formatBytes(v);
  if (unit === 'ms') return formatMs(v);
  if (unit === 'ratio' && !Number.isInteger(v)) return v.toFixed(4);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}

/** One table as HTML; numeric columns right-aligned. */
export function tableHtml(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((row) => `<tr>${row.map((v, i) => `<td${typeof v === 'number' ? ' class="num"' : ''}>${formatValue(v, t.units?.[i])}</td>`).join('')}</tr>`).join('\n');
  return `<table id="table-${escapeHtml(t.id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 4px}
table{border-collapse:collapse;margin:8px 0 16px;background:#fff;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{background:#fff;border:1px solid #ddd;margin:0 0 18px;padding:12px;overflow-x:auto}
figcaption{color:#555;font-size:12px;margin-top:6px}
.skipped{color:#8a6d00;background:#fff8e1;border:1px solid #f0dca0;padding:6px 10px;margin:6px 0}
.bad{color:#b00020;font-weight:600}
`;

/** Render the whole page. */
export function renderHtmlReport(r: RunResults, charts: RenderedChart[]): string {
  const m = r.machine;
  const hardware = sectionTables(r).find((t) => t.id === 'section-hardware');
  const others = sectionTables(r).filter((t) => t.id !== 'section-hardware');
  const bp = breakingPointsTable(r);
  const parts: string[] = [];
  parts.push(`<h1>clusterbench report: ${escapeHtml(r.id)}</h1>`);
  parts.push(`<p class="meta"><b>Machine:</b> ${escapeHtml(m.cpuModel)}, ${m.cores} cores, ${formatBytes(m.totalMemBytes)} RAM, ${escapeHtml(`${m.platform}/${m.arch}`)}, host ${escapeHtml(m.hostname)}</p>`);
  parts.push(`<p class="meta"><b>Node:</b> ${escapeHtml(m.nodeVersion)} (V8 ${escapeHtml(m.v8Version)}); <b>commit:</b> ${escapeHtml(m.gitCommit ?? 'unknown')}${m.gitDirty ? ' (dirty)' : ''}; <b>clusterbench</b> ${escapeHtml(r.tool.version)}</p>`);
  parts.push(`<p class="meta"><b>Profile:</b> <code>${escapeHtml(r.profilePath)}</code>; <b>started</b> ${escapeHtml(r.startedAt)}; <b>finished</b> ${escapeHtml(r.finishedAt)}</p>`);
  parts.push('<h2 id="hardware">Hardware recommendation</h2>');
  parts.push(hardware ? tableHtml(hardware) : '<p class="skipped">No hardware table in results.json (sections.hardware).</p>');
  parts.push('<h2 id="breaking-points">Breaking points</h2>');
  parts.push(bp.rows.length ? tableHtml(bp) : '<p>No breaking points within the profile\'s scales.</p>');
  parts.push('<h2 id="charts">Charts</h2>');
  for (const c of charts) {
    if (c.svg) parts.push(`<figure id="chart-${escapeHtml(c.chart.id)}" class="chart">${c.svg}<figcaption>${escapeHtml(c.chart.caption)}</figcaption></figure>`);
    else parts.push(`<p class="skipped" id="chart-${escapeHtml(c.chart.id)}">Skipped: <b>${escapeHtml(c.chart.title)}</b>: ${escapeHtml(c.error ?? c.chart.skipped ?? 'no data')}</p>`);
  }
  parts.push('<h2 id="stages">Stages</h2>', tableHtml(stagesTable(r)));
  const q = qualityTable(r);
  if (q.rows.length) parts.push('<h2 id="quality">Quality</h2>', tableHtml(q));
  for (const t of others) parts.push(`<h2>${escapeHtml(t.title)}</h2>`, tableHtml(t));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>clusterbench ${escapeHtml(r.id)}</title><style>${css}</style></head>
<body><main>
${parts.join('\n')}
</main></body></html>
`;
}
