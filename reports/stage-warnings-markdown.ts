/**
 * Warnings stages raise through `warning.<name>` counters (e.g. meta-cluster/clio's `warning.noHierarchy`): one line
 * per stage, warning and scale range, so a no-op the stage noticed is on the report, not only in results.json.
 */
import type { RunResults } from '../harness/types.js';

/** What each known warning means and what to do; unknown ones are listed by name. */
const MEANING: Record<string, string> = {
  noHierarchy:
    'no hierarchy level was built: there are no more base clusters than the top-level target (set `targetTop: auto` or a smaller number, or cluster into more groups)',
};

/** The warnings section of report.md, or nothing. */
export function stageWarningLines(r: RunResults): string[] {
  const seen = new Map<string, number[]>();
  for (const rec of r.records) {
    if (rec.repeat !== 0) continue;
    for (const [name, v] of Object.entries(rec.counters ?? {})) {
      if (!name.startsWith('warning.') || !(v > 0)) continue;
      const key = `${rec.stage}/${rec.method}\u0000${name.slice('warning.'.length)}`;
      seen.set(key, [...(seen.get(key) ?? []), rec.scale]);
    }
  }
  if (seen.size === 0) return [];
  const out = ['## Stage warnings', ''];
  for (const [key, scales] of seen) {
    const [stage, name] = key.split('\u0000');
    out.push(
      `- ⚠ **${stage}** \`${name}\` at n = ${scales.map((s) => s.toLocaleString('en-US')).join(', ')}: ${MEANING[name] ?? 'see the stage documentation'}`,
    );
  }
  out.push('');
  return out;
}
