/** report.md sections for the scaling laws (sections.scaling) and the repeat statistics (sections.repeatStats). */
import type { ScalingFit, ScalingSection } from '../harness/analysis/scaling-law-fit.js';
import type { RepeatStatsSection, SampleStats } from '../harness/analysis/repeat-statistics.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';

/** " (low–high)" for a 95% interval; intervals wider than 100x (few or noisy scales) are summarised, not printed. */
export function intervalText(low: number | null | undefined, high: number | null | undefined, fmt: (v: number) => string): string {
  if (low == null || high == null) return '';
  if (!(low > 0) || high / low > 100) return ' (95% interval > 100× wide)';
  return ` (${fmt(low)}–${fmt(high)})`;
}

const fmtMetric = (f: ScalingFit) => (v: number): string => (f.metric === 'wallMs' || f.metric === 'cpuMs' ? formatMs(v) : formatBytes(v));

function estimateText(f: ScalingFit, scale: number): string {
  const e = f.estimates.find((x) => x.scale === scale);
  if (!e) return '—';
  const fmt = fmtMetric(f);
  const range = intervalText(e.low, e.high, fmt);
  return `${fmt(e.estimate)}${range}${e.basis === 'measured' ? '' : ` *${e.basis}*`}`;
}

/** The scaling-law table: one row per stage and metric, the fitted class, the power law and the estimates. */
export function renderScalingMarkdown(s: ScalingSection): string[] {
  if (!s.fits.length) return ['## Scaling laws', '', 'Not enough scales ran to fit (two or more are needed per stage).', ''];
  const out = [
    '## Scaling laws', '',
    'Best complexity by normalised RMS over 1, log n, n, n log n, n², n³ (as Google Benchmark\'s oAuto); power law a·n^b by log-log ' +
      'least squares with a 95% CI for b. Estimates are power-law values with 95% prediction intervals; *extrapolated* = outside the measured scales. ' +
      'memory = worker heap + array buffers above the worker\'s start; pipeline RSS = the process\'s peak RSS.', '',
    `| stage | metric | measured n | best fit | nRMS | b (95% CI) | ${s.targets.map((t) => `n=${t.toLocaleString('en-US')}`).join(' | ')} |`,
    `|---|---|---|---|---|---|${s.targets.map(() => '---').join('|')}|`,
  ];
  for (const f of s.fits) {
    const best = f.candidates.find((c) => c.complexity === f.best)!;
    const b = f.powerLaw ? `${f.powerLaw.b.toFixed(2)}${f.powerLaw.bCi95 ? ` (${f.powerLaw.bCi95[0].toFixed(2)}–${f.powerLaw.bCi95[1].toFixed(2)})` : ''}` : '—';
    const metric = { wallMs: 'wall time', cpuMs: 'CPU time', memoryBytes: 'memory', rssBytes: 'peak RSS' }[f.metric];
    out.push(`| ${f.stage} | ${metric} | ${f.measuredMin.toLocaleString('en-US')}–${f.measuredMax.toLocaleString('en-US')} (${f.measured.length}) | ${f.bigO} | ${best.nrms.toFixed(3)} | ${b} | ${s.targets.map((t) => estimateText(f, t)).join(' | ')} |`);
  }
  out.push('');
  return out;
}

const msRange = (x: SampleStats): string => `${formatMs(x.ci95[0])}–${formatMs(x.ci95[1])}`;

/** The repeat-statistics table: wall time per cell. */
export function renderRepeatStatsMarkdown(s: RepeatStatsSection): string[] {
  if (!s.cells.length) return [];
  const out = [
    '## Repeats and statistics', '',
    `${s.warmup} warm-up run(s), then ${s.repeats} measured repeat(s) per cell. Wall time: median, min, max, MAD, a 95% bootstrap CI of the median ` +
      `(${s.bootstrapResamples} seeded resamples), and outliers by modified z-score (|z| > ${s.outlierZ}).`, '',
    '| stage | n | repeats | median | min | max | MAD | 95% CI of median | outliers |', '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of s.cells) {
    const w = c.wallMs;
    const outliers = w.outliers.length ? w.outliers.map((i) => `#${i} (z=${Number.isFinite(w.modifiedZ[i]) ? w.modifiedZ[i].toFixed(1) : '∞'})`).join(', ') : '—';
    out.push(`| ${c.stage}/${c.method} | ${c.scale.toLocaleString('en-US')} | ${c.repeats} | ${formatMs(w.median)} | ${formatMs(w.min)} | ${formatMs(w.max)} | ${formatMs(w.mad)} | ${msRange(w)} | ${outliers} |`);
  }
  out.push('');
  return out;
}
