/**
 * The report's tables as plain data (raw numbers, not formatted), built from results.json alone; each becomes a CSV
 * file (report.md and report.html show the same data formatted). Optional sections that are lists of objects (hardware, scaling,
 * storage, workerScaling, repeatStats...) become tables too, whatever fields they grow.
 */
import type { RunResults } from '../harness/types.js';
import { cellSamples, medianOf, qualityFigures, runCells } from '../harness/analysis/cell-metrics.js';
import { sectionAsTables } from './section-tables.js';

/** A cell value: numbers stay numbers so CSV keeps full precision. */
export type TableValue = string | number | boolean | null;

/** One table of the report. */
export interface ReportTable {
  /** File-safe id, also the CSV file name. */
  id: string;
  title: string;
  columns: string[];
  rows: TableValue[][];
}

/** Sections that are not tables: the cluster map is a chart, the checkpoint manifest is bookkeeping. */
const nonTableSections = new Set(['clusterMap', 'checkpoints']);

/** Machine metadata as a two-column table. */
export function machineTable(r: RunResults): ReportTable {
  const m = r.machine;
  return {
    id: 'machine',
    title: 'Machine',
    columns: ['field', 'value'],
    rows: [
      ['cpu', m.cpuModel],
      ['cores', m.cores],
      ['memory bytes', m.totalMemBytes],
      ['platform', `${m.platform}/${m.arch}`],
      ['hostname', m.hostname],
      ['node', m.nodeVersion],
      ['v8', m.v8Version],
      ['git commit', m.gitCommit ?? 'unknown'],
      ['git dirty', m.gitDirty],
      ['profile', r.profilePath],
      ['run id', r.id],
      ['started', r.startedAt],
      ['finished', r.finishedAt],
      ['clusterbench', r.tool.version],
    ],
  };
}

/** Breaking points with their bracket. */
export function breakingPointsTable(r: RunResults): ReportTable {
  return {
    id: 'breaking-points',
    title: 'Breaking points',
    columns: ['stage', 'kind', 'last passing scale', 'first failing scale', 'reason'],
    rows: r.breakingPoints.map((b) => [
      `${b.stage}/${b.method}`,
      b.kind,
      b.lastPassingScale ?? null,
      b.firstFailingScale,
      b.reason,
    ]),
  };
}

/** One row per stage x scale: medians over repeats. */
export function stagesTable(r: RunResults): ReportTable {
  return {
    id: 'stages',
    title: 'Stages per scale (medians over repeats)',
    columns: [
      'scale',
      'stage',
      'status',
      'repeats',
      'wall ms',
      'cpu ms',
      'peak rss bytes',
      'peak heap bytes',
      'items per sec',
      'gc ms',
      'reason',
    ],
    rows: runCells(r).map((c) => {
      const ok = c.status === 'ok';
      const m = (name: Parameters<typeof cellSamples>[1]): number | null =>
        ok ? (Number.isFinite(medianOf(cellSamples(c, name))) ? medianOf(cellSamples(c, name)) : null) : null;
      return [
        c.scale,
        `${c.stage}/${c.method}`,
        c.status,
        c.records.length,
        m('wall_p50'),
        m('cpu_p50'),
        m('peak_rss') ?? (c.records[0]?.peakRssBytes || null),
        m('peak_heap'),
        m('throughput'),
        m('gc_ms'),
        c.records.find((x) => x.reason)?.reason ?? '',
      ];
    }),
  };
}

/** Quality figures per scale (one column per metric seen). */
export function qualityTable(r: RunResults): ReportTable {
  const figs = r.scales.map((s) => ({ scale: s.scale, q: qualityFigures(s.quality) }));
  const cols: string[] = [];
  for (const f of figs) for (const k of Object.keys(f.q)) if (!cols.includes(k)) cols.push(k);
  return {
    id: 'quality',
    title: 'Quality per scale',
    columns: ['scale', ...cols],
    rows: figs.map((f) => [f.scale, ...cols.map((k) => f.q[k] ?? null)]),
  };
}

/** Tables read from optional sections (hardware first, as it leads the report), one CSV per list in a section. */
export function sectionTables(r: RunResults): ReportTable[] {
  const entries = Object.entries(r.sections)
    .filter(([k]) => !nonTableSections.has(k))
    .sort(([a], [b]) => (a === 'hardware' ? -1 : b === 'hardware' ? 1 : a.localeCompare(b)));
  const out: ReportTable[] = [];
  for (const [name, section] of entries) {
    for (const t of sectionAsTables(section)) {
      const id = `section-${name}${t.part ? `-${t.part}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_');
      out.push({
        id,
        title: `${name}${t.part ? ` ${t.part}` : ''}`,
        columns: t.columns,
        rows: t.rows.map((row) => t.columns.map((c) => (row[c] ?? null) as TableValue)),
      });
    }
  }
  return out;
}

/** Every table of the report, in display order. */
export function reportTables(r: RunResults): ReportTable[] {
  return [machineTable(r), breakingPointsTable(r), stagesTable(r), qualityTable(r), ...sectionTables(r)];
}

/** RFC 4180 CSV of one table. */
export function tableToCsv(t: ReportTable): string {
  const cell = (v: TableValue): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.columns.map(cell).join(','), ...t.rows.map((row) => row.map(cell).join(','))].join('\n') + '\n';
}
