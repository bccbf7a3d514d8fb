/**
 * report.md section "Batch and streaming": per scale, each stage's time, CPU and peak RSS in both execution modes side
 * by side, the most text held at once, and whether both modes gave the same bits (`sections.executionModes`,
 * harness/sweep/execution-modes.ts; written when a profile sets execution.compareModes).
 */
import type { ExecutionModeFigures, RunResults } from '../harness/types.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';

const cell = (m: ExecutionModeFigures | undefined): string[] =>
  !m
    ? ['—', '—', '—']
    : m.status !== 'ok'
      ? [m.status, '—', m.peakRssBytes ? formatBytes(m.peakRssBytes) : '—']
      : [formatMs(m.wallMs), formatMs(m.cpuMs), formatBytes(m.peakRssBytes)];

/** The section's lines, or none when the run did not compare modes. */
export function executionModeLines(r: RunResults): string[] {
  const section = r.sections.executionModes;
  if (!section?.scales?.length) return [];
  const out = [
    '## Batch and streaming',
    '',
    `Each stage in both execution modes (streaming: record batches of ${section.batchSize.toLocaleString('en-US')} rows through the row-wise stages). ` +
      `The ${section.primary} figures are the run's own cells (repeat 0); the other mode ran once for this table. Peak RSS is the cell's process.`,
    '',
  ];
  for (const s of section.scales) {
    out.push(
      `### n = ${s.scale.toLocaleString('en-US')}`,
      '',
      '| stage | streamed | batch time | batch CPU | batch peak RSS | streaming time | streaming CPU | streaming peak RSS |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const st of s.stages)
      out.push(
        `| ${st.stage} | ${st.streamed ? 'yes' : 'no'} | ${cell(st.batch).join(' | ')} | ${cell(st.streaming).join(' | ')} |`,
      );
    const sum = (mode: 'batch' | 'streaming'): string => {
      const ms = s.stages.map((x) => x[mode]);
      if (ms.some((m) => !m || m.status !== 'ok')) return '— | — | —';
      const ok = ms as ExecutionModeFigures[];
      return `${formatMs(ok.reduce((a, m) => a + m.wallMs, 0))} | ${formatMs(ok.reduce((a, m) => a + m.cpuMs, 0))} | ${formatBytes(Math.max(...ok.map((m) => m.peakRssBytes)))}`;
    };
    out.push(`| **pipeline** | | ${sum('batch')} | ${sum('streaming')} |`, '');
    const text = (b: number | undefined): string => (b === undefined ? '—' : formatBytes(b));
    const same =
      s.identical === undefined
        ? 'not compared (a mode did not finish)'
        : s.identical
          ? 'yes, bit for bit'
          : 'NO: the outputs differ';
    out.push(
      `Text held at once: batch ${text(s.peakTextBytes.batch)}, streaming ${text(s.peakTextBytes.streaming)}. Same labels and vectors in both modes: ${same}.`,
      '',
    );
  }
  return out;
}
