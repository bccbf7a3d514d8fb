/**
 * The hardware recommendation table (issue 6): for each target scale, RAM (pipeline peak RSS x safety factor), cores
 * (from worker scaling), disk (from storage accounting), expected time (sum of the stages' fitted wall times) and API
 * cost (from the cost section). Every cell says whether it was measured, interpolated, extrapolated or is unknown,
 * and the table names the machine it was measured on. Built from results.json alone.
 */
import type { BreakingPoint, RunResults, StorageSection, WorkerScalingSection } from '../harness/types.js';
import type { EstimateBasis, ScalingSection } from '../harness/scaling-law-fit.js';
import { pipelinePeakRss, scalingSpecOf } from '../harness/scaling-law-fit.js';
import type { CostSection } from '../pipeline/stage-cost.js';
import { formatBytes, formatMs } from '../harness/format-units.js';
import { intervalText } from './scaling-law-report.js';

/** One cell of the table. */
export interface HardwareCell {
  /** null when unknown. */
  value: number | null;
  /** 95% interval where the estimate comes from a fit with one. */
  low?: number | null;
  high?: number | null;
  basis: EstimateBasis | 'unknown';
  note?: string;
}

/** One target scale. */
export interface HardwareRow {
  scale: number;
  ramBytes: HardwareCell;
  cores: HardwareCell;
  diskBytes: HardwareCell;
  /** Single-worker wall time of the whole pipeline. */
  timeMs: HardwareCell;
  costUsd: HardwareCell;
  /** Stages whose breaking point lies at or below this scale: the estimates assume they would still run. */
  beyondBreakingPoints: string[];
}

/** `sections.hardware`. */
export interface HardwareSection {
  /** The machine measured, in words. */
  machine: string;
  safetyFactor: number;
  /** Which stage time the time column sums (scaling.timeMetric). */
  timeMetric: 'wall' | 'cpu';
  /** The storage format the disk column counts. */
  diskFormat: string | null;
  rows: HardwareRow[];
}

const rank: Record<HardwareCell['basis'], number> = { measured: 0, interpolated: 1, extrapolated: 2, unknown: 3 };
const worst = (bases: HardwareCell['basis'][]): HardwareCell['basis'] => bases.reduce((a, b) => (rank[b] > rank[a] ? b : a), 'measured' as HardwareCell['basis']);
const unknown = (note: string): HardwareCell => ({ value: null, basis: 'unknown', note });
const basisAt = (scale: number, measured: number[]): EstimateBasis =>
  measured.includes(scale) ? 'measured' : scale >= Math.min(...measured) && scale <= Math.max(...measured) ? 'interpolated' : 'extrapolated';

function ramCell(r: RunResults, scaling: ScalingSection, scale: number, safety: number): HardwareCell {
  const fit = scaling.fits.find((f) => f.stage === 'pipeline' && f.metric === 'rssBytes');
  const e = fit?.estimates.find((x) => x.scale === scale);
  if (!e) {
    const peak = pipelinePeakRss(r).find((p) => p.scale === scale);
    return peak ? { value: peak.value * safety, basis: 'measured' } : unknown('no peak-RSS fit (needs two scales that ran)');
  }
  return { value: e.estimate * safety, low: e.low === null ? null : e.low * safety, high: e.high === null ? null : e.high * safety, basis: e.basis };
}

function timeCell(r: RunResults, scaling: ScalingSection, scale: number, metric: 'wall' | 'cpu'): HardwareCell {
  const fits = scaling.fits.filter((f) => f.metric === (metric === 'cpu' ? 'cpuMs' : 'wallMs'));
  if (!fits.length) return unknown('no wall-time fits');
  const unfitted = [...new Set(r.records.map((x) => `${x.stage}/${x.method}`))].filter((s) => !fits.some((f) => f.stage === s));
  const missing = unfitted.length ? `; excludes ${unfitted.join(', ')} (fewer than two scales ran)` : '';
  const es = fits.map((f) => f.estimates.find((x) => x.scale === scale)!);
  const allMeasured = es.every((e) => e.basis === 'measured');
  const sum = (k: 'estimate' | 'low' | 'high'): number | null =>
    k === 'estimate' || (!allMeasured && es.every((e) => e[k] !== null || e.basis === 'measured')) ? es.reduce((s, e) => s + (e[k] ?? e.estimate), 0) : null;
  return { value: sum('estimate'), low: sum('low'), high: sum('high'), basis: worst(es.map((e) => e.basis)), note: `sum of ${fits.length} stage fits, one worker each${missing}` };
}

