import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitComplexities, fitPowerLaw, fitScaling, scalingSection } from '../harness/analysis/scaling-law-fit.js';
import { gaussian, mulberry32 } from '../pipeline/support/seeded-random.js';
import { runProfileYaml } from './run-results-fixture.js';

const ns = [1000, 2000, 4000, 8000, 16000];

test('fitComplexities picks the generating class on exact and on noisy data', () => {
  const rand = mulberry32(7);
  const noisy = (f: (n: number) => number) => ns.map((n) => f(n) * (1 + 0.05 * gaussian(rand)));
  assert.equal(fitComplexities(ns, ns.map((n) => 3 * n * n)).best, 'n^2');
  assert.equal(fitComplexities(ns, ns.map((n) => 0.5 * n)).best, 'n');
  assert.equal(fitComplexities(ns, ns.map((n) => n * Math.log2(n))).best, 'nlogn');
  assert.equal(fitComplexities(ns, ns.map(() => 42)).best, '1');
  assert.equal(fitComplexities(ns, noisy((n) => 1e-6 * n ** 3)).best, 'n^3');
  // n and n log n differ by only ~1.4x over this range: with 5% noise oAuto tells them apart ~87% of the time, with 2% always.
  const rand2 = mulberry32(3);
  assert.equal(fitComplexities(ns, ns.map((n) => 2 * n * (1 + 0.02 * gaussian(rand2)))).best, 'n');
  assert.equal(fitComplexities(ns, ns.map((n) => n * Math.log2(n) * (1 + 0.02 * gaussian(rand2)))).best, 'nlogn');
  assert.equal(fitComplexities(ns, noisy((n) => 1e-3 * n * n)).best, 'n^2');
});

test('the power law recovers its exponent, its 95% CI covers it, and extrapolation is marked', () => {
  const rand = mulberry32(11);
  const ys = ns.map((n) => 0.02 * n ** 1.3 * Math.exp(0.05 * gaussian(rand)));
  const p = fitPowerLaw(ns, ys)!;
  assert.ok(Math.abs(p.b - 1.3) < 0.1, `b = ${p.b}`);
  assert.ok(p.bCi95 && p.bCi95[0] < 1.3 && p.bCi95[1] > 1.3, `CI ${p.bCi95}`);
  assert.equal(fitPowerLaw([1000, 2000], [1, 2])!.bCi95, null, 'two scales give no interval');
  const fit = fitScaling('s/m', 'wallMs', ns.map((n, i) => ({ scale: n, value: ys[i] })), [2000, 3000, 1_000_000])!;
  assert.deepEqual(fit.estimates.map((e) => e.basis), ['measured', 'interpolated', 'extrapolated']);
  const far = fit.estimates[2];
  const truth = 0.02 * 1e6 ** 1.3;
  assert.ok(far.low! < truth && truth < far.high!, `${far.low} < ${truth} < ${far.high}`);
  assert.ok(far.high! / far.low! > 1.05, 'an extrapolated interval has width');
});

test('probe/linear is classified O(n) and probe/quadratic O(n²) from real runs in the piscina pool', async () => {
  const r = await runProfileYaml(`
name: complexity
scales: [1000, 2000, 4000, 8000]
stages:
  - { stage: probe, method: linear, options: { workPerItem: 5000 } }
  - { stage: probe, method: quadratic, options: { workPerItem: 2 } }
repeats: 3
warmup: 1
`);
  const s = scalingSection(r);
  // CPU time: the machine is shared, and wall time under contention is not the stage's cost.
  const time = (stage: string) => s.fits.find((f) => f.stage === stage && f.metric === 'cpuMs')!;
  const lin = time('probe/linear');
  const quad = time('probe/quadratic');
  const show = (f: typeof lin) => `${f.best}: ${f.measured.map((p) => `${p.scale}=${p.value.toFixed(1)}ms`).join(' ')}`;
  assert.equal(lin.best, 'n', show(lin));
  assert.equal(quad.best, 'n^2', show(quad));
  assert.ok(lin.powerLaw!.b > 0.8 && lin.powerLaw!.b < 1.2, `linear b = ${lin.powerLaw!.b}`);
  assert.ok(quad.powerLaw!.b > 1.7 && quad.powerLaw!.b < 2.3, `quadratic b = ${quad.powerLaw!.b}`);
  const at10m = lin.estimates.find((e) => e.scale === 10_000_000)!;
  assert.equal(at10m.basis, 'extrapolated');
  assert.ok(s.fits.some((f) => f.stage === 'pipeline' && f.metric === 'rssBytes'), 'pipeline peak RSS is fitted');
});
