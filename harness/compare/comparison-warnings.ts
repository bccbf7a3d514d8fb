/**
 * What differs between two runs besides the code under test, as compare's warnings: the machine, the Node version,
 * the isolation mode cells were measured in (a profile without `isolation` measured in threads), the profile's
 * configuration (stages, input, seed, repeats, limits, quality settings), and the vectors the internal quality
 * metrics were computed on (silhouette on reduced vectors and on embeddings are different numbers).
 */
import type { QualityReport, RunResults } from '../types.js';

/** "reduced (10-d)". */
const vectorsText = (v: NonNullable<QualityReport['internalVectors']>): string => `${v.field} (${v.dims}-d)`;

/**
 * When the internal metrics of two quality reports used different vectors, say how; undefined when they match or
 * when a side did not record them (runs before the field existed: no claim either way).
 */
export function internalVectorsDiffer(base: QualityReport, next: QualityReport): string | undefined {
  const a = base.internalVectors, b = next.internalVectors;
  if (!a || !b || (a.field === b.field && a.dims === b.dims)) return undefined;
  return `silhouette, Davies–Bouldin and Calinski–Harabasz were computed on ${vectorsText(a)} in BASE and ${vectorsText(b)} in NEW`;
}

/** How a run isolated its cells: the profile's `isolation`, `thread` when absent (runs before process isolation). */
export function isolationOf(r: RunResults): string {
  const v = (r.profile as { isolation?: unknown } | null)?.isolation;
  return typeof v === 'string' ? v : 'thread';
}

/** Every difference worth a warning, each in one sentence. */
export function comparisonWarnings(base: RunResults, next: RunResults): string[] {
  const a = base.machine, b = next.machine;
  const out: string[] = [];
  const diff = (name: string, x: unknown, y: unknown, why = ''): void => { if (x !== y) out.push(`different ${name}: BASE ${String(x)} vs NEW ${String(y)}${why}`); };
  diff('machine (hostname)', a.hostname, b.hostname);
  diff('CPU', a.cpuModel, b.cpuModel);
  diff('core count', a.cores, b.cores);
  diff('memory', a.totalMemBytes, b.totalMemBytes);
  diff('Node version', a.nodeVersion, b.nodeVersion, '; V8 and its garbage collector change time and memory');
  diff('isolation mode', isolationOf(base), isolationOf(next), '; per-process and in-thread cells measure memory and CPU differently');
  const pa = (base.profile ?? {}) as Record<string, unknown>, pb = (next.profile ?? {}) as Record<string, unknown>;
  for (const k of ['stages', 'input', 'seed', 'repeats', 'warmup', 'limits']) {
    if (JSON.stringify(pa[k]) !== JSON.stringify(pb[k])) out.push(`different configuration: profile "${k}" differs between BASE and NEW; the comparison mixes code and config changes`);
  }
  if (JSON.stringify(pa.quality ?? {}) !== JSON.stringify(pb.quality ?? {})) {
    out.push(`different quality settings: profile "quality" is ${JSON.stringify(pa.quality ?? {})} in BASE and ${JSON.stringify(pb.quality ?? {})} in NEW; quality figures may not be comparable`);
  }
  const baseQ = new Map(base.scales.map((s) => [s.scale, s.quality]));
  const vectorDiffs = next.scales.flatMap((s) => {
    const q = baseQ.get(s.scale);
    const d = q ? internalVectorsDiffer(q, s.quality) : undefined;
    return d ? [{ scale: s.scale, d }] : [];
  });
  if (vectorDiffs.length) out.push(`different quality vectors at n=${vectorDiffs.map((v) => v.scale).join(', ')}: ${vectorDiffs[0].d}; those rows are not judged`);
  return out;
}
