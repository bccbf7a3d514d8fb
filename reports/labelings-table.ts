/**
 * report.md section "Labelings": each labelling stage's time, CPU, peak memory and ARI/NMI per scale, and the
 * agreement between labelings (ARI/NMI between them), from `sections.labelings` (harness/analysis/labeling-agreement.ts).
 * Command stages' CPU and memory are their process tree's.
 */
import type { RunResults } from '../harness/types.js';
import { formatBytes, formatMs } from '../pipeline/support/format-units.js';

const f3 = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));

/** The section's lines, or none when the run had fewer than two labelling stages. */
export function labelingLines(r: RunResults): string[] {
  const section = r.sections.labelings;
  if (!section?.scales?.length) return [];
  const out = [
    '## Labelings',
    '',
    'Each stage that writes labels, scored on its own labels; agreement is ARI/NMI between two labelings of the same conversations.',
    '',
  ];
  for (const s of section.scales) {
    out.push(
      `### n = ${s.scale.toLocaleString('en-US')}`,
      '',
      '| stage | time | CPU | peak RSS | clusters | ARI | NMI |',
      '|---|---|---|---|---|---|---|',
    );
    for (const st of s.stages) {
      const rec = r.records.find((x) => x.scale === s.scale && x.repeat === 0 && `${x.stage}/${x.method}` === st.stage);
      const cpu = rec ? formatMs(rec.cpuUserMs + rec.cpuSystemMs) : '—';
      const rss = rec?.peakRssBytes ? `${formatBytes(rec.peakRssBytes)}${rec.command ? ' (process tree)' : ''}` : '—';
      out.push(
        `| ${st.stage} | ${rec ? formatMs(rec.wallMs) : '—'} | ${cpu} | ${rss} | ${st.clusters} | ${f3(st.ari)} | ${f3(st.nmi)} |`,
      );
    }
    if (s.pairs.length > 0) {
      out.push('', '| agreement | ARI | NMI |', '|---|---|---|');
      for (const p of s.pairs) out.push(`| ${p.a} vs ${p.b} | ${f3(p.ari)} | ${f3(p.nmi)} |`);
    }
    out.push('');
  }
  return out;
}
