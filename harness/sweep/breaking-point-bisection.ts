/**
 * Bisection of a breaking point (issue 6): a stage passed at N_pass and broke at N_fail; run it at geometric
 * midpoints until the bracket is within the profile's tolerance (default 5%) or its step cap. Each run rebuilds
 * only what the stage needs: the input at that scale and the upstream stages whose outputs it reads.
 */
import type { BisectionResult, BisectionStep, BreakingPoint, PipelineData } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { CellExecutor } from './cell-runner.js';
import { buildScaleInput, InputTooLargeError } from './sweep-input.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { computeQuality } from '../../pipeline/metrics/quality-report.js';
import { breakingPointsSpec, qualityFloorBreach } from './breaking-point-detection.js';

/** What one probe at a scale found: a step, or a reason the scale could not be judged. */
export type ProbeOutcome = { step: BisectionStep } | { inconclusive: string };

/**
 * Geometric bisection between a passing and a failing scale. `probe(n)` runs the stage at n. Pure search logic, so
 * it is testable without workers.
 */
export async function bisectThreshold(
  passScale: number,
  failScale: number,
  opts: { tolerance: number; maxSteps: number; maxSeconds?: number },
  probe: (n: number) => Promise<ProbeOutcome>,
): Promise<BisectionResult> {
  const t0 = Date.now();
  let lo = passScale;
  let hi = failScale;
  const steps: BisectionStep[] = [];
  let note: string | undefined;
  const narrow = (): boolean => hi / lo - 1 <= opts.tolerance || hi - lo <= 1;
  while (!narrow()) {
    if (steps.length >= opts.maxSteps) {
      note = `stopped at the step cap (${opts.maxSteps})`;
      break;
    }
    if (opts.maxSeconds !== undefined && (Date.now() - t0) / 1000 >= opts.maxSeconds) {
      note = `stopped at the time cap (${opts.maxSeconds} s)`;
      break;
    }
    const mid = Math.min(hi - 1, Math.max(lo + 1, Math.round(Math.sqrt(lo * hi))));
    const out = await probe(mid);
    if ('inconclusive' in out) {
      note = `stopped at n=${mid}: ${out.inconclusive}`;
      break;
    }
    steps.push(out.step);
    if (out.step.passed) lo = mid;
    else hi = mid;
  }
  return {
    passScale: lo,
    failScale: hi,
    relativeWidth: hi / lo - 1,
    tolerance: opts.tolerance,
    maxSteps: opts.maxSteps,
    converged: narrow(),
    ...(note ? { note } : {}),
    steps,
  };
}

/** Breaking-point kinds that a single run at one scale can judge (superlinear needs a pair of scales). */
export const bisectableKinds: ReadonlySet<BreakingPoint['kind']> = new Set(['oom', 'timeout', 'error', 'degraded']);

/** Indices of the stages before `index` whose outputs `index` needs, directly or through each other. */
async function upstreamNeeded(
  profile: SweepProfile,
  index: number,
): Promise<{ stages: number[]; needsInput: boolean }> {
  const defs = await Promise.all(profile.stages.map((s) => loadStage(s.stage, s.method)));
  const needed = new Set<string>(defs[index].reads);
  const stages: number[] = [];
  for (let j = index - 1; j >= 0; j--) {
    if (defs[j].writes.some((w) => needed.has(w))) {
      stages.unshift(j);
      for (const r of defs[j].reads) needed.add(r);
    }
  }
  return { stages, needsInput: needed.size > 0 };
}

/**
 * Bisect one breaking point of stage `index` with the sweep's cell executor (same isolation as the sweep). Returns undefined when it cannot be bisected
 * (no passing scale, a kind that needs two scales, or bisection turned off).
 */
export async function bisectStageBreak(
  bp: BreakingPoint,
  index: number,
  profile: SweepProfile,
  cells: CellExecutor,
  log: (line: string) => void,
): Promise<BisectionResult | undefined> {
  const opts = breakingPointsSpec(profile).bisect;
  if (!opts.enabled || bp.lastPassingScale === undefined || !bisectableKinds.has(bp.kind)) return undefined;
  const spec = profile.stages[index];
  const { stages: upstream, needsInput } = await upstreamNeeded(profile, index);
  const degraded = bp.kind === 'degraded';
  const probe = async (n: number): Promise<ProbeOutcome> => {
    let data: PipelineData = { n };
    if (needsInput || degraded || bp.reason.startsWith('input: ')) {
      try {
        data = (await buildScaleInput(profile, n)).data;
      } catch (err) {
        if (!(err instanceof InputTooLargeError)) throw err;
        // The input itself does not fit at n: that is the break being located.
        log(`  bisect input n=${n}: ${err.message.slice(0, 80)}`);
        return {
          step: {
            scale: n,
            status: 'error',
            passed: false,
            wallMs: 0,
            peakRssBytes: 0,
            peakHeapUsedBytes: 0,
            reason: `input: ${err.message}`,
          },
        };
      }
    }
    for (const j of upstream) {
      const { record, data: out } = await cells.run(j, data, n, 0);
      if (record.status !== 'ok' || !out)
        return {
          inconclusive: `upstream ${profile.stages[j].stage}/${profile.stages[j].method} ended ${record.status}`,
        };
      data = { ...data, ...out };
    }
    const { record, data: out } = await cells.run(index, data, n, 0);
    let status = record.status;
    let reason = record.reason;
    if (status === 'ok' && degraded && out) {
      const breach = qualityFloorBreach(
        computeQuality({ ...data, ...out }, { ...profile.quality, seed: profile.seed }),
        profile,
      );
      if (breach) {
        status = 'degraded';
        reason = `${breach.metric} ${breach.value.toFixed(3)} < floor ${breach.floor}`;
      }
    }
    const passed = status === 'ok';
    log(
      `  bisect ${spec.stage}/${spec.method} n=${n}: ${passed ? 'passes' : `${status}${reason ? ` (${reason.slice(0, 80)})` : ''}`}`,
    );
    return {
      step: {
        scale: n,
        status,
        passed,
        wallMs: record.wallMs,
        peakRssBytes: record.peakRssBytes,
        peakHeapUsedBytes: record.peakHeapUsedBytes,
        ...(reason ? { reason } : {}),
      },
    };
  };
  return bisectThreshold(bp.lastPassingScale, bp.firstFailingScale, opts, probe);
}
