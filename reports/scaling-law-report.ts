/** report.md sections for the scaling laws (sections.scaling) and the repeat statistics (sections.repeatStats). */
import type { LowUniqueInput, ScalingFit, ScalingSection } from '../harness/analysis/scaling-law-fit.js';
import type { RepeatStatsSection, SampleStats } from '../harness/analysis/repeat-statistics.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';

/** " (low–high)" for a 95% interval; intervals wider than 100x (few or noisy scales) are summarised, not printed. */
export function intervalText(
  low: number | null | undefined,
  high: number | null | undefined,
  fmt: (v: number) => string,
): string {
  if (low == null || high == null) return '';
  if (!(low > 0) || high / low > 100) return ' (95% interval > 100× wide)';
  return ` (${fmt(low)}–${fmt(high)})`;
}

const fmtMetric =
  (f: ScalingFit) =>
  (v: number): string =>
    f.metric === 'wallMs' || f.metric === 'cpuMs' ? formatMs(v) : formatBytes(v);

/** The caveat for inputs under 99% unique texts, or undefined when there are none. */
export function lowUniqueText(low: LowUniqueInput[] | undefined): string | undefined {
  if (!low?.length) return undefined;
  const which = low
    .map((x) => `n=${x.scale.toLocaleString('en-US')} (${(100 * x.uniqueFraction).toFixed(1)}% unique)`)
    .join(', ');
  return `⚠ input under 99% unique texts at ${which}: estimates from it assume the duplicates grow in step with n, which real data seldom does`;
}

function estimateText(f: ScalingFit, scale: number): string {
  const e = f.estimates.find((x) => x.scale === scale);
  if (!e) return '—';
  if (e.estimate === null) return 'not measured';
  const fmt = fmtMetric(f);
  const range = intervalText(e.low, e.high, fmt);
  return `${fmt(e.estimate)}${range}${e.basis === 'measured' ? '' : ` *${e.basis}*`}`;
}

/** The scaling-law table: one row per stage and metric, the fitted class, the power law and the estimates. */
export function renderScalingMarkdown(s: ScalingSection): string[] {
  if (!s.fits.length) return ['## Scaling laws', '', 'No stage ran at any scale: nothing to fit.', ''];
  const out = [
    '## Scaling laws',
    '',
    'Complexity class: y = c0 + c·f(n) for f in 1, log n, n, n log n, n², n³ (c0 takes fixed costs), least squares on relative residuals; ' +
      'a class is named only when it fits at least 3× better than every other and grows significantly, else *inconclusive*. ' +
      'Power law a·n^b by log-log least squares with a 95% CI for b. A fit needs 4 measured scales spanning 10×; estimates are power-law values ' +
      'with 95% prediction intervals, at most 10× past the largest measured scale unless b is known to ±0.1 (*not measured* beyond). ' +
      "memory = worker heap + array buffers above the worker's start; pipeline RSS = the process's peak RSS.",
    '',
  ];
  const caveat = lowUniqueText(s.lowUniqueInputs);
  if (caveat) out.push(`${caveat}.`, '');
  out.push(
    `| stage | metric | measured n | class | rel. RMS | b (95% CI) | ${s.targets.map((t) => `n=${t.toLocaleString('en-US')}`).join(' | ')} |`,
    `|---|---|---|---|---|---|${s.targets.map(() => '---').join('|')}|`,
  );
  const advice = new Map<string, number[]>();
  for (const f of s.fits) {
    const best = f.candidates.find((c) => c.complexity === f.best);
    const b = f.powerLaw
      ? `${f.powerLaw.b.toFixed(2)}${f.powerLaw.bCi95 ? ` (${f.powerLaw.bCi95[0].toFixed(2)}–${f.powerLaw.bCi95[1].toFixed(2)})` : ''}`
      : '—';
    const metric = { wallMs: 'wall time', cpuMs: 'CPU time', memoryBytes: 'memory', rssBytes: 'peak RSS' }[f.metric];
    const cls = f.best ? f.bigO : `*${f.classNote ?? f.bigO}*`;
    for (const t of s.targets) {
      const note = f.estimates.find((e) => e.scale === t)?.note;
      if (note) advice.set(note, [...new Set([...(advice.get(note) ?? []), t])]);
    }
    out.push(
      `| ${f.stage} | ${metric} | ${f.measuredMin.toLocaleString('en-US')}–${f.measuredMax.toLocaleString('en-US')} (${f.measured.length}) | ${cls} | ${best ? best.nrms.toFixed(3) : '—'} | ${b} | ${s.targets.map((t) => estimateText(f, t)).join(' | ')} |`,
    );
  }
  if (advice.size)
    out.push(
      '',
      `*not measured*: ${[...advice].map(([a, ts]) => `n=${ts.map((t) => t.toLocaleString('en-US')).join(', ')}: ${a.replace(/^not measured: /, '')}`).join('; ')}.`,
    );
  out.push('');
  return out;
}

const msRange = (x: SampleStats): string => `${formatMs(x.ci95[0])}–${formatMs(x.ci95[1])}`;

/** The repeat-statistics table: wall time per cell. */
export function renderRepeatStatsMarkdown(s: RepeatStatsSection): string[] {
  if (!s.cells.length) return [];
  const out = [
    '## Repeats and statistics',
    '',
    `${s.warmup} warm-up run(s), then ${s.repeats} measured repeat(s) per cell. Wall time: median, min, max, MAD, a 95% bootstrap CI of the median ` +
      `(${s.bootstrapResamples} seeded resamples), and outliers by modified z-score (|z| > ${s.outlierZ}).`,
    '',
    '| stage | n | repeats | median | min | max | MAD | 95% CI of median | outliers |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of s.cells) {
    const w = c.wallMs;
    const outliers = w.outliers.length
      ? w.outliers
          .map((i) => `#${i} (z=${Number.isFinite(w.modifiedZ[i]) ? w.modifiedZ[i].toFixed(1) : '∞'})`)
          .join(', ')
      : '—';
    out.push(
      `| ${c.stage}/${c.method} | ${c.scale.toLocaleString('en-US')} | ${c.repeats} | ${formatMs(w.median)} | ${formatMs(w.min)} | ${formatMs(w.max)} | ${formatMs(w.mad)} | ${msRange(w)} | ${outliers} |`,
    );
  }
  out.push('');
  return out;
}
