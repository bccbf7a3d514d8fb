import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitComplexities, fitPowerLaw, fitScaling, scalingSection } from '../harness/analysis/scaling-law-fit.js';
import { largerScaleAdvice, scalesToAdd } from '../harness/analysis/larger-scale-advice.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';
import { runProfileYaml } from './run-results-fixture.js';

const ns = [1000, 2000, 4000, 8000, 16000];

test('fitComplexities picks the generating class on exact and on noisy data', () => {
  const rand = mulberry32(7);
  const noisy = (f: (n: number) => number) => ns.map((n) => f(n) * (1 + 0.05 * gaussian(rand)));
  assert.equal(
    fitComplexities(
      ns,
      ns.map((n) => 3 * n * n),
    ).best,
    'n^2',
  );
  assert.equal(
    fitComplexities(
      ns,
      ns.map((n) => 0.5 * n),
    ).best,
    'n',
  );
  assert.equal(
    fitComplexities(
      ns,
      ns.map((n) => n * Math.log2(n)),
    ).best,
    'nlogn',
  );
  assert.equal(
    fitComplexities(
      ns,
      ns.map(() => 42),
    ).best,
    '1',
  );
  assert.equal(
    fitComplexities(
      ns,
      noisy((n) => 1e-6 * n ** 3),
    ).best,
    'n^3',
  );
  // n and n log n differ by only ~1.4x over this range: with 5% noise oAuto tells them apart ~87% of the time, with 2% always.
  const rand2 = mulberry32(3);
  assert.equal(
    fitComplexities(
      ns,
      ns.map((n) => 2 * n * (1 + 0.02 * gaussian(rand2))),
    ).best,
    'n',
  );
  assert.equal(
    fitComplexities(
      ns,
      ns.map((n) => n * Math.log2(n) * (1 + 0.02 * gaussian(rand2))),
    ).best,
    'nlogn',
  );
  assert.equal(
    fitComplexities(
      ns,
      noisy((n) => 1e-3 * n * n),
    ).best,
    'n^2',
  );
});

test('linear time plus a fixed cost (embed/hashing wall time at 625–10K) is O(n) or inconclusive, never O(n²)', () => {
  // 120 ms of pool start-up and 0.04 ms per conversation, with the lognormal scatter of wall time on a loaded machine.
  const hs = [625, 1250, 2500, 5000, 10000];
  assert.equal(
    fitComplexities(
      hs,
      hs.map((n) => 120 + 0.04 * n),
    ).best,
    'n',
    'exact: the intercept takes the fixed cost',
  );
  const rand = mulberry32(5);
  const seen = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const fit = fitComplexities(
      hs,
      hs.map((n) => (120 + 0.04 * n) * Math.exp(0.3 * gaussian(rand))),
    );
    seen.set(String(fit.best), (seen.get(String(fit.best)) ?? 0) + 1);
    if (fit.best === null) assert.match(fit.note!, /fit within 3× of each other|too much scatter/);
  }
  const superlinear = (seen.get('n^2') ?? 0) + (seen.get('n^3') ?? 0);
  assert.ok(superlinear <= 4, `O(n²)+ in ${superlinear}/200: ${JSON.stringify([...seen])}`);
});

test('the scales to add name a round scale within 10x of the target and make 4 scales spanning 10x', () => {
  assert.deepEqual(
    scalesToAdd([200, 1000, 5000], 10_000),
    [10_000],
    'the quick profile: a fourth scale, the target itself',
  );
  assert.deepEqual(scalesToAdd([200, 1000, 5000], 2000), [500], 'inside the range: the widest gap split');
  assert.deepEqual(scalesToAdd([200, 1000, 5000], 1_000_000), [100_000]);
  assert.deepEqual(scalesToAdd([3000], 10_000), [10_000, 20_000, 50_000]);
  assert.equal(
    largerScaleAdvice([200, 1000, 5000], 500_000, 'profiles/quick.yaml'),
    'not measured: run a larger scale (add 50000 to scales in profiles/quick.yaml)',
  );
});

