/**
 * Silhouette on seeded Gaussian blobs labelled by their truth (50 blobs): exact (blocked kernel) at 2K and 10K, and
 * the sampled estimate (1,000 points scored against 4,000, 95% CI) at 100K and 1M, d = 10 and 384 (1M x 384 with
 * BENCH_LARGE=1). Also Davies-Bouldin and Calinski-Harabasz (both O(n d), sharing one centroid pass as computeQuality does). Target: sampled silhouette at 1M <= 10 s.
 */
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { silhouetteScore } from '../pipeline/metrics/silhouette.js';
import { daviesBouldin } from '../pipeline/metrics/davies-bouldin.js';
import { calinskiHarabasz } from '../pipeline/metrics/calinski-harabasz.js';
import { clusterCentroids } from '../pipeline/kernels/cluster-centroids.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { cellMain, large, machineLine, outcomeCells, runCell, timed } from './bench-cells.js';

interface Cell {
  metric: 'silhouette exact' | 'silhouette sampled' | 'davies-bouldin + calinski-harabasz';
  n: number;
  d: number;
}

const isChild = await cellMain<Cell>(async ({ metric, n, d }) => {
  const b = makeBlobs({ n, d, centers: 50, seed: 1 });
  if (metric === 'davies-bouldin + calinski-harabasz') {
    const r = await timed(() => {
      const cc = clusterCentroids(b.x, b.truth);
      return [daviesBouldin(b.x, b.truth, cc), calinskiHarabasz(b.x, b.truth, cc)];
    });
    return { ms: r.ms, extra: { value: `DB ${r.value[0]?.toFixed(3)}, CH ${r.value[1]?.toFixed(0)}` } };
  }
  const exact = metric === 'silhouette exact';
  const r = await timed(() =>
    silhouetteScore(
      b.x,
      b.truth,
      exact ? { exactMax: n } : { exactMax: 0, sampleSize: 1000, referenceSize: 4000, seed: 1 },
    ),
  );
  const s = r.value!;
  return {
    ms: r.ms,
    extra: { value: `${s.value.toFixed(4)}${s.ci95 ? ` (CI ${s.ci95[0].toFixed(4)}..${s.ci95[1].toFixed(4)})` : ''}` },
  };
});

if (!isChild) {
  const script = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  console.log(`Internal metrics, Gaussian blobs labelled by truth; ${machineLine()}`);
  const cells: Cell[] = [];
  for (const d of [10, 384]) {
    for (const n of [2_000, 10_000]) cells.push({ metric: 'silhouette exact', n, d });
    for (const n of [100_000, 1_000_000])
      if (n < 1_000_000 || d === 10 || large) cells.push({ metric: 'silhouette sampled', n, d });
    for (const n of [100_000, ...(large ? [1_000_000] : [])])
      cells.push({ metric: 'davies-bouldin + calinski-harabasz', n, d });
  }
  for (const c of cells) {
    const o = runCell(script, c);
    rows.push([
      c.metric,
      c.n.toLocaleString('en-US'),
      String(c.d),
      ...outcomeCells(o).slice(0, 2),
      String(o.extra?.value ?? '—'),
    ]);
    console.error(rows[rows.length - 1].join(' | '));
  }
  console.log(renderTextTable(['metric', 'n', 'd', 'time', 'peak RSS', 'value'], rows));
}
