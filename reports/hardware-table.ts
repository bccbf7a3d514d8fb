/** The hardware recommendation table as Markdown (top of report.md) and as runs/<id>/hardware.csv. */
import type { HardwareCell, HardwareRow, HardwareSection } from '../harness/analysis/hardware-recommendation.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';
import { intervalText, lowUniqueText } from './scaling-law-report.js';

const usd = (v: number): string =>
  v === 0 ? '$0' : v < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

function cellText(c: HardwareCell, fmt: (v: number) => string): string {
  if (c.value === null) return c.basis === 'not-measured' ? 'not measured' : 'unknown';
  const range = intervalText(c.low, c.high, fmt);
  return `${fmt(c.value)}${range} *${c.basis}*`;
}

const cells = (r: HardwareRow): HardwareCell[] => [r.ramBytes, r.cores, r.diskBytes, r.timeMs, r.costUsd];
const projected = (c: HardwareCell): boolean => c.value !== null && c.basis !== 'measured';

/** A row's notes: breaking points, what to run for its not-measured cells, the duplicate-input flag on projections. */
function rowNotes(h: HardwareSection, r: HardwareRow, extra: HardwareCell[]): string[] {
  const notes = r.beyondBreakingPoints.length ? [`beyond breaking point: ${r.beyondBreakingPoints.join(', ')}`] : [];
  const advice = [
    ...new Set([...cells(r), ...extra].filter((c) => c.basis === 'not-measured' && c.note).map((c) => c.note!)),
  ];
  notes.push(...advice);
  if (h.lowUniqueInputs?.length && [...cells(r), ...extra].some(projected))
    notes.push('⚠ projected from input under 99% unique');
  return notes;
}

/** The Markdown table, for the top of report.md. */
export function renderHardwareMarkdown(h: HardwareSection): string[] {
  const groups = h.byMachine ?? [];
  const groupHead = groups.map((g) => ` RAM (${g.label}) | time (${g.label}) |`).join('');
  const out = [
    '## Hardware recommendation',
    '',
    `Measured on: ${h.machine}. RAM = pipeline peak RSS × ${h.safetyFactor}; time = single-worker ${h.timeMetric === 'cpu' ? 'CPU' : 'wall'} time of all stages; ` +
      `disk = ${h.diskFormat ? `\`${h.diskFormat}\` storage` : 'storage (not measured)'}. *measured* cells come from this run; *interpolated* and *extrapolated* ones from fitted power laws with 95% prediction intervals, ` +
      'at most 10× past the largest measured scale (further only when the exponent is known to ±0.1); *not measured* cells say which scales to add.',
    '',
  ];
  if (groups.length) {
    out.push(
      `Cells ran on ${groups.length} machine kinds: ${groups.map((g) => `**${g.label}** = ${g.machine} (${g.cells} records)`).join('; ')}. ` +
        "RAM and time are given again per label, from that label's cells alone; the first RAM and time columns mix them.",
      '',
    );
  }
  const caveat = lowUniqueText(h.lowUniqueInputs);
  if (caveat) out.push(`${caveat}.`, '');
  // Only rows the measurement supports: a row whose RAM and time are both unmeasured and unprojectable is a note,
  // and so is a cores column with no value in any row (no worker-scaling section).
  const supported = h.rows.filter((r) => r.ramBytes.value !== null || r.timeMs.value !== null);
  const dropped = h.rows.filter((r) => !supported.includes(r));
  const showCores = supported.some((r) => r.cores.value !== null);
  out.push(
    `| conversations | RAM |${showCores ? ' cores |' : ''} disk | time | API cost |${groupHead} notes |`,
    `|---|---|${showCores ? '---|' : ''}---|---|---|${groups.map(() => '---|---|').join('')}---|`,
  );
  for (const r of supported) {
    const byLabel = groups.map((g) => g.rows.find((x) => x.scale === r.scale)).filter((x) => x !== undefined);
    const extra = byLabel.flatMap((x) => [x.ramBytes, x.timeMs]);
    const groupCells = byLabel
      .map((x) => ` ${cellText(x.ramBytes, formatBytes)} | ${cellText(x.timeMs, formatMs)} |`)
      .join('');
    const cores = r.cores.value === null ? cellText(r.cores, String) : `${r.cores.value} *${r.cores.basis}*`;
    out.push(
      `| ${r.scale.toLocaleString('en-US')} | ${cellText(r.ramBytes, formatBytes)} |${showCores ? ` ${cores} |` : ''} ${cellText(r.diskBytes, formatBytes)} | ${cellText(r.timeMs, formatMs)} | ${cellText(r.costUsd, usd)} |${groupCells} ${rowNotes(h, r, extra).join('; ')} |`,
    );
  }
  if (!showCores) {
    const why = supported.find((r) => r.cores.note)?.cores.note;
    out.push(
      '',
      `Cores column omitted: not measured${why ? ` (${why})` : ''}; profile \`workerScaling:\` measures it.`,
    );
  }
  if (dropped.length) {
    const advice = [
      ...new Set(
        dropped
          .flatMap((r) => [r.ramBytes, r.timeMs])
          .map((c) => c.note)
          .filter((n): n is string => !!n),
      ),
    ];
    out.push(
      '',
      `Rows for n = ${dropped.map((r) => r.scale.toLocaleString('en-US')).join(', ')} omitted: nothing measured or projectable there${advice.length ? ` (${advice[0]}${advice.length > 1 ? '; and so on' : ''})` : ''}.`,
    );
  }
  const unknownNotes = [
    ...new Set(
      supported.flatMap((r) =>
        cells(r)
          .filter((c) => c.basis === 'unknown' && (showCores || c !== r.cores))
          .map((c) => c.note ?? ''),
      ),
    ),
  ].filter(Boolean);
  const coreNote = h.rows.find((r) => r.cores.note && r.cores.value !== null)?.cores.note;
  if (coreNote) out.push('', `Cores: ${coreNote}.`);
  const timeNote = h.rows.find((r) => r.timeMs.note?.includes('excludes'))?.timeMs.note;
  if (timeNote) out.push('', `Time: ${timeNote}; those rows understate the pipeline's time.`);
  if (unknownNotes.length) out.push('', `Unknown cells: ${unknownNotes.join('; ')}.`);
  out.push('');
  return out;
}