function coresCell(ws: WorkerScalingSection | undefined, scale: number): HardwareCell {
  if (!ws || !ws.stages?.length) return unknown('no worker-scaling section');
  const best = ws.stages.reduce((a, b) => (b.bestWorkers > a.bestWorkers ? b : a));
  const atCeiling = best.bestWorkers >= ws.cores;
  const stages = ws.stages.map((s) => `${s.stage}/${s.method} ${s.bestSpeedup.toFixed(2)}x at ${s.bestWorkers}`).join('; ');
  return {
    value: best.bestWorkers, basis: scale === best.scale ? 'measured' : 'extrapolated',
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

function diskCell(st: StorageSection | undefined, format: string | null, scale: number): HardwareCell {
  if (!st || !format || !st.scales?.length) return unknown('no storage section');
  const measured = st.scales.find((s) => s.scale === scale)?.totals.find((t) => t.format === format);
  if (measured) return { value: measured.bytes, basis: 'measured' };
  const proj = st.projections?.find((p) => p.scale === scale && p.format === format);
  const scales = st.scales.map((s) => s.scale);
  if (proj) return { value: proj.bytes, basis: proj.extrapolated ? 'extrapolated' : basisAt(scale, scales), note: `linear fit over n=${proj.fittedOn.join(', ')}` };
  // No projection for this scale: bytes per conversation at the largest measured scale, times n.
  const largest = st.scales.reduce((a, b) => (b.scale > a.scale ? b : a));
  const per = largest.totals.find((t) => t.format === format)?.bytesPerConversation;
  if (per === undefined) return unknown(`format ${format} not measured at the largest scale`);
  return { value: per * scale, basis: basisAt(scale, scales), note: `${per.toFixed(0)} B/conversation at n=${largest.scale}` };
}

function costCell(cost: CostSection | undefined, scale: number): HardwareCell {
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
  return { value: usd, basis: basisAt(scale, scales), note: 'linear in n from the largest measured scale' };
}

/** Describe the machine in one line. */
export function machineLine(r: RunResults): string {
  const m = r.machine;
  return `${m.cpuModel}, ${m.cores} cores, ${formatBytes(m.totalMemBytes)} RAM, ${m.platform}/${m.arch}, Node ${m.nodeVersion}`;
}

/** Build `sections.hardware` from results that already hold `sections.scaling` (and storage, workerScaling, cost when present). */
export function hardwareSection(r: RunResults, scaling: ScalingSection): HardwareSection {
  const spec = scalingSpecOf(r);
  const storage = r.sections.storage as StorageSection | undefined;
  const ws = r.sections.workerScaling as WorkerScalingSection | undefined;
  const cost = r.sections.cost as CostSection | undefined;
  const diskFormat = storage?.scales?.length ? diskFormatOf(storage) : null;
  const broke = (scale: number): string[] =>
    r.breakingPoints.filter((b: BreakingPoint) => ['oom', 'timeout', 'error'].includes(b.kind) && (b.bisection?.failScale ?? b.firstFailingScale) <= scale)
      .map((b) => `${b.stage}/${b.method} (${b.kind} from n=${b.bisection?.failScale ?? b.firstFailingScale})`);
  return {
    machine: machineLine(r), safetyFactor: spec.safetyFactor, timeMetric: spec.timeMetric, diskFormat,
    rows: scaling.targets.map((scale) => ({
      scale, ramBytes: ramCell(r, scaling, scale, spec.safetyFactor), cores: coresCell(ws, scale), diskBytes: diskCell(storage, diskFormat, scale),
      timeMs: timeCell(r, scaling, scale, spec.timeMetric), costUsd: costCell(cost, scale), beyondBreakingPoints: broke(scale),
    })),
  };
}

const usd = (v: number): string => (v === 0 ? '$0' : v < 0.01 ? `$${v.toPrecision(2)}` : `$${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`);

function cellText(c: HardwareCell, fmt: (v: number) => string): string {
  if (c.value === null) return 'unknown';
  const range = intervalText(c.low, c.high, fmt);
  return `${fmt(c.value)}${range} *${c.basis}*`;
}

/** The Markdown table, for the top of report.md. */
export function renderHardwareMarkdown(h: HardwareSection): string[] {
  const out = [
    '## Hardware recommendation', '',
    `Measured on: ${h.machine}. RAM = pipeline peak RSS × ${h.safetyFactor}; time = single-worker ${h.timeMetric === 'cpu' ? 'CPU' : 'wall'} time of all stages; ` +
      `disk = ${h.diskFormat ? `\`${h.diskFormat}\` storage` : 'storage (not measured)'}. *measured* cells come from this run; *interpolated* and *extrapolated* ones from fitted power laws with 95% prediction intervals.`, '',
    '| conversations | RAM | cores | disk | time | API cost | notes |', '|---|---|---|---|---|---|---|',
  ];
  for (const r of h.rows) {
    const notes = [...(r.beyondBreakingPoints.length ? [`beyond breaking point: ${r.beyondBreakingPoints.join(', ')}`] : [])];
    out.push(`| ${r.scale.toLocaleString('en-US')} | ${cellText(r.ramBytes, formatBytes)} | ${r.cores.value === null ? 'unknown' : `${r.cores.value} *${r.cores.basis}*`} | ${cellText(r.diskBytes, formatBytes)} | ${cellText(r.timeMs, formatMs)} | ${cellText(r.costUsd, usd)} | ${notes.join('; ')} |`);
  }
  const unknownNotes = [...new Set(h.rows.flatMap((r) => [r.cores, r.diskBytes, r.costUsd, r.ramBytes].filter((c) => c.value === null).map((c) => c.note ?? '')))].filter(Boolean);
  const coreNote = h.rows.find((r) => r.cores.note && r.cores.value !== null)?.cores.note;
  if (coreNote) out.push('', `Cores: ${coreNote}.`);
  const timeNote = h.rows.find((r) => r.timeMs.note?.includes('excludes'))?.timeMs.note;
  if (timeNote) out.push('', `Time: ${timeNote}; those rows understate the pipeline's time.`);
  if (unknownNotes.length) out.push('', `Unknown cells: ${unknownNotes.join('; ')}.`);
  out.push('');
  return out;
}

const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** runs/<id>/hardware.csv: one row per target scale; raw numbers (bytes, ms, USD) and a basis column per quantity. */
export function renderHardwareCsv(h: HardwareSection): string {
  const header = ['scale', 'ram_bytes', 'ram_low', 'ram_high', 'ram_basis', 'cores', 'cores_basis', 'disk_bytes', 'disk_basis', 'disk_format', 'time_ms', 'time_low', 'time_high', 'time_basis', 'time_metric', 'cost_usd', 'cost_basis', 'machine', 'safety_factor', 'notes'];
  const lines = [header.join(',')];
  for (const r of h.rows) {
    lines.push([
      r.scale, r.ramBytes.value, r.ramBytes.low, r.ramBytes.high, r.ramBytes.basis, r.cores.value, r.cores.basis, r.diskBytes.value, r.diskBytes.basis, h.diskFormat,
      r.timeMs.value, r.timeMs.low, r.timeMs.high, r.timeMs.basis, h.timeMetric, r.costUsd.value, r.costUsd.basis, h.machine, h.safetyFactor,
      r.beyondBreakingPoints.length ? `beyond breaking point: ${r.beyondBreakingPoints.join('; ')}` : '',
    ].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
