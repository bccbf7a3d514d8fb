/** report.md: stands on its own (e.g. in a PR comment). Built from results.json alone. */
import type { RunResults, StageRecord } from '../harness/types.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';
import { methodLimitLines, qualityLine } from './quality-markdown.js';
import { renderMeasurementSections } from './diagnostics-report.js';
import { markdownChartLinks } from './chart-links.js';
import { isMeasuredStatus } from '../harness/sweep/cell-status.js';
import { renderHardwareMarkdown } from './hardware-table.js';
import { renderRepeatStatsMarkdown, renderScalingMarkdown } from './scaling-law-report.js';
import { minUniqueFraction } from '../harness/analysis/scaling-law-fit.js';
import { costLines, embeddingThroughputLines } from './cost-throughput-markdown.js';
import { apiCallLines } from './api-calls-table.js';
import { concurrencyLines } from './concurrency-table.js';
import { inputLines } from './input-markdown.js';
import { labelingLines } from './labelings-table.js';
import { topicsLines } from './topics-markdown.js';
import { stageWarningLines } from './stage-warnings-markdown.js';
import { executionModeLines } from './execution-modes-table.js';

const fmt = (v: number | undefined, digits = 3): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);

/** What ran: profile, scales, stages, repeats (the first line a newcomer reads). */
function ranLine(r: RunResults): string {
  const p = r.profile as Partial<{
    name: string;
    scales: number[];
    stages: { stage: string; method: string }[];
    repeats: number;
    warmup: number;
  }>;
  const scales = (p.scales ?? [...new Set(r.scales.map((s) => s.scale))])
    .map((s) => s.toLocaleString('en-US'))
    .join(', ');
  const stages = (p.stages ?? []).map((s) => `${s.stage}/${s.method}`).join(' → ');
  return `- **Ran:** profile \`${p.name ?? r.profilePath}\` at n = ${scales}${stages ? `; stages ${stages}` : ''}; ${p.repeats ?? 1} repeat${(p.repeats ?? 1) === 1 ? '' : 's'}${p.warmup ? ` after ${p.warmup} warm-up${p.warmup === 1 ? '' : 's'}` : ''}`;
}

/** The per-stage table at the largest scale that ran: the sweep's headline. */
function largestScaleLines(r: RunResults): string[] {
  const ran = r.records.filter((x) => x.status !== 'skipped');
  if (ran.length === 0) return [];
  const scale = Math.max(...ran.map((x) => x.scale));
  const q = r.scales.find((s) => s.scale === scale)?.quality ?? {};
  return [
    `## Stages at the largest scale (n = ${scale.toLocaleString('en-US')})`,
    '',
    '| stage | status | time | peak RSS | peak heap | items/s | quality |',
    '|---|---|---|---|---|---|---|',
    ...r.records
      .filter((x) => x.scale === scale && x.repeat === 0)
      .map((rec) => stageRow(rec, rec.stage === 'cluster' ? `ARI ${fmt(q.ari)}` : '')),
    '',
    `Quality: ${qualityLine(q)}. Every scale is under "Per scale" below.`,
    '',
  ];
}

function machineLines(r: RunResults): string[] {
  const m = r.machine;
  return [
    ranLine(r),
    `- **Machine:** ${m.cpuModel}, ${m.cores} cores, ${formatBytes(m.totalMemBytes)} RAM, ${m.platform}/${m.arch}`,
    `- **Node:** ${m.nodeVersion} (V8 ${m.v8Version}); **commit:** ${m.gitCommit ?? 'unknown'}${m.gitDirty ? ' (dirty)' : ''}`,
    `- **Profile:** \`${r.profilePath}\`; **started:** ${r.startedAt}; **finished:** ${r.finishedAt}`,
    isolationLine(r),
  ];
}

/** Which isolation measured which of the sweep's cells (the extras after the sweep always run in its own process). */
function isolationLine(r: RunResults): string {
  const byMode = new Map<string, StageRecord[]>();
  for (const x of r.records.filter((x) => x.status !== 'skipped'))
    byMode.set(x.isolation ?? 'thread', [...(byMode.get(x.isolation ?? 'thread') ?? []), x]);
  const mixed = byMode.size > 1;
  const how = [...byMode]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([m, recs]) =>
        (m === 'process'
          ? '**process** (a fresh child process per scale × stage × repeat: its peak RSS, growth over its baseline, VmHWM and heap are its own)'
          : "**thread** (in the sweep's process: RSS includes what earlier stages left)") +
        (mixed
          ? `: ${recs.length} cells (${[...new Set(recs.map((x) => `${x.stage}/${x.method}`))].join(', ')} at n=${[...new Set(recs.map((x) => x.scale))].join(', ')})`
          : ''),
    );
  return `- **Cells measured in:** ${how.join('; ') || '—'}; CPU is the stage's own threads'. Leak check, pipelines at once, worker scaling and the concurrency sweep run in the sweep's process.`;
}