const csvField = (v: string | number | boolean | null | undefined): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** runs/<id>/hardware.csv: one row per table scale; raw numbers (bytes, ms, USD), a basis column per quantity, and RAM and time per machine label. */
export function renderHardwareCsv(h: HardwareSection): string {
  const groups = h.byMachine ?? [];
  const header = [
    'scale',
    'ram_bytes',
    'ram_low',
    'ram_high',
    'ram_basis',
    'cores',
    'cores_basis',
    'disk_bytes',
    'disk_basis',
    'disk_format',
    'time_ms',
    'time_low',
    'time_high',
    'time_basis',
    'time_metric',
    'cost_usd',
    'cost_basis',
    'machine',
    'safety_factor',
    ...groups.flatMap((g) => [
      `ram_bytes@${g.label}`,
      `ram_basis@${g.label}`,
      `time_ms@${g.label}`,
      `time_basis@${g.label}`,
    ]),
    'notes',
  ];
  const lines = [header.join(',')];
  // Only rows the measurement supports: a row whose RAM and time are both unmeasured and unprojectable is a note.
  const supported = h.rows.filter((r) => r.ramBytes.value !== null || r.timeMs.value !== null);
  for (const r of supported) {
    const byLabel = groups.map((g) => g.rows.find((x) => x.scale === r.scale));
    lines.push(
      [
        r.scale,
        r.ramBytes.value,
        r.ramBytes.low,
        r.ramBytes.high,
        r.ramBytes.basis,
        r.cores.value,
        r.cores.basis,
        r.diskBytes.value,
        r.diskBytes.basis,
        h.diskFormat,
        r.timeMs.value,
        r.timeMs.low,
        r.timeMs.high,
        r.timeMs.basis,
        h.timeMetric,
        r.costUsd.value,
        r.costUsd.basis,
        h.machine,
        h.safetyFactor,
        ...byLabel.flatMap((x) => [x?.ramBytes.value, x?.ramBytes.basis, x?.timeMs.value, x?.timeMs.basis]),
        rowNotes(
          h,
          r,
          byLabel.flatMap((x) => (x ? [x.ramBytes, x.timeMs] : [])),
        ).join('; '),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
