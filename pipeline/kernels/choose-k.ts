/**
 * Choose k for k-means without ground truth: run k-means at each k of a geometric grid from 2 to ceil(n / 10)
 * (Kura's leaf size, ten conversations a cluster) and keep the k with the highest sampled silhouette. On
 * sentence embeddings of fine-grained intents the silhouette still rises at the top of the grid (CLINC150 val,
 * 3,000 texts: 0.058 at k = 20, 0.107 at 150, 0.149 at 400), so the bound, not the curve, often decides.
 */
import type { Matrix } from '../contracts.js';
import { silhouetteScore } from '../metrics/silhouette.js';

/** One candidate k and its score. */
export interface KCandidate {
  k: number;
  silhouette: number;
}

/** Geometric grid of candidate k (about `steps` values) between 2 and the upper bound. */
export function kGrid(n: number, steps = 8): number[] {
  const hi = Math.max(2, Math.min(n - 1, Math.ceil(n / 10)));
  const out = new Set<number>();
  for (let s = 0; s < steps; s++) out.add(Math.round(2 * (hi / 2) ** (s / Math.max(1, steps - 1))));
  return [...out].filter((k) => k >= 2 && k < n).sort((a, b) => a - b);
}

/**
 * Score every k of the grid with `cluster` (one seeded run each) and return the best (a tie keeps the smaller k) and
 * all candidates. The silhouette is exact up to 2,000 points, sampled beyond.
 */
export function chooseK(
  x: Matrix,
  cluster: (k: number) => Int32Array,
  seed: number,
): { k: number; candidates: KCandidate[] } {
  const candidates: KCandidate[] = [];
  if (x.rows < 4) return { k: 1, candidates };
  for (const k of kGrid(x.rows)) {
    const s = silhouetteScore(x, cluster(k), { exactMax: 2000, sampleSize: 1000, seed });
    candidates.push({ k, silhouette: s?.value ?? -1 });
  }
  let best = candidates[0];
  for (const c of candidates) if (c.silhouette > best.silhouette) best = c;
  return { k: best?.k ?? 1, candidates };
}