function stageRow(rec: StageRecord, quality: string): string {
  const status = rec.status === 'ok' ? 'ok' : `**${rec.status}**${rec.reason ? ` (${rec.reason.slice(0, 80)})` : ''}`;
  const ok = isMeasuredStatus(rec.status); // degraded and superlinear cells ran: show their numbers
  return `| ${rec.stage}/${rec.method} | ${status} | ${ok ? formatMs(rec.wallMs) : '—'} | ${rec.peakRssBytes ? `${formatBytes(rec.peakRssBytes)}${rec.peakRssDeltaBytes !== undefined ? ` (+${formatBytes(rec.peakRssDeltaBytes)})` : ''}` : '—'} | ${ok ? formatBytes(rec.peakHeapUsedBytes) : '—'} | ${ok ? Math.round(rec.itemsPerSec).toLocaleString('en-US') : '—'} | ${quality} |`;
}

/** Render the whole Markdown report. */
export function renderMarkdownReport(r: RunResults): string {
  const out: string[] = [`# clusterbench report: ${r.id}`, '', ...machineLines(r), ''];
  out.push(...inputLines(r));
  // The first screen (issue 14): what ran, the stages at the largest scale, breaking points, topics; then (in
  // report.html) the map and the other charts; the hardware table and the per-scale detail after them.
  out.push(...largestScaleLines(r));
  if (r.breakingPoints.length > 0) {
    out.push(
      '## Breaking points',
      '',
      '| stage | kind | last passing scale | first failing scale | bisected bracket | reason |',
      '|---|---|---|---|---|---|',
    );
    for (const b of r.breakingPoints) {
      const bis = b.bisection;
      const bracket = bis
        ? `passes ${bis.passScale.toLocaleString('en-US')}, breaks ${bis.failScale.toLocaleString('en-US')} (${(bis.relativeWidth * 100).toFixed(1)}% wide, ${bis.steps.length} runs${bis.converged ? '' : `; ${bis.note ?? 'not converged'}`})`
        : '—';
      out.push(
        `| ${b.stage}/${b.method} | ${b.kind} | ${b.lastPassingScale ?? '—'} | ${b.firstFailingScale} | ${bracket} | ${b.reason.slice(0, 120)} |`,
      );
    }
    out.push('');
  } else out.push("No breaking points within the profile's scales.", '');
  out.push(...stageWarningLines(r));
  out.push(...topicsLines(r));
  const hardware = r.sections.hardware;
  if (hardware?.rows) out.push(...renderHardwareMarkdown(hardware));
  out.push('## Per scale', '');
  for (const s of r.scales) {
    const q = s.quality;
    out.push(`### n = ${s.scale.toLocaleString('en-US')}`, '');
    const qText = `ARI ${fmt(q.ari)}`;
    out.push('| stage | status | time | peak RSS | peak heap | items/s | quality |', '|---|---|---|---|---|---|---|');
    for (const rec of r.records.filter((x) => x.scale === s.scale && x.repeat === 0))
      out.push(stageRow(rec, rec.stage === 'cluster' ? qText : ''));
    const extras = [`clusters ${q.clusterCount ?? '—'}`, `noise ${fmt(q.noiseFraction, 3)}`];
    const unique = s.input?.uniqueFraction;
    if (unique !== undefined)
      extras.push(
        `unique texts ${(unique * 100).toFixed(2)}%${unique < minUniqueFraction ? ' ⚠ under 99%: fits and the hardware table flag projections that use this scale' : ''}`,
      );
    out.push('', `Quality: ${qualityLine(q)}; ${extras.join('; ')}.`, '');
  }
  out.push(...labelingLines(r));
  out.push(...executionModeLines(r));
  out.push(...methodLimitLines(r));
  out.push(...embeddingThroughputLines(r), ...costLines(r));
  out.push(...apiCallLines(r), ...concurrencyLines(r));
  const scaling = r.sections.scaling;
  if (scaling?.fits) out.push(...renderScalingMarkdown(scaling));
  const repeatStats = r.sections.repeatStats;
  // One repeat per cell: medians, spread and CIs of one sample say nothing; a line says why the table is absent.
  if (repeatStats?.cells && repeatStats.repeats <= 1)
    out.push(
      'Repeat statistics omitted: one repeat per cell (set `repeats: 3` or more in the profile for medians, spread and 95% CIs).',
      '',
    );
  else if (repeatStats?.cells) out.push(...renderRepeatStatsMarkdown(repeatStats));
  out.push(...renderMeasurementSections(r));
  out.push(...markdownChartLinks(r));
  return out.join('\n');
}
