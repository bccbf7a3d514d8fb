/**
 * The hardware recommendation table (issue 6): for each target scale, RAM (pipeline peak RSS x safety factor), cores
 * (from worker scaling), disk (from storage accounting), expected time (sum of the stages' fitted wall times) and API
 * cost (from the cost section). Every cell says whether it was measured, interpolated, extrapolated, not measured
 * (beyond what the fits support: more than 10x past the largest measured scale, or too few scales; the note names the
 * scales to add) or is unknown, and the table names the machine it was measured on. Rows: the targets and every
 * measured scale. When a distributed sweep's cells ran on different machine kinds, RAM and time again per worker
 * label (`byMachine`). Built from results.json alone.
 */
import type { BreakingPoint, RunResults, StorageSection, WorkerScalingSection } from '../types.js';
import type { EstimateBasis, ScalingSection } from './scaling-law-fit.js';
import { pipelinePeakRss, scalingSection, scalingSpecOf, tableScales } from './scaling-law-fit.js';
import { largerScaleAdvice, maxExtrapolation } from './larger-scale-advice.js';
import { machineKind } from '../io/machine-info.js';
import type { CostSection } from './stage-cost.js';
import type { HardwareCell, HardwareMachineGroup, HardwareSection } from '../types.js';
export type { HardwareCell, HardwareMachineGroup, HardwareRow, HardwareSection } from '../types.js';

const rank: Record<HardwareCell['basis'], number> = {
  measured: 0,
  interpolated: 1,
  extrapolated: 2,
  'not-measured': 3,
  unknown: 4,
};
const worst = (bases: HardwareCell['basis'][]): HardwareCell['basis'] =>
  bases.reduce((a, b) => (rank[b] > rank[a] ? b : a), 'measured' as HardwareCell['basis']);
const unknown = (note: string): HardwareCell => ({ value: null, basis: 'unknown', note });
const basisAt = (scale: number, measured: number[]): EstimateBasis =>
  measured.includes(scale)
    ? 'measured'
    : scale >= Math.min(...measured) && scale <= Math.max(...measured)
      ? 'interpolated'
      : 'extrapolated';
/** A linear-in-n cell (disk, cost, cores) may reach 10x past its largest measured scale, and no further. */
const beyondReach = (scale: number, measured: number[]): boolean =>
  scale > maxExtrapolation * Math.max(...measured) || scale < Math.min(...measured) / maxExtrapolation;
const notMeasured = (note: string): HardwareCell => ({ value: null, basis: 'not-measured', note });

function ramCell(r: RunResults, scaling: ScalingSection, scale: number, safety: number): HardwareCell {
  const fit = scaling.fits.find((f) => f.stage === 'pipeline' && f.metric === 'rssBytes');
  const e = fit?.estimates.find((x) => x.scale === scale);
  if (!e) {
    const peak = pipelinePeakRss(r).find((p) => p.scale === scale);
    return peak ? { value: peak.value * safety, basis: 'measured' } : unknown('no peak-RSS measurement');
  }
  if (e.estimate === null) return notMeasured(e.note ?? 'not measured');
  return {
    value: e.estimate * safety,
    low: e.low === null ? null : e.low * safety,
    high: e.high === null ? null : e.high * safety,
    basis: e.basis,
  };
}

function timeCell(r: RunResults, scaling: ScalingSection, scale: number, metric: 'wall' | 'cpu'): HardwareCell {
  const fits = scaling.fits.filter((f) => f.metric === (metric === 'cpu' ? 'cpuMs' : 'wallMs'));
  if (!fits.length) return unknown(`no ${metric === 'cpu' ? 'CPU' : 'wall'}-time measurements`);
  const unfitted = [...new Set(r.records.map((x) => `${x.stage}/${x.method}`))].filter(
    (s) => !fits.some((f) => f.stage === s),
  );
  const missing = unfitted.length ? `; excludes ${unfitted.join(', ')} (no measured scale)` : '';
  const es = fits.map((f) => f.estimates.find((x) => x.scale === scale)).filter((e) => e !== undefined);
  const gap = es.find((e) => e.estimate === null);
  if (gap || es.length < fits.length) return notMeasured(gap?.note ?? 'not measured');
  const allMeasured = es.every((e) => e.basis === 'measured');
  const sum = (k: 'estimate' | 'low' | 'high'): number | null =>
    k === 'estimate' || (!allMeasured && es.every((e) => e[k] !== null || e.basis === 'measured'))
      ? es.reduce((s, e) => s + (e[k] ?? e.estimate!), 0)
      : null;
  return {
    value: sum('estimate'),
    low: sum('low'),
    high: sum('high'),
    basis: worst(es.map((e) => e.basis)),
    note: `sum of ${fits.length} stage fits, one worker each${missing}`,
  };
}

