/**
 * PCA on seeded Gaussian blobs: reduce/pca (blocked covariance + ml-matrix EVD of d x d) against the ml-pca 4
 * baseline (SVD) under the time cap. 384 -> 10 and 10 -> 2 at 10K and 100K; BENCH_LARGE=1 adds 1M. `pca` uses 2
 * threads for the covariance (options.threads: 2), `pca 1 thread` one (the stage's default).
 * Target: 384 -> 10 at 100K <= 6 s on 2 cores. Time covers fit and projection.
 */
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { pca } from '../pipeline/stages/reduce/pca.js';
import { columnMeans, covarianceMatrixParallel } from '../pipeline/kernels/covariance-kernel.js';
import { runMlPca } from '../pipeline/stages/reduce/ml-pca.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { cellMain, large, machineLine, outcomeCells, runCell, timed } from './bench-cells.js';

interface Cell {
  method: 'pca' | 'pca 1 thread' | 'ml-pca';
  n: number;
  d: number;
  k: number;
}

const isChild = await cellMain<Cell>(async ({ method, n, d, k }) => {
  const b = makeBlobs({ n, d, centers: 50, seed: 1 });
  if (method === 'ml-pca') {
    const r = await timed(() => runMlPca(b.x, k));
    return { ms: r.ms, extra: { explained: r.value.explainedVarianceRatio.reduce((a, v) => a + v, 0).toFixed(4) } };
  }
  const threads = method === 'pca' ? 2 : 1;
  const r = await timed(async () => {
    const mean = columnMeans(b.x);
    return pca(b.x, k, { mean, cov: await covarianceMatrixParallel(b.x, mean, threads) });
  });
  return { ms: r.ms, extra: { explained: r.value.explainedVarianceRatio.reduce((a, v) => a + v, 0).toFixed(4) } };
});

if (!isChild) {
  const reference: Record<string, string> = {
    'pca 100000x384': 'sklearn PCA 4.9 s full, 1.4 s randomized',
    'ml-pca 10000x384': 'ml-pca measured 14 s',
    'ml-pca 100000x384': 'ml-pca measured 145 s',
  };
  const script = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  console.log(`PCA, Gaussian blobs; ${machineLine()}`);
  for (const [d, k] of [
    [384, 10],
    [10, 2],
  ] as const) {
    for (const n of [10_000, 100_000, ...(large ? [1_000_000] : [])]) {
      for (const method of ['pca', 'pca 1 thread', ...(n <= 100_000 ? ['ml-pca' as const] : [])] as Cell['method'][]) {
        const o = runCell(script, { method, n, d, k } satisfies Cell);
        rows.push([
          method,
          n.toLocaleString('en-US'),
          `${d} -> ${k}`,
          ...outcomeCells(o).slice(0, 2),
          String(o.extra?.explained ?? '—'),
          reference[`${method} ${n}x${d}`] ?? '',
        ]);
        console.error(rows[rows.length - 1].join(' | '));
      }
    }
  }
  console.log(renderTextTable(['method', 'n', 'd -> k', 'time', 'peak RSS', 'explained var.', 'reference'], rows));
}
