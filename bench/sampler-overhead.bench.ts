/**
 * The RSS sampler's own cost: the same cell (embed/hashing on synthetic conversations, in a warm piscina worker)
 * run alternately with sampling.intervalMs 10 (on) and 0 (off: start and end readings only), R times each.
 * Reports the wall-time overhead (median on vs median off), the main-thread memory the timeline holds (heap
 * after forced GC with and without it; needs --expose-gc, which scripts/run-benches.mjs passes), the peak-RSS
 * difference, and the cost of one reading. Targets (issue 6): <= 2% wall time and <= 5 MB at 10 ms.
 * BENCH_SAMPLER_N (conversations, default 3000) and BENCH_SAMPLER_RUNS (per mode, default 15) size it. On a shared
 * machine the medians are noisy; the median of paired ratios (each on run against the off run next to it) cancels
 * slow drift, and the minimum of each mode is the least-disturbed estimate; both are reported.
 * With sampling off only start and end are read, so its 'peak RSS' misses the peak: that difference is what the
 * timeline buys, not what it costs. Because wall time on a loaded machine is noisy, the sampler's CPU time is also
 * measured directly: process CPU over 3 s of sampling with nothing else running, minus the same without it.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRssSampler } from '../harness/workers/memory-sampler.js';
import { median } from 'simple-statistics';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runStageOnce } from '../harness/sweep/stage-run.js';
import { createStagePool } from '../harness/workers/worker-pool.js';
import { buildScaleInput } from '../harness/sweep/sweep-input.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { formatBytes } from '../pipeline/support/format-units.js';
import type { PipelineData, RssSample, SamplerOverhead } from '../harness/types.js';

const n = Number(process.env.BENCH_SAMPLER_N ?? 3000);
const runs = Number(process.env.BENCH_SAMPLER_RUNS ?? 15);
const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  const stage = { stage: 'embed', method: 'hashing', options: { dims: 256, field: 'conversations' } };
  const on = await validateProfile(
    { name: 'sampler-on', scales: [n], stages: [stage], sampling: { intervalMs: 10 } },
    'bench',
  );
  const off = await validateProfile({ ...on, name: 'sampler-off', sampling: { intervalMs: 0 } }, 'bench');
  let data: PipelineData = (await buildScaleInput(on, n)).data;
  const pool = createStagePool(on.stages[0], on);
  const wall = { on: [] as number[], off: [] as number[] };
  const peak = { on: [] as number[], off: [] as number[] };
  let kept: RssSample[] | undefined;
  let samples = 0;
  try {
    for (let r = -1; r < runs; r++) {
      // Alternate the order so drift on a shared machine hits both modes alike; r = -1 warms the worker up.
      for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const { record, data: out } = await runStageOnce(pool, on.stages[0], mode === 'on' ? on : off, data, n, 0);
        if (record.status !== 'ok' || !out) throw new Error(`${mode}: ${record.status} ${record.reason ?? ''}`);
        data = { ...data, ...out };
        if (r < 0) continue;
        wall[mode].push(record.wallMs);
        peak[mode].push(record.peakRssBytes);
        if (mode === 'on') {
          kept = record.rssTimeline;
          samples = kept.length;
        }
      }
    }
  } finally {
    await pool.destroy();
  }
  // Memory the timeline holds in the main thread: heap after GC with the last timeline alive, then without it.
  let timelineBytes = NaN;
  if (gc) {
    gc();
    gc();
    const withIt = process.memoryUsage().heapUsed;
    // eslint-disable-next-line no-useless-assignment -- drops the last reference so the gc() below can free the timeline
    kept = undefined;
    gc();
    gc();
    timelineBytes = withIt - process.memoryUsage().heapUsed;
  }
  // CPU the sampler itself burns: idle main thread, 3 s with the 10 ms timer vs 3 s without, twice each.
  const idleCpuMs = async (intervalMs: number): Promise<number> => {
    const c0 = process.cpuUsage();
    const sampler = startRssSampler(intervalMs);
    await sleep(3000);
    sampler.stop();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  // Control: a bare 10 ms setInterval, to separate the timer's wake-ups from the sampler's own work.
  const bareTimerCpuMs = async (): Promise<number> => {
    const c0 = process.cpuUsage();
    const t = setInterval(() => undefined, 10);
    await sleep(3000);
    clearInterval(t);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const cpuOn: number[] = [];
  const cpuOff: number[] = [];
  const cpuBare: number[] = [];
  for (let i = 0; i < 2; i++) {
    cpuOn.push(await idleCpuMs(10));
    cpuOff.push(await idleCpuMs(0));
    cpuBare.push(await bareTimerCpuMs());
  }
  const samplerCpuShare = (median(cpuOn) - median(cpuOff)) / 3000;
  const bareTimerShare = (median(cpuBare) - median(cpuOff)) / 3000;
  // Cost of one reading (what each 10 ms tick does besides pushing one object).
  const k = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < k; i++) process.memoryUsage.rss();
  const perReadingUs = ((performance.now() - t0) / k) * 1000;

  const pairs = wall.on.map((w, i) => w / wall.off[i]);
  const wOn = median(wall.on);
  const wOff = median(wall.off);
  const result: SamplerOverhead = {
    intervalMs: 10,
    wallMsOn: wOn,
    wallMsOff: wOff,
    wallOverhead: (wOn - wOff) / wOff,
    memoryOverheadBytes: timelineBytes,
    samples,
  };
  const rssDiff = median(peak.on) - median(peak.off);
  console.log(
    `sampler overhead: embed/hashing, n=${n}, ${runs} runs per mode alternating, warm worker (shared 2-core machine: noisy)\n`,
  );
  console.log(
    renderTextTable(
      ['measure', 'value', 'target'],
      [
        ['median wall, sampling on (10 ms)', `${wOn.toFixed(1)} ms`, ''],
        ['median wall, sampling off', `${wOff.toFixed(1)} ms`, ''],
        ['wall-time overhead, by median', `${(result.wallOverhead * 100).toFixed(2)} %`, '<= 2 %'],
        ['min wall on / off', `${Math.min(...wall.on).toFixed(1)} / ${Math.min(...wall.off).toFixed(1)} ms`, ''],
        ['wall-time overhead, median of paired ratios', `${((median(pairs) - 1) * 100).toFixed(2)} %`, '<= 2 %'],
        [
          'wall-time overhead, by minimum',
          `${((Math.min(...wall.on) / Math.min(...wall.off) - 1) * 100).toFixed(2)} %`,
          '<= 2 %',
        ],
        ['RSS samples per run (on)', String(samples), ''],
        [
          'timeline memory (heap after GC)',
          Number.isFinite(timelineBytes) ? formatBytes(timelineBytes) : 'n/a (run with --expose-gc)',
          '<= 5 MB',
        ],
        ['peak RSS seen, on - off (median)', formatBytes(rssDiff), '(off misses the peak)'],
        ['one RSS reading', `${perReadingUs.toFixed(2)} us`, ''],
        ['sampler CPU, measured (3 s idle, on - off)', `${(samplerCpuShare * 100).toFixed(3)} % of one core`, ''],
        ['  of which a bare 10 ms setInterval', `${(bareTimerShare * 100).toFixed(3)} % of one core`, ''],
        ['sampler CPU, from one reading x 100/s', `${((perReadingUs / 10_000) * 100).toFixed(3)} % of one core`, ''],
      ],
    ),
  );
  console.log(`\n${JSON.stringify(result)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
