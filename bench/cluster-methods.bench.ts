/**
 * The other clustering-pipeline methods under the time cap, each cell in its own process:
 * - agglomerative (ward, average) by our NN-chain at 2K and 10K, and by ml-hclust at 1K and 2K (its limit), on
 *   Gaussian blobs (20 blobs);
 * - project/umap (umap-js, 2-D) at 2K and 10K, scored by the ARI of k-means on the 2-D map;
 * - meta-cluster/clio over 1K and 10K cluster centroids (Kura's k = n/10 at 10K and 100K points);
 * - k-means, mini-batch k-means and agglomerative on embedded generator output (hashing, 256-d, 20 intents);
 * - label/ctfidf on generated conversations labelled by intent.
 * BENCH_LARGE=1 adds 100K conversations for k-means and c-TF-IDF.
 */
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { agglomerative } from '../pipeline/stages/cluster/agglomerative.js';
import { kmeans } from '../pipeline/stages/cluster/kmeans.js';
import { miniBatchKMeans } from '../pipeline/stages/cluster/minibatch-kmeans.js';
import { defaultUmapOptions, umapEmbed } from '../pipeline/kernels/umap-embedding.js';
import { buildClioHierarchy } from '../pipeline/stages/meta-cluster/clio.js';
import { ctfidfTopTerms } from '../pipeline/stages/label/ctfidf.js';
import { hashEmbed } from '../pipeline/stages/embed/hashing.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { buildScaleInput } from '../harness/sweep/sweep-input.js';
import { renderTextTable } from '../harness/io/text-table.js';
import type { Matrix, PipelineData } from '../harness/types.js';
import { cellMain, large, machineLine, outcomeCells, runCell, timed } from './bench-cells.js';

type Method =
  | 'agglomerative ward'
  | 'agglomerative average'
  | 'ml-hclust ward'
  | 'ml-hclust average'
  | 'project/umap'
  | 'meta-cluster/clio'
  | 'kmeans'
  | 'minibatch-kmeans'
  | 'label/ctfidf';
interface Cell {
  method: Method;
  n: number;
  d: number;
  input: 'blobs' | 'conversations';
}
const INTENTS = 20;

async function conversations(n: number): Promise<PipelineData> {
  const p = await validateProfile(
    {
      name: 'bench',
      seed: 7,
      scales: [n],
      input: { kind: 'synthetic', options: { intents: INTENTS, languages: ['en'], difficulty: 0.1 } },
      stages: [{ stage: 'embed', method: 'hashing' }],
    },
    'bench',
  );
  return (await buildScaleInput(p, n)).data;
}

const isChild = await cellMain<Cell>(async ({ method, n, d, input }) => {
  let x: Matrix, truth: Int32Array, k: number, data: PipelineData | undefined;
  if (input === 'blobs') {
    const b = makeBlobs({ n, d, centers: 20, seed: 1 });
    x = b.x;
    truth = b.truth;
    k = 20;
  } else {
    data = await conversations(n);
    x = hashEmbed(data.conversations!, { dims: d, field: 'conversations', bigrams: true });
    truth = data.truth!;
    k = new Set(truth).size;
  }
  switch (method) {
    case 'agglomerative ward':
    case 'agglomerative average':
    case 'ml-hclust ward':
    case 'ml-hclust average': {
      const r = await timed(() =>
        agglomerative(
          x,
          k,
          method.endsWith('ward') ? 'ward' : 'average',
          method.startsWith('ml-hclust') ? 'ml-hclust' : 'nn-chain',
        ),
      );
      return { ms: r.ms, ari: adjustedRandIndex(truth, r.value) };
    }
    case 'project/umap': {
      const r = await timed(() => umapEmbed(x, defaultUmapOptions(2), 1));
      return {
        ms: r.ms,
        ari: adjustedRandIndex(truth, kmeans(r.value, k, { maxIterations: 100, tolerance: 1e-4, seed: 1 }).labels),
        extra: { note: 'ARI of k-means on the map' },
      };
    }
    case 'meta-cluster/clio': {
      // n base clusters: centroids of Kura-rule clusters, stood in for by blob points.
      const r = await timed(() =>
        buildClioHierarchy(x, new Array(n).fill(10), { targetTop: 10, maxLevels: 4, branching: 4, seed: 1 }),
      );
      return { ms: r.ms, extra: { note: `levels ${r.value.levelSizes.join(' > ')}` } };
    }
    case 'kmeans': {
      const r = await timed(() => kmeans(x, k, { maxIterations: 100, tolerance: 1e-4, seed: 1 }));
      return { ms: r.ms, ari: adjustedRandIndex(truth, r.value.labels) };
    }
    case 'minibatch-kmeans': {
      const r = await timed(() =>
        miniBatchKMeans(x, k, { batchSize: 1024, maxSteps: 500, maxNoImprovement: 10, seed: 1 }),
      );
      return { ms: r.ms, ari: adjustedRandIndex(truth, r.value.labels) };
    }
    case 'label/ctfidf': {
      const r = await timed(() => ctfidfTopTerms(data!.conversations!, truth, { topTerms: 10, stopWords: true }));
      return {
        ms: r.ms,
        extra: { note: `${r.value.length} clusters; e.g. ${r.value[0].terms!.slice(0, 4).join(', ')}` },
      };
    }
  }
});

if (!isChild) {
  const script = fileURLToPath(import.meta.url);
  const cells: Cell[] = [];
  for (const d of [10, 384]) {
    for (const n of [2000, 10_000])
      for (const m of ['agglomerative ward', 'agglomerative average'] as const)
        cells.push({ method: m, n, d, input: 'blobs' });
    for (const n of [1000, 2000])
      for (const m of ['ml-hclust ward', 'ml-hclust average'] as const) cells.push({ method: m, n, d, input: 'blobs' });
    for (const n of [2000, 10_000]) cells.push({ method: 'project/umap', n, d, input: 'blobs' });
    for (const n of [1000, 10_000]) cells.push({ method: 'meta-cluster/clio', n, d, input: 'blobs' });
  }
  for (const n of [2000, 10_000, ...(large ? [100_000] : [])]) {
    for (const m of ['kmeans', 'minibatch-kmeans', ...(n <= 2000 ? ['agglomerative ward' as const] : [])] as Method[])
      cells.push({ method: m, n, d: 256, input: 'conversations' });
    cells.push({ method: 'label/ctfidf', n, d: 256, input: 'conversations' });
  }
  const rows: string[][] = [];
  console.log(`Other clustering-pipeline methods; ${machineLine()}`);
  for (const c of cells) {
    const o = runCell(script, c);
    rows.push([
      c.method,
      c.input === 'blobs' ? 'blobs (20)' : `conversations (${INTENTS} intents, hashed)`,
      c.n.toLocaleString('en-US'),
      String(c.d),
      ...outcomeCells(o),
      String(o.extra?.note ?? ''),
    ]);
    console.error(rows[rows.length - 1].join(' | '));
  }
  console.log(renderTextTable(['method', 'input', 'n', 'd', 'time', 'peak RSS', 'ARI', 'note'], rows));
}
