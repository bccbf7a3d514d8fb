/**
 * The cluster map sample for reports: a seeded uniform sample (default 1,500 points) of the project stage's n x 2
 * output, with each point's cluster and a short hover text. Small on purpose: results.json stays light and the
 * SVG map stays fast to render and open.
 */
import type { ClusterMapSection, PipelineData } from '../types.js';
import { mulberry32 } from '../../pipeline/support/seeded-random.js';
import { textAt } from '../../pipeline/support/text-column.js';

/** Sample the projection of one scale; undefined when no projection was produced. */
export function sampleClusterMap(
  data: PipelineData,
  scale: number,
  opts: { seed: number; maxPoints?: number; intents?: string[] },
): ClusterMapSection | undefined {
  const p = data.projection;
  if (!p || p.cols < 2 || p.rows === 0) return undefined;
  const n = p.rows;
  const k = Math.min(n, opts.maxPoints ?? 1500);
  // Partial Fisher-Yates over indices: a uniform sample without replacement, reproducible by seed.
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const rand = mulberry32(opts.seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const texts = data.summaries ?? data.conversations;
  const names = new Map((data.clusterInfo ?? []).map((c) => [c.id, c.name ?? c.terms?.slice(0, 3).join(' / ')]));
  const points = Array.from(idx.subarray(0, k), (i) => {
    const cluster = data.labels?.[i] ?? -1;
    const topic = names.get(cluster);
    const parts: string[] = [];
    const truth = data.truth?.[i];
    if (truth !== undefined && truth >= 0) parts.push(opts.intents?.[truth] ?? `intent ${truth}`);
    if (texts) parts.push(textAt(texts, i).replace(/\s+/g, ' ').slice(0, 100));
    return {
      x: Math.round(p.data[i * p.cols] * 1e4) / 1e4,
      y: Math.round(p.data[i * p.cols + 1] * 1e4) / 1e4,
      cluster,
      ...(topic ? { topic } : {}),
      ...(parts.length ? { text: parts.join(' · ') } : {}),
    };
  });
  return { scale, total: n, points };
}
