/** The hardware recommendation table as Markdown (top of report.md) and as runs/<id>/hardware.csv. */
import type { HardwareCell, HardwareSection } from '../harness/analysis/hardware-recommendation.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';
import { intervalText } from './scaling-law-report.js';

const usd = (v: number): string => (v === 0 ? '$0' : v < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`);

function cellText(c: HardwareCell, fmt: (v: number) => string): string {
  if (c.value === null) return 'unknown';
  const range = intervalText(c.low, c.high, fmt);
  return `${fmt(c.value)}${range} *${c.basis}*`;
}

/** The Markdown table, for the top of report.md. */
export function renderHardwareMarkdown(h: HardwareSection): string[] {
  const out = [
    '## Hardware recommendation', '',
    `Measured on: ${h.machine}. RAM = pipeline peak RSS × ${h.safetyFactor}; time = single-worker ${h.timeMetric === 'cpu' ? 'CPU' : 'wall'} time of all stages; ` +
      `disk = ${h.diskFormat ? `\`${h.diskFormat}\` storage` : 'storage (not measured)'}. *measured* cells come from this run; *interpolated* and *extrapolated* ones from fitted power laws with 95% prediction intervals.`, '',
    '| conversations | RAM | cores | disk | time | API cost | notes |', '|---|---|---|---|---|---|---|',
  ];
  for (const r of h.rows) {
    const notes = [...(r.beyondBreakingPoints.length ? [`beyond breaking point: ${r.beyondBreakingPoints.join(', ')}`] : [])];
    out.push(`| ${r.scale.toLocaleString('en-US')} | ${cellText(r.ramBytes, formatBytes)} | ${r.cores.value === null ? 'unknown' : `${r.cores.value} *${r.cores.basis}*`} | ${cellText(r.diskBytes, formatBytes)} | ${cellText(r.timeMs, formatMs)} | ${cellText(r.costUsd, usd)} | ${notes.join('; ')} |`);
  }
  const unknownNotes = [...new Set(h.rows.flatMap((r) => [r.cores, r.diskBytes, r.costUsd, r.ramBytes].filter((c) => c.value === null).map((c) => c.note ?? '')))].filter(Boolean);
  const coreNote = h.rows.find((r) => r.cores.note && r.cores.value !== null)?.cores.note;
  if (coreNote) out.push('', `Cores: ${coreNote}.`);
  const timeNote = h.rows.find((r) => r.timeMs.note?.includes('excludes'))?.timeMs.note;
  if (timeNote) out.push('', `Time: ${timeNote}; those rows understate the pipeline's time.`);
  if (unknownNotes.length) out.push('', `Unknown cells: ${unknownNotes.join('; ')}.`);
  out.push('');
  return out;
}

const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** runs/<id>/hardware.csv: one row per target scale; raw numbers (bytes, ms, USD) and a basis column per quantity. */
export function renderHardwareCsv(h: HardwareSection): string {
  const header = ['scale', 'ram_bytes', 'ram_low', 'ram_high', 'ram_basis', 'cores', 'cores_basis', 'disk_bytes', 'disk_basis', 'disk_format', 'time_ms', 'time_low', 'time_high', 'time_basis', 'time_metric', 'cost_usd', 'cost_basis', 'machine', 'safety_factor', 'notes'];
  const lines = [header.join(',')];
  for (const r of h.rows) {
    lines.push([
      r.scale, r.ramBytes.value, r.ramBytes.low, r.ramBytes.high, r.ramBytes.basis, r.cores.value, r.cores.basis, r.diskBytes.value, r.diskBytes.basis, h.diskFormat,
      r.timeMs.value, r.timeMs.low, r.timeMs.high, r.timeMs.basis, h.timeMetric, r.costUsd.value, r.costUsd.basis, h.machine, h.safetyFactor,
      r.beyondBreakingPoints.length ? `beyond breaking point: ${r.beyondBreakingPoints.join('; ')}` : '',
    ].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
