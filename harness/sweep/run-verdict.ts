/**
 * Whether a finished sweep measured anything: a run where no scale got through every stage (a stage list in the
 * wrong order, an endpoint where every item failed) is void, and the sweep command exits 3 instead of 0.
 */
import type { RunResults } from '../types.js';
import { isMeasuredStatus } from './cell-status.js';

/** Exit status of a sweep that ran but measured nothing usable. */
export const VOID_RUN_EXIT_CODE = 3;

/** Why the run is void, or undefined when at least one scale ran every stage. */
export function voidRunReason(r: Pick<RunResults, 'records' | 'profile'>): string | undefined {
  const stages = (r.profile as { stages?: { stage: string; method: string }[] }).stages ?? [];
  const scales = [...new Set(r.records.map((x) => x.scale))];
  if (r.records.length === 0) return 'no stage ran';
  const complete = scales.some((n) =>
    stages.every((s) => {
      const cell = r.records.filter((x) => x.scale === n && x.stage === s.stage && x.method === s.method);
      return cell.length > 0 && cell.every((x) => isMeasuredStatus(x.status));
    }),
  );
  if (complete) return undefined;
  // Name the first stage that never ran, with its first failure reason.
  for (const s of stages) {
    const recs = r.records.filter((x) => x.stage === s.stage && x.method === s.method);
    if (recs.some((x) => isMeasuredStatus(x.status))) continue;
    const failed = recs.find((x) => x.status !== 'skipped');
    return `no scale ran every stage: ${s.stage}/${s.method} ${failed ? `failed at every scale (${failed.status}: ${failed.reason ?? ''})` : 'never ran'}`;
  }
  return 'no scale ran every stage';
}
