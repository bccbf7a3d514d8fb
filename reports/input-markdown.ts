/** report.md lines for an imported input file (results.json `sections.input`): format, counts, skipped records. */
import type { RunResults } from '../harness/types.js';
import { duplicateWarning } from '../harness/sweep/input-duplicates.js';

/** One bullet naming the input file, or nothing for synthetic input. */
export function inputLines(r: RunResults): string[] {
  const s = r.sections.input;
  if (!s?.path) return [];
  const skipped = s.invalid.count
    ? `; **${s.invalid.count} invalid ${s.invalid.unit}s skipped** (first: ${s.invalid.firstLines.join(', ')}; messages in results.json \`sections.input\`)`
    : '; no invalid records';
  const d = s.duplicates;
  const dup = d
    ? `- **Duplicates:** ${d.count.toLocaleString('en-US')} of ${s.valid.toLocaleString('en-US')} conversations (${(d.fraction * 100).toFixed(1)}%) repeat an earlier one's text${d.dropped ? '; dropped (dedupe): scales sample distinct conversations' : duplicateWarning(d) ? ' ⚠ over 10%: every copy is timed and extrapolated as new work (`--dedupe` drops them)' : ''}`
    : undefined;
  return [
    `- **Input:** \`${s.path}\` (${s.format}, ${s.formatSource}): ${s.valid.toLocaleString('en-US')} valid conversation${s.valid === 1 ? '' : 's'} of ${s.records.toLocaleString('en-US')} record${s.records === 1 ? '' : 's'}${skipped}; scales are nested seeded samples`,
    ...(dup ? [dup] : []),
    '',
  ];
}