function coresCell(ws: WorkerScalingSection | undefined, scale: number, profilePath: string): HardwareCell {
  if (!ws || !ws.stages?.length) return unknown('no worker-scaling section');
  const best = ws.stages.reduce((a, b) => (b.bestWorkers > a.bestWorkers ? b : a));
  if (beyondReach(scale, [best.scale]))
    return notMeasured(
      `not measured: worker scaling ran at n=${best.scale} (raise workerScaling.scale in ${profilePath})`,
    );
  const atCeiling = best.bestWorkers >= ws.cores;
  const stages = ws.stages
    .map((s) => `${s.stage}/${s.method} ${s.bestSpeedup.toFixed(2)}x at ${s.bestWorkers}`)
    .join('; ');
  return {
    value: best.bestWorkers,
    basis: scale === best.scale ? 'measured' : 'extrapolated',
    note: `${atCeiling ? `at least ${best.bestWorkers} (speed-up still rising at this machine's ${ws.cores} cores)` : `${best.bestWorkers} worker${best.bestWorkers === 1 ? '' : 's'} gave the best speed-up`}, measured at n=${best.scale}: ${stages}`,
  };
}

/** Checkpoint format preferred for the disk column: Arrow zstd when measured, else the smallest format measured. */
function diskFormatOf(st: StorageSection): string | null {
  const formats = [...new Set(st.scales.flatMap((s) => s.totals.map((t) => t.format)))];
  if (formats.includes('arrow-zstd')) return 'arrow-zstd';
  const last = st.scales[st.scales.length - 1];
  return last?.totals.slice().sort((a, b) => a.bytes - b.bytes)[0]?.format ?? formats[0] ?? null;
}

function diskCell(
  st: StorageSection | undefined,
  format: string | null,
  scale: number,
  profilePath: string,
): HardwareCell {
  if (!st || !format || !st.scales?.length) return unknown('no storage section');
  const measured = st.scales.find((s) => s.scale === scale)?.totals.find((t) => t.format === format);
  if (measured) return { value: measured.bytes, basis: 'measured' };
  const scales = st.scales.map((s) => s.scale);
  if (beyondReach(scale, scales)) return notMeasured(largerScaleAdvice(scales, scale, profilePath));
  const proj = st.projections?.find((p) => p.scale === scale && p.format === format);
  if (proj)
    return {
      value: proj.bytes,
      basis: proj.extrapolated ? 'extrapolated' : basisAt(scale, scales),
      note: `linear fit over n=${proj.fittedOn.join(', ')}`,
    };
  // No projection for this scale: bytes per conversation at the largest measured scale, times n.
  const largest = st.scales.reduce((a, b) => (b.scale > a.scale ? b : a));
  const per = largest.totals.find((t) => t.format === format)?.bytesPerConversation;
  if (per === undefined) return unknown(`format ${format} not measured at the largest scale`);
  return {
    value: per * scale,
    basis: basisAt(scale, scales),
    note: `${per.toFixed(0)} B/conversation at n=${largest.scale}`,
  };
}

function costCell(cost: CostSection | undefined, scale: number, profilePath: string): HardwareCell {
  if (!cost || !cost.rows?.length) return unknown('no cost section');
  const stages = new Map<string, (typeof cost.rows)[number]>();
  for (const r of cost.rows) {
    const k = `${r.stage}/${r.method}`;
    const prev = stages.get(k);
    if (!prev || r.scale > prev.scale) stages.set(k, r);
  }
  let usd = 0;
  const unpriced: string[] = [];
  for (const [k, r] of stages) {
    if (r.model === null) continue; // local stage: no API cost
    if (r.usdPer1k === undefined) unpriced.push(k);
    else usd += (r.usdPer1k * scale) / 1000;
  }
  if (unpriced.length) return unknown(`no price for ${unpriced.join(', ')}`);
  // All-local pipelines cost exactly $0 at any scale: that is known, not estimated.
  if (usd === 0) return { value: 0, basis: 'measured', note: 'local stages only (no API calls)' };
  const scales = [...new Set(cost.rows.map((r) => r.scale))];
  if (beyondReach(scale, scales)) return notMeasured(largerScaleAdvice(scales, scale, profilePath));
  return { value: usd, basis: basisAt(scale, scales), note: 'linear in n from the largest measured scale' };
}

/** Describe the machine in one line. */
export function machineLine(r: RunResults): string {
  return `${machineKind(r.machine)}, Node ${r.machine.nodeVersion}`;
}

/**
 * RAM and time per worker label, from that label's cells alone, when a distributed sweep's cells ran on more than
 * one machine kind; undefined otherwise (one kind: the main columns already are that machine's).
 */
export function machineGroups(
  r: RunResults,
  scales: number[],
  safety: number,
  metric: 'wall' | 'cpu',
): HardwareMachineGroup[] | undefined {
  const machines = r.sections.workers?.machines ?? {};
  const labels = [...new Set(r.records.flatMap((x) => (x.worker ? [x.worker.label] : [])))].sort();
  const kinds = new Set(labels.map((l) => (machines[l] ? machineKind(machines[l]) : l)));
  if (kinds.size < 2) return undefined;
  return labels.map((label) => {
    const own: RunResults = {
      ...r,
      records: r.records.filter((x) => x.worker?.label === label),
      ...(machines[label] ? { machine: machines[label] } : {}),
    };
    const scaling = scalingSection(own);
    return {
      label,
      machine: machines[label] ? machineKind(machines[label]) : 'unknown machine',
      cells: own.records.length,
      rows: scales.map((scale) => ({
        scale,
        ramBytes: ramCell(own, scaling, scale, safety),
        timeMs: timeCell(own, scaling, scale, metric),
      })),
    };
  });
}

/** Build `sections.hardware` from results that already hold `sections.scaling` (and storage, workerScaling, cost when present). */
export function hardwareSection(r: RunResults, scaling: ScalingSection): HardwareSection {
  const spec = scalingSpecOf(r);
  const { storage, workerScaling: ws, cost } = r.sections;
  const diskFormat = storage?.scales?.length ? diskFormatOf(storage) : null;
  const path = r.profilePath || 'the profile';
  const broke = (scale: number): string[] =>
    r.breakingPoints
      .filter(
        (b: BreakingPoint) =>
          ['oom', 'timeout', 'error'].includes(b.kind) && (b.bisection?.failScale ?? b.firstFailingScale) <= scale,
      )
      .map((b) => `${b.stage}/${b.method} (${b.kind} from n=${b.bisection?.failScale ?? b.firstFailingScale})`);
  const scales = tableScales(r, scaling.targets);
  const byMachine = machineGroups(r, scales, spec.safetyFactor, spec.timeMetric);
  return {
    machine: machineLine(r),
    safetyFactor: spec.safetyFactor,
    timeMetric: spec.timeMetric,
    diskFormat,
    rows: scales.map((scale) => ({
      scale,
      ramBytes: ramCell(r, scaling, scale, spec.safetyFactor),
      cores: coresCell(ws, scale, path),
      diskBytes: diskCell(storage, diskFormat, scale, path),
      timeMs: timeCell(r, scaling, scale, spec.timeMetric),
      costUsd: costCell(cost, scale, path),
      beyondBreakingPoints: broke(scale),
    })),
    ...(scaling.lowUniqueInputs?.length ? { lowUniqueInputs: scaling.lowUniqueInputs } : {}),
    ...(byMachine ? { byMachine } : {}),
  };
}
