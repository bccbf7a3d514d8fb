/**
 * The soft breaking points (issue 6), judged from measurements the sweep already has: `superlinear` (the local
 * scaling exponent of median wall time between adjacent scales above a per-stage threshold) and `degraded` (a
 * quality metric below the profile's floor). Also the geometric scales of the `breaking-point` escalation.
 */
import type { BreakingPoint, QualityReport } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import {
  defaultBreakingPointsSpec,
  floorMetrics,
  type BreakingPointsSpec,
  type EscalateSpec,
} from '../profile/breaking-point-schema.js';

/** The profile's breakingPoints key with defaults. */
export const breakingPointsSpec = (profile: SweepProfile): BreakingPointsSpec =>
  profile.breakingPoints ?? defaultBreakingPointsSpec;

/** Local scaling exponent between two scales: log(t1/t0) / log(n1/n0). 1 = linear, 2 = quadratic. */
export function localExponent(n0: number, t0: number, n1: number, t1: number): number {
  return Math.log(t1 / t0) / Math.log(n1 / n0);
}

/** The super-linear threshold for a stage, or undefined when none applies. */
export function superlinearThreshold(spec: StageSpec, profile: SweepProfile): number | undefined {
  return spec.maxScalingExponent ?? breakingPointsSpec(profile).maxExponent;
}

/** A superlinear breaking point between the previous measured scale and this one, or undefined. */
export function superlinearBreak(
  spec: StageSpec,
  profile: SweepProfile,
  prev: { scale: number; medianMs: number } | undefined,
  scale: number,
  medianMs: number,
): BreakingPoint | undefined {
  const threshold = superlinearThreshold(spec, profile);
  if (threshold === undefined || !prev || prev.medianMs <= 0 || medianMs < breakingPointsSpec(profile).minWallMs)
    return undefined;
  const exponent = localExponent(prev.scale, prev.medianMs, scale, medianMs);
  if (!(exponent > threshold)) return undefined;
  return {
    stage: spec.stage,
    method: spec.method,
    kind: 'superlinear',
    lastPassingScale: prev.scale,
    firstFailingScale: scale,
    exponent,
    threshold,
    reason: `wall time grew as n^${exponent.toFixed(2)} from ${prev.scale} to ${scale} (threshold ${threshold})`,
  };
}

/** The first quality metric below its floor, or undefined (metrics absent from the report are not judged). */
export function qualityFloorBreach(
  quality: QualityReport,
  profile: SweepProfile,
): { metric: string; value: number; floor: number } | undefined {
  const floor = breakingPointsSpec(profile).qualityFloor;
  if (!floor) return undefined;
  for (const m of floorMetrics) {
    const f = floor[m];
    const v = quality[m];
    if (f !== undefined && typeof v === 'number' && v < f) return { metric: m, value: v, floor: f };
  }
  return undefined;
}

/** start, start*factor, ... while <= ceiling, then the ceiling itself if the last step fell short of it. */
export function escalationScales(e: Pick<EscalateSpec, 'start' | 'factor' | 'ceiling'>): number[] {
  const out: number[] = [];
  for (let s = e.start; s <= e.ceiling; s = Math.round(s * e.factor)) {
    out.push(s);
    if (Math.round(s * e.factor) <= s) break;
  }
  if (out[out.length - 1] < e.ceiling) out.push(e.ceiling);
  return out;
}

/** Whether a stage spec is named by one of `names` ("cluster" or "cluster/kmeans"). */
export function stageNamed(spec: StageSpec, names: readonly string[]): boolean {
  return names.some((n) => n === spec.stage || n === `${spec.stage}/${spec.method}`);
}
