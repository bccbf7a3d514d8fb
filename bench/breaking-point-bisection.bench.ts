/**
 * How well bisection locates a hard memory cliff, and how often the complexity classifier names the right class.
 *
 * 1. probe/allocate (4 KB of live heap per item) under several memoryMb budgets: the located bracket, its width, the
 *    runs it took and the seconds, next to a naive estimate budget / 4.2 KB (V8's old space also holds the worker's
 *    own heap, so the real cliff sits below it).
 * 2. fitComplexities on n, n log n and n² data with Gaussian noise (5 scales, 1K..16K, 500 seeds per row): the share
 *    classified correctly (the rest inconclusive or wrong). BENCH_BISECT_BUDGETS sets the budgets (default 32,64,128).
 */
import { performance } from 'node:perf_hooks';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runSweep } from '../harness/sweep/sweep-runner.js';
import { createProgressReporter } from '../harness/sweep/progress-reporter.js';
import { fitComplexities, type Complexity } from '../harness/analysis/scaling-law-fit.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';

const budgets = (process.env.BENCH_BISECT_BUDGETS ?? '32,64,128').split(',').map(Number);
console.log('bisection of probe/allocate (4096 B/item) between 1,000 and 64,000 items, tolerance 5%');
console.log('| memoryMb | naive cliff | passes at | breaks at | width | runs | seconds |');
console.log('|---|---|---|---|---|---|---|');
for (const mb of budgets) {
  const profile = await validateProfile(
    {
      name: 'bench-cliff',
      scales: [1000, 64000],
      stages: [{ stage: 'probe', method: 'allocate', memoryMb: mb, options: { bytesPerItem: 4096 } }],
    },
    'bench',
  );
  const t0 = performance.now();
  const out = await runSweep(profile, { progress: createProgressReporter(process.stderr, true) });
  const s = (performance.now() - t0) / 1000;
  const b = out.breakingPoints[0]?.bisection;
  const naive = Math.round((mb * 2 ** 20) / 4200);
  if (!b) console.log(`| ${mb} | ${naive} | no break below 64,000 | | | | ${s.toFixed(1)} |`);
  else
    console.log(
      `| ${mb} | ${naive} | ${b.passScale} | ${b.failScale} | ${(b.relativeWidth * 100).toFixed(1)}% | ${b.steps.length} | ${s.toFixed(1)} |`,
    );
}

const ns = [1000, 2000, 4000, 8000, 16000];
const truths: [Complexity, (n: number) => number][] = [
  ['n', (n) => n],
  ['nlogn', (n) => n * Math.log2(n)],
  ['n^2', (n) => n * n],
];
console.log('\nshare of 500 noisy series classified correctly (5 scales, 1K..16K; the rest inconclusive or wrong)');
console.log('| noise | n | n log n | n² |');
console.log('|---|---|---|---|');
for (const noise of [0.01, 0.02, 0.05, 0.1, 0.2]) {
  const cells = truths.map(([name, f]) => {
    let ok = 0;
    for (let seed = 0; seed < 500; seed++) {
      const rand = mulberry32(seed);
      if (
        fitComplexities(
          ns,
          ns.map((n) => f(n) * (1 + noise * gaussian(rand))),
        ).best === name
      )
        ok++;
    }
    return `${((ok / 500) * 100).toFixed(1)}%`;
  });
  console.log(`| ${(noise * 100).toFixed(0)}% | ${cells.join(' | ')} |`);
}
