/**
 * What differs between two runs besides the code under test, as compare's warnings: the machine, the Node version,
 * the isolation mode cells were measured in (a profile without `isolation` measured in threads), the profile's
 * configuration (stages, input, seed, repeats, limits, quality settings), the vectors the internal quality
 * metrics were computed on (silhouette on reduced vectors and on embeddings are different numbers), and, cell by
 * cell, the machine kind and worker label that measured it (a distributed sweep's cells run wherever a worker is free).
 */
import type { QualityReport, RunResults, StageRecord } from '../types.js';
import { cellKey } from '../analysis/cell-metrics.js';
import { machineKind } from '../io/machine-info.js';

/** "reduced (10-d)". */
const vectorsText = (v: NonNullable<QualityReport['internalVectors']>): string => `${v.field} (${v.dims}-d)`;

/**
 * When the internal metrics of two quality reports used different vectors, say how; undefined when they match or
 * when a side did not record them (runs before the field existed: no claim either way).
 */
export function internalVectorsDiffer(base: QualityReport, next: QualityReport): string | undefined {
  const a = base.internalVectors,
    b = next.internalVectors;
  if (!a || !b || (a.field === b.field && a.dims === b.dims)) return undefined;
  return `silhouette, Davies–Bouldin and Calinski–Harabasz were computed on ${vectorsText(a)} in BASE and ${vectorsText(b)} in NEW`;
}

/** How a run isolated its cells: the profile's `isolation`, `thread` when absent (runs before process isolation). */
export function isolationOf(r: RunResults): string {
  const v = (r.profile as { isolation?: unknown } | null)?.isolation;
  return typeof v === 'string' ? v : 'thread';
}

/** Who measured a record: its queue worker's label and machine kind, or "local" and the run's own machine. */
export function measuredBy(r: RunResults, rec: StageRecord): { label: string; kind: string } {
  if (!rec.worker) return { label: 'local', kind: machineKind(r.machine) };
  const m = r.sections.workers?.machines[rec.worker.label];
  return { label: rec.worker.label, kind: m ? machineKind(m) : 'unknown machine' };
}

/** label -> kind of every record of each cell. */
function cellMeasurers(r: RunResults): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const rec of r.records) {
    if (rec.status === 'skipped') continue;
    const key = cellKey(rec.stage, rec.method, rec.scale);
    const by = measuredBy(r, rec);
    let m = out.get(key);
    if (!m) out.set(key, (m = new Map<string, string>()));
    m.set(by.label, by.kind);
  }
  return out;
}

const whoText = (m: Map<string, string>): string => [...m].map(([label, kind]) => `${label} (${kind})`).join(' + ');
const listCells = (keys: string[]): string =>
  `${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ` and ${keys.length - 3} more` : ''}`;

/** Cells measured on different machine kinds or worker labels in BASE and NEW, and cells whose repeats mixed kinds. */
export function measurerWarnings(base: RunResults, next: RunResults): string[] {
  const a = cellMeasurers(base),
    b = cellMeasurers(next);
  const kinds: string[] = [],
    labels: string[] = [];
  let example = '';
  for (const [key, nb] of b) {
    const na = a.get(key);
    if (!na) continue;
    const ka = [...new Set(na.values())].sort().join('|'),
      kb = [...new Set(nb.values())].sort().join('|');
    if (ka !== kb) {
      kinds.push(key);
      example ||= `${key}: BASE on ${whoText(na)}, NEW on ${whoText(nb)}`;
    } else if ([...na.keys()].sort().join('|') !== [...nb.keys()].sort().join('|')) labels.push(key);
  }
  const out: string[] = [];
  if (kinds.length)
    out.push(
      `cells measured on different machine kinds: ${listCells(kinds)} (${example}); their time and memory differ with the machine, not only the code`,
    );
  if (labels.length)
    out.push(`cells measured by different worker labels of the same machine kind: ${listCells(labels)}`);
  for (const [side, m] of [
    ['BASE', a],
    ['NEW', b],
  ] as const) {
    const mixed = [...m].filter(([, by]) => new Set(by.values()).size > 1).map(([key]) => key);
    if (mixed.length)
      out.push(
        `repeats of ${listCells(mixed)} in ${side} ran on more than one machine kind: their samples mix machines`,
      );
  }
  return out;
}

/** Every difference worth a warning, each in one sentence. */
export function comparisonWarnings(base: RunResults, next: RunResults): string[] {
  const a = base.machine,
    b = next.machine;
  const out: string[] = [];
  const diff = (name: string, x: unknown, y: unknown, why = ''): void => {
    if (x !== y) out.push(`different ${name}: BASE ${String(x)} vs NEW ${String(y)}${why}`);
  };
  diff('machine (hostname)', a.hostname, b.hostname);
  diff('CPU', a.cpuModel, b.cpuModel);
  diff('core count', a.cores, b.cores);
  diff('memory', a.totalMemBytes, b.totalMemBytes);
  diff('Node version', a.nodeVersion, b.nodeVersion, '; V8 and its garbage collector change time and memory');
  diff(
    'isolation mode',
    isolationOf(base),
    isolationOf(next),
    '; per-process and in-thread cells measure memory and CPU differently',
  );
  const pa = (base.profile ?? {}) as Record<string, unknown>,
    pb = (next.profile ?? {}) as Record<string, unknown>;
  for (const k of ['stages', 'input', 'seed', 'repeats', 'warmup', 'limits']) {
    if (JSON.stringify(pa[k]) !== JSON.stringify(pb[k]))
      out.push(
        `different configuration: profile "${k}" differs between BASE and NEW; the comparison mixes code and config changes`,
      );
  }
  if (JSON.stringify(pa.quality ?? {}) !== JSON.stringify(pb.quality ?? {})) {
    out.push(
      `different quality settings: profile "quality" is ${JSON.stringify(pa.quality ?? {})} in BASE and ${JSON.stringify(pb.quality ?? {})} in NEW; quality figures may not be comparable`,
    );
  }
  const baseQ = new Map(base.scales.map((s) => [s.scale, s.quality]));
  const vectorDiffs = next.scales.flatMap((s) => {
    const q = baseQ.get(s.scale);
    const d = q ? internalVectorsDiffer(q, s.quality) : undefined;
    return d ? [{ scale: s.scale, d }] : [];
  });
  if (vectorDiffs.length)
    out.push(
      `different quality vectors at n=${vectorDiffs.map((v) => v.scale).join(', ')}: ${vectorDiffs[0].d}; those rows are not judged`,
    );
  out.push(...measurerWarnings(base, next));
  return out;
}
