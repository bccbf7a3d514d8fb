/**
 * Embeddings/min of the local embedders (hashing, use-lite) through the real harness path: runStageOnce on a
 * piscina stage pool, 1 worker and 2 workers (a splittable stage's rows sliced across them). Input: synthetic
 * conversations summarised by summarise/extractive. Each configuration gets an unmeasured warm-up run on a few rows
 * first, so model loading is not counted. BENCH_LONG=1 runs larger inputs and use-lite batch sizes.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { createStagePool } from '../harness/workers/worker-pool.js';
import { buildScaleInput } from '../harness/sweep/sweep-input.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { EXTRACTIVE_ROLE_DEFAULTS, summariseText } from '../pipeline/stages/summarise/extractive.js';
import { packTexts, textAt, textCount } from '../pipeline/support/text-column.js';
import type { PipelineData } from '../harness/types.js';

const long = process.env.BENCH_LONG === '1';

async function summaries(n: number): Promise<PipelineData> {
  const p = await validateProfile(
    { name: 'bench', seed: 7, scales: [n], stages: [{ stage: 'embed', method: 'hashing' }] },
    'bench',
  );
  const input = await buildScaleInput(p, n);
  const col = input.data.conversations!;
  const out: string[] = [];
  for (let i = 0; i < textCount(col); i++)
    out.push(summariseText(textAt(col, i), { sentences: 3, maxChars: 600, ...EXTRACTIVE_ROLE_DEFAULTS }));
  return { n, summaries: packTexts(out) };
}

/** Input that moves into the pool and back on every run: `data` always holds the live (non-detached) buffers. */
interface Holder {
  data: PipelineData;
}

async function measure(
  method: string,
  options: Record<string, unknown>,
  workers: number,
  h: Holder,
): Promise<string[]> {
  const data = h.data;
  const profile = await validateProfile(
    { name: 'bench', scales: [data.n], stages: [{ stage: 'embed', method, workers, options }] },
    'bench',
  );
  const spec = profile.stages[0];
  const pool = createStagePool(spec, profile);
  try {
    // Warm-up on a few rows: loads the model in every worker, so the measured run excludes loading.
    const few = Math.min(data.n, 8 * workers);
    const warm = await runStageOnce(
      pool,
      spec,
      profile,
      { n: few, summaries: packTexts(Array.from({ length: few }, (_, i) => textAt(data.summaries!, i))) },
      few,
      0,
    );
    if (warm.record.status !== 'ok') throw new Error(`${method}: ${warm.record.reason}`);
    const t0 = performance.now();
    const { record, data: back } = await runStageOnce(pool, spec, profile, h.data, data.n, 0);
    const wall = performance.now() - t0;
    if (record.status !== 'ok') throw new Error(`${method}: ${record.reason}`);
    h.data = { n: data.n, summaries: back!.summaries };
    const perSec = data.n / (wall / 1000);
    const opt = Object.entries(options)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    // Per CPU-second of the process (all threads): the figure that survives a shared, overloaded machine.
    const perCpuSec = data.n / ((record.cpuUserMs + record.cpuSystemMs) / 1000);
    return [
      `${method}${opt ? ` (${opt})` : ''}`,
      data.n.toLocaleString('en-US'),
      String(workers),
      `${(wall / 1000).toFixed(2)} s`,
      perSec.toFixed(1),
      Math.round(perSec * 60).toLocaleString('en-US'),
      Math.round(perCpuSec * 60).toLocaleString('en-US'),
    ];
  } finally {
    await pool.destroy();
  }
}

const rows: string[][] = [];
const hashN = long ? 200_000 : 20_000;
const useN = long ? 5_000 : 400;
const hashData: Holder = { data: await summaries(hashN) };
for (const w of [1, 2]) rows.push(await measure('hashing', { dims: 256 }, w, hashData));
const useData: Holder = { data: await summaries(useN) };
for (const w of [1, 2]) rows.push(await measure('use-lite', {}, w, useData));
if (long) for (const b of [1, 4, 32, 128]) rows.push(await measure('use-lite', { batchSize: b }, 1, useData));
console.log(
  `embedders on ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, Node ${process.version}${long ? '' : ' (short run; BENCH_LONG=1 for more)'}`,
);
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(', ')} (wall figures shrink when other work shares the cores)`,
);
console.log(
  renderTextTable(['embedder', 'n', 'workers', 'wall', 'embeddings/s', 'embeddings/min', 'embeddings/CPU-min'], rows),
);
