/**
 * The 2-D map at scale: project/fast-umap (our kNN + SGD layout) at 10K and 100K points (BENCH_LARGE=1: 200K and
 * 1M, the latter as a 200K sample), against umap-js (project/umap) at 10K, on embedded generator output
 * (hashing, 256-d, 20 intents) and 20 Gaussian blobs in 50-d. Each cell runs in its own process; prints wall and CPU
 * seconds, peak RSS, sampled trustworthiness (k = 15, 200 points, 95% CI) and the ARI of k-means on the map.
 */
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { fastUmap } from '../pipeline/stages/project/fast-umap.js';
import { defaultUmapOptions, umapEmbed } from '../pipeline/kernels/umap-embedding.js';
import { hashEmbed } from '../pipeline/stages/embed/hashing.js';
import { kmeans } from '../pipeline/stages/cluster/kmeans.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { trustworthiness } from '../pipeline/metrics/trustworthiness.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { buildScaleInput } from '../harness/sweep/sweep-input.js';
import { renderTextTable } from '../harness/io/text-table.js';
import type { Matrix } from '../harness/types.js';
import { cellMain, large, machineLine, outcomeCells, runCell } from './bench-cells.js';

interface Cell {
  method: 'fast-umap' | 'umap-js';
  n: number;
  input: 'conversations' | 'blobs';
  maxPoints?: number;
}

async function vectors(c: Cell): Promise<{ x: Matrix; truth: Int32Array }> {
  if (c.input === 'blobs') {
    const b = makeBlobs({ n: c.n, d: 50, centers: 20, seed: 1 });
    return { x: b.x, truth: b.truth };
  }
  const p = await validateProfile(
    {
      name: 'bench',
      seed: 7,
      scales: [c.n],
      input: { kind: 'synthetic', options: { intents: 20, languages: ['en'], difficulty: 0.1 } },
      stages: [{ stage: 'embed', method: 'hashing' }],
    },
    'bench',
  );
  const data = (await buildScaleInput(p, c.n)).data;
  return {
    x: hashEmbed(data.conversations!, { dims: 256, field: 'conversations', bigrams: true }),
    truth: data.truth!,
  };
}

const isChild = await cellMain<Cell>(async (c) => {
  let { x, truth } = await vectors(c);
  let rows: number | undefined;
  if (c.maxPoints && c.n > c.maxPoints) {
    // As the stage does above maxPoints: a seeded sample (here the first maxPoints rows of a shuffled input is the same in distribution).
    rows = c.maxPoints;
    x = { rows, cols: x.cols, data: x.data.slice(0, rows * x.cols) };
    truth = truth.slice(0, rows);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const map =
    c.method === 'fast-umap'
      ? await fastUmap(x, { nNeighbors: 15, minDist: 0.1, nEpochs: 0, pcaDims: 16, threads: 2 }, 1)
      : await umapEmbed(x, defaultUmapOptions(2), 1);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const t = trustworthiness(x, map, { k: 15, sampleSize: 200, seed: 3 })!;
  const k = new Set(truth).size;
  const ari = adjustedRandIndex(truth, kmeans(map, k, { maxIterations: 100, tolerance: 1e-4, seed: 1 }).labels);
  return {
    ms,
    ari,
    extra: {
      'CPU s': ((cpu.user + cpu.system) / 1e6).toFixed(1),
      trust: `${t.value.toFixed(3)} [${t.ci95![0].toFixed(3)}, ${t.ci95![1].toFixed(3)}]`,
      laid: rows ? `${rows} of ${c.n}` : String(c.n),
    },
  };
});

if (!isChild) {
  const cells: Cell[] = [
    { method: 'umap-js', n: 10_000, input: 'conversations' },
    { method: 'fast-umap', n: 10_000, input: 'conversations' },
    { method: 'fast-umap', n: 10_000, input: 'blobs' },
    { method: 'fast-umap', n: 100_000, input: 'conversations' },
    { method: 'fast-umap', n: 100_000, input: 'blobs' },
    ...(large
      ? ([
          { method: 'fast-umap', n: 200_000, input: 'conversations' },
          { method: 'fast-umap', n: 1_000_000, input: 'conversations', maxPoints: 200_000 },
        ] as Cell[])
      : []),
  ];
  console.log(machineLine());
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const rows: string[][] = [];
  for (const c of cells) {
    const out = runCell(fileURLToPath(import.meta.url), c);
    rows.push([
      c.method,
      c.input,
      c.n.toLocaleString('en-US'),
      ...outcomeCells(out),
      String(out.extra?.['CPU s'] ?? ''),
      String(out.extra?.trust ?? ''),
      String(out.extra?.laid ?? ''),
    ]);
    console.log(rows[rows.length - 1].join('  '));
  }
  console.log(
    renderTextTable(
      [
        'method',
        'input',
        'n',
        ...['time', 'peak RSS', 'ARI (k-means on map)'],
        'CPU s',
        'trustworthiness k=15 [95% CI]',
        'laid out',
      ],
      rows,
    ),
  );
  console.log(
    `load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