test('the power law recovers its exponent, its 95% CI covers it, and extrapolation is marked', () => {
  const rand = mulberry32(11);
  const ys = ns.map((n) => 0.02 * n ** 1.3 * Math.exp(0.05 * gaussian(rand)));
  const p = fitPowerLaw(ns, ys)!;
  assert.ok(Math.abs(p.b - 1.3) < 0.1, `b = ${p.b}`);
  assert.ok(p.bCi95 && p.bCi95[0] < 1.3 && p.bCi95[1] > 1.3, `CI ${p.bCi95?.join(',')}`);
  assert.equal(fitPowerLaw([1000, 2000], [1, 2])!.bCi95, null, 'two scales give no interval');
  const fit = fitScaling(
    's/m',
    'wallMs',
    ns.map((n, i) => ({ scale: n, value: ys[i] })),
    [2000, 3000, 1_000_000],
  )!;
  // b is known to ±0.07 here, so the estimate may go 62x past the largest scale.
  assert.ok(fit.powerLaw!.bCi95![1] - fit.powerLaw!.bCi95![0] < 0.2 && fit.reachMax === null);
  assert.deepEqual(
    fit.estimates.map((e) => e.basis),
    ['measured', 'interpolated', 'extrapolated'],
  );
  const far = fit.estimates[2];
  const truth = 0.02 * 1e6 ** 1.3;
  assert.ok(far.low! < truth && truth < far.high!, `${far.low} < ${truth} < ${far.high}`);
  assert.ok(far.high! / far.low! > 1.05, 'an extrapolated interval has width');
  // 30% scatter: b is not known to ±0.1, so 1M (62x past 16K) is not estimated, and 100K (6x) is.
  const wide = fitScaling(
    's/m',
    'wallMs',
    ns.map((n) => ({ scale: n, value: 0.02 * n ** 1.3 * Math.exp(0.3 * gaussian(rand)) })),
    [100_000, 1_000_000],
    0,
    'p.yaml',
  )!;
  assert.equal(wide.reachMax, 160_000);
  assert.deepEqual(
    wide.estimates.map((e) => e.basis),
    ['extrapolated', 'not-measured'],
  );
  assert.equal(wide.estimates[1].estimate, null);
  assert.equal(wide.estimates[1].note, 'not measured: run a larger scale (add 100000 to scales in p.yaml)');
  // Three scales: no class, no estimate between or beyond them; the measured ones keep their values.
  const three = fitScaling(
    's/m',
    'wallMs',
    [200, 1000, 5000].map((n) => ({ scale: n, value: n })),
    [1000, 2000],
  )!;
  assert.equal(three.supported, false);
  assert.equal(three.bigO, 'inconclusive');
  assert.match(three.classNote!, /3 scales spanning 25×; a fit needs 4 spanning 10×/);
  assert.deepEqual(
    three.estimates.map((e) => [e.basis, e.estimate]),
    [
      ['measured', 1000],
      ['not-measured', null],
    ],
  );
});

test('probe/linear is classified O(n) and probe/quadratic O(n²) from real runs in the piscina pool', async () => {
  const r = await runProfileYaml(`
name: complexity
scales: [1000, 2000, 4000, 10000]
stages:
  - { stage: probe, method: linear, options: { workPerItem: 2500 } }
  - { stage: probe, method: quadratic, options: { workPerItem: 2 } }
repeats: 3
warmup: 1
`);
  const s = scalingSection(r);
  // CPU time: the machine is shared, and wall time under contention is not the stage's cost.
  const time = (stage: string) => s.fits.find((f) => f.stage === stage && f.metric === 'cpuMs')!;
  const lin = time('probe/linear');
  const quad = time('probe/quadratic');
  const show = (f: typeof lin) =>
    `${f.best} (${f.classNote ?? ''}): ${f.measured.map((p) => `${p.scale}=${p.value.toFixed(1)}ms`).join(' ')}`;
  // Linear work with a fixed cost per cell: O(n), or inconclusive against O(n log n), never super-linear.
  assert.ok(lin.best === 'n' || (lin.best === null && !/O\(n²\)/.test(lin.classNote ?? '')), show(lin));
  assert.equal(quad.best, 'n^2', show(quad));
  assert.ok(lin.powerLaw!.b > 0.8 && lin.powerLaw!.b < 1.2, `linear b = ${lin.powerLaw!.b}`);
  assert.ok(quad.powerLaw!.b > 1.7 && quad.powerLaw!.b < 2.3, `quadratic b = ${quad.powerLaw!.b}`);
  const at10m = lin.estimates.find((e) => e.scale === 10_000_000)!;
  assert.equal(
    at10m.basis,
    lin.reachMax === null ? 'extrapolated' : 'not-measured',
    `b CI ${lin.powerLaw!.bCi95?.join(',')}`,
  );
  assert.ok(
    s.fits.some((f) => f.stage === 'pipeline' && f.metric === 'rssBytes'),
    'pipeline peak RSS is fitted',
  );
});
