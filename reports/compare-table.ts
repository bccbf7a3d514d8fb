/** The compare verdict as a Markdown table (readable in a terminal and in a PR comment). */
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';
import type { Comparison, ComparisonRow } from '../harness/compare/run-comparison.js';
import { formatThreshold } from '../harness/compare/threshold-expression.js';

function value(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '—';
  if (unit === 'ms') return formatMs(v);
  if (unit === 'bytes') return formatBytes(v);
  if (unit === 'items/s') return Math.round(v).toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}

function evidence(r: ComparisonRow): string {
  if (r.test === 'status') return 'status';
  if (r.test === 'mann-whitney')
    return `U test p=${r.p! < 0.0001 ? r.p!.toExponential(1) : r.p!.toFixed(4)} (${r.baseSamples}v${r.newSamples})`;
  if (r.test === 'bootstrap-ratio' && r.ratioCi)
    return `bootstrap CI ${r.ratioCi[0].toFixed(3)}–${r.ratioCi[1].toFixed(3)}x (${r.baseSamples}v${r.newSamples})`;
  return `intervals (${r.baseSamples}v${r.newSamples})`;
}

/** Render the comparison; `onlyNotable` drops rows that are not significant. */
export function renderComparisonMarkdown(c: Comparison, baseId: string, newId: string, onlyNotable = false): string {
  const out: string[] = [`## clusterbench compare: ${baseId} (BASE) → ${newId} (NEW)`, ''];
  for (const w of c.warnings) out.push(`> ⚠ ${w}`);
  if (c.warnings.length) out.push('');
  const rows = onlyNotable ? c.rows.filter((r) => r.verdict !== '~') : c.rows;
  out.push(
    '| | cell | metric | BASE | NEW | NEW/BASE | evidence | threshold | note |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    out.push(
      `| ${r.verdict} | ${r.cell} | ${r.metric} | ${value(r.base, r.unit)} | ${value(r.new, r.unit)} | ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(3)}x` : '—'} | ${evidence(r)} | ${r.threshold ? `\`${r.threshold.text}\`` : ''} | ${r.note ?? ''} |`,
    );
  }
  out.push('');
  if (c.onlyInBase.length) out.push(`Only in BASE: ${c.onlyInBase.join(', ')}`);
  if (c.onlyInNew.length) out.push(`Only in NEW: ${c.onlyInNew.join(', ')}`);
  const sig = c.rows.filter((r) => r.significant).length;
  out.push(
    `✔ within thresholds, ✖ significant regression beyond a threshold, ~ not significant. ${c.rows.length} comparisons, ${sig} significant, ${c.regressions.length} regressions.`,
  );
  const judged = c.thresholds.map((t) => t.key);
  const wallJudged = judged.some((k) => k.endsWith('.wall_p50'));
  out.push(
    '',
    `Judged (thresholds): ${judged.join(', ') || 'nothing'}${wallJudged ? '' : '. Wall time and throughput are reported, not judged: a busy machine moves them (pass --wall to judge them)'}.`,
  );
  if (c.tests?.length) out.push('', `Tests: ${c.tests.join(' ')}`);
  out.push(
    '',
    c.regressions.length
      ? `**Verdict: REGRESSION.** ${c.regressions.map((r) => `${r.cell} ${r.metric}${r.threshold ? ` breaks ${formatThreshold(r.threshold)} (${r.ratio.toFixed(3)}x)` : ` (${r.note})`}`).join('; ')}`
      : '**Verdict: no significant regression beyond a threshold.**',
    '',
  );
  return out.join('\n');
}
