/**
 * HDBSCAN on seeded Gaussian blobs (20 blobs, as make_blobs; minClusterSize 5, minSamples 5), each cell in its own
 * process: ours (cluster/hdbscan) at 10K, 50K and 100K x 10 and 20K x 384 (BENCH_LARGE=1 adds 1M x 10), and the
 * hdbscan-ts baseline at 2K and 5K x 10 under the time cap. Prints wall time, process CPU time (all threads), peak
 * RSS, ARI against the blobs, noise share, cluster count and the phase split, next to the Python `hdbscan` figures
 * measured on this machine and the targets. BENCH_HDBSCAN_CAP_SEC caps our cells (default 900 s),
 * BENCH_CAP_SEC the baseline's (default 60 s).
 */
import { fileURLToPath } from 'node:url';
import { HDBSCAN } from 'hdbscan-ts';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { hdbscan } from '../pipeline/stages/cluster/hdbscan.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { cellMain, large, machineLine, outcomeCells, runCell, timed } from './bench-cells.js';

type Method = 'hdbscan' | 'hdbscan-ts';
interface Cell {
  method: Method;
  n: number;
  d: number;
}

/** Python hdbscan on the same seeded blobs, this machine (issue 5), and the targets. */
const reference: Record<string, string> = {
  '10000x10': '0.26 s',
  '50000x10': '2.8 s',
  '100000x10': '10.3 s',
  '20000x384': '177 s',
};
const target: Record<string, string> = {
  '100000x10': '<= 10 s, ARI 1.0',
  '20000x384': '<= 60 s',
  '1000000x10': '<= 10 min, < 4 GB',
};

const isChild = await cellMain<Cell>(async ({ method, n, d }) => {
  const b = makeBlobs({ n, d, centers: 20, seed: 1 });
  const cpu0 = process.cpuUsage();
  let labels: Int32Array;
  let ms: number;
  let phases = '';
  if (method === 'hdbscan') {
    const r = await timed(() => hdbscan(b.x, { minClusterSize: 5, minSamples: 5 }));
    labels = r.value.labels;
    ms = r.ms;
    const t = r.value.timings;
    phases = `${r.value.algorithm}, ${r.value.threads} threads: kNN ${(t.knnMs / 1000).toFixed(1)} s, MST ${(t.mstMs / 1000).toFixed(1)} s, tree ${(t.treeMs / 1000).toFixed(2)} s`;
  } else {
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) rows.push(Array.from(b.x.data.subarray(i * d, (i + 1) * d)));
    const r = await timed(() => new HDBSCAN({ minClusterSize: 5, minSamples: 5 }).fit(rows));
    labels = Int32Array.from(r.value);
    ms = r.ms;
  }
  const cpu = process.cpuUsage(cpu0);
  let noise = 0;
  for (let i = 0; i < n; i++) if (labels[i] < 0) noise++;
  const clusters = new Set(labels).size - (noise > 0 ? 1 : 0);
  return {
    ms,
    ari: adjustedRandIndex(b.truth, labels),
    extra: {
      cpu: `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
      noise: `${((100 * noise) / n).toFixed(1)}%`,
      clusters,
      phases,
    },
  };
});

if (!isChild) {
  const script = fileURLToPath(import.meta.url);
  const ourCap = Number(process.env.BENCH_HDBSCAN_CAP_SEC ?? 900);
  const cells: Cell[] = [
    { method: 'hdbscan', n: 10_000, d: 10 },
    { method: 'hdbscan', n: 50_000, d: 10 },
    { method: 'hdbscan', n: 100_000, d: 10 },
    { method: 'hdbscan', n: 20_000, d: 384 },
    ...(large ? [{ method: 'hdbscan' as const, n: 1_000_000, d: 10 }] : []),
    { method: 'hdbscan-ts', n: 2000, d: 10 },
    { method: 'hdbscan-ts', n: 5000, d: 10 },
  ];
  console.log(
    `HDBSCAN on 20 Gaussian blobs (minClusterSize 5, minSamples 5); ${machineLine()}; our cells capped at ${ourCap} s`,
  );
  const rows: string[][] = [];
  for (const c of cells) {
    const o = runCell(script, c, c.method === 'hdbscan' ? ourCap : undefined);
    const key = `${c.n}x${c.d}`;
    const x = o.extra ?? {};
    rows.push([
      c.method === 'hdbscan' ? 'cluster/hdbscan' : 'hdbscan-ts 1.0.17',
      c.n.toLocaleString('en-US'),
      String(c.d),
      ...outcomeCells(o),
      String(x.cpu ?? '—'),
      String(x.noise ?? '—'),
      String(x.clusters ?? '—'),
      c.method === 'hdbscan' ? (reference[key] ?? '—') : '—',
      c.method === 'hdbscan' ? (target[key] ?? '—') : '—',
      String(x.phases ?? ''),
    ]);
    console.error(rows[rows.length - 1].join(' | '));
  }
  console.log(
    renderTextTable(
      ['method', 'n', 'd', 'time', 'peak RSS', 'ARI', 'CPU', 'noise', 'clusters', 'Python hdbscan', 'target', 'phases'],
      rows,
    ),
  );
}
