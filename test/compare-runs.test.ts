/**
 * `clusterbench compare` on a real run and variants of it: a doubled stage time is a regression (exit 1, the
 * message names the threshold), an identical run passes, noise is not significant, with and without repeats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { compareCommand } from '../harness/commands/compare-command.js';
import { compareRuns } from '../harness/compare/run-comparison.js';
import { mannWhitneyU, minimumPValue } from '../harness/analysis/mann-whitney-u.js';
import type { RunResults, StageRecord } from '../harness/types.js';
import { mulberry32 } from '../pipeline/support/seeded-random.js';
import { tempDir, writeProfile, tinyPipelineYaml } from './test-helpers.js';

const dir = tempDir();
let real: RunResults | undefined;
async function realRun(): Promise<RunResults> {
  if (real) return real;
  const profile = writeProfile(tinyPipelineYaml({ name: 'cmp', seed: 9, scales: [150, 400] }), dir);
  real = (await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true })).results;
  return real;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** `repeats` copies of each record with seeded multiplicative noise of +/- `noise`; `scale(stage)` multiplies wall and CPU time. */
function variant(r: RunResults, opts: { repeats: number; noise: number; seed: number; slower?: (rec: StageRecord) => number }): RunResults {
  const out = clone(r);
  const rand = mulberry32(opts.seed);
  out.records = r.records.flatMap((rec) => Array.from({ length: opts.repeats }, (_, i) => {
    const f = (1 + (rand() * 2 - 1) * opts.noise) * (opts.slower?.(rec) ?? 1);
    return { ...clone(rec), repeat: i, wallMs: rec.wallMs * f, cpuUserMs: rec.cpuUserMs * f, itemsPerSec: rec.itemsPerSec / f };
  }));
  return out;
}

function saveRun(r: RunResults, name: string): string {
  const d = join(dir, 'saved', name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'results.json'), JSON.stringify(r));
  return d;
}

const doubleCluster = (rec: StageRecord): number => (rec.stage === 'cluster' ? 2 : 1);

test('Mann-Whitney U matches known exact and approximate p-values', () => {
  // scipy.stats.mannwhitneyu(..., method="exact") two-sided.
  assert.ok(Math.abs(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p - 0.007937) < 1e-5);
  assert.ok(Math.abs(mannWhitneyU([1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14]).p - 0.0005828) < 1e-6);
  assert.equal(mannWhitneyU([1, 3, 5], [2, 4, 6]).p, 0.7);
  const tied = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7]);
  assert.equal(tied.method, 'normal');
  assert.ok(tied.p > 0.005 && tied.p < 0.05, `tied p=${tied.p}`);
  assert.equal(minimumPValue(3, 3), 0.1, 'with 3 repeats a U test can never reach p < 0.002');
});

test('an identical run passes with nothing significant', async () => {
  const r = await realRun();
  const base = saveRun(r, 'base');
  const { comparison, exitCode, table } = compareCommand(base, saveRun(clone(r), 'same'));
  assert.equal(exitCode, 0);
  assert.ok(comparison.rows.length >= 6 * 5);
  assert.equal(comparison.rows.filter((x) => x.significant).length, 0);
  assert.deepEqual(comparison.warnings, []);
  assert.match(table, /no significant regression/);
});

test('a doubled stage time is a regression naming its threshold (single samples: interval test)', async () => {
  const r = await realRun();
  const slow = variant(r, { repeats: 1, noise: 0, seed: 1, slower: doubleCluster });
  // Tiny cells: the minimum effect (50 ms) is set to 0 so the doubling itself is judged.
  const { comparison, exitCode, table } = compareCommand(saveRun(r, 'base1'), saveRun(slow, 'slow1'), { minEffectMs: '0' });
  assert.equal(exitCode, 1);
  const walls = comparison.regressions.filter((x) => x.metric === 'wall_p50');
  assert.deepEqual(walls.map((x) => x.cell).sort(), ['cluster/kmeans@150', 'cluster/kmeans@400']);
  for (const w of walls) {
    assert.equal(w.test, 'interval-overlap');
    assert.ok(Math.abs(w.ratio - 2) < 1e-9);
    assert.match(w.note!, /breaks threshold \*\.wall_p50: "<1\.10x"/);
  }
  assert.ok(comparison.rows.filter((x) => x.cell.startsWith('embed') && x.metric === 'wall_p50').every((x) => x.verdict === '~'), 'untouched stages stay ~');
  assert.match(table, /\| ✖ \| cluster\/kmeans@400 \| wall_p50 \|/);
});

test('with 7 repeats: noise is not significant, a doubled time is (Mann-Whitney, p < 0.002)', async () => {
  const r = await realRun();
  const base = variant(r, { repeats: 7, noise: 0.15, seed: 2 });
  const noisy = variant(r, { repeats: 7, noise: 0.15, seed: 3 });
  const quiet = compareRuns(base, noisy);
  const walls = quiet.rows.filter((x) => x.metric === 'wall_p50');
  assert.ok(walls.length === 6 && walls.every((x) => x.test === 'mann-whitney'));
  assert.ok(walls.every((x) => x.verdict === '~' && x.p! >= 0.002), walls.map((x) => `${x.cell} p=${x.p}`).join(', '));
  assert.equal(quiet.regressions.length, 0);
  const slow = compareRuns(base, variant(r, { repeats: 7, noise: 0.15, seed: 4, slower: doubleCluster }));
  const flagged = slow.regressions.filter((x) => x.metric === 'wall_p50');
  assert.deepEqual(flagged.map((x) => x.cell).sort(), ['cluster/kmeans@150', 'cluster/kmeans@400']);
  assert.ok(flagged.every((x) => x.p! < 0.002 && x.test === 'mann-whitney'));
});

test('profile thresholds override the defaults; a bad expression is named; a new OOM is a regression', async () => {
  const r = await realRun();
  const slow = variant(r, { repeats: 1, noise: 0, seed: 1, slower: doubleCluster });
  const loose = join(dir, 'loose.yaml');
  writeFileSync(loose, 'thresholds:\n  cluster.wall_p50: "<3x"\n  "*.throughput": off\n');
  const ok = compareCommand(saveRun(r, 'base2'), saveRun(slow, 'slow2'), { thresholds: loose });
  assert.equal(ok.exitCode, 0, ok.comparison.regressions.map((x) => x.note).join('; '));
  assert.equal(ok.comparison.rows.find((x) => x.cell === 'cluster/kmeans@400' && x.metric === 'wall_p50')!.verdict, '✔');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'cluster.wall_p50: "<1.1"\n');
  assert.throws(() => compareCommand(saveRun(r, 'base3'), saveRun(slow, 'slow3'), { thresholds: bad }), /bad\.yaml: threshold cluster\.wall_p50: "<1\.1" is not a ratio condition; write e\.g\. "<1\.10x"/);
  const broken = clone(r);
  for (const rec of broken.records) if (rec.stage === 'cluster' && rec.scale === 400) Object.assign(rec, { status: 'oom', reason: 'worker ran out of memory' });
  broken.machine.hostname = 'elsewhere';
  const c = compareRuns(r, broken);
  assert.ok(c.regressions.some((x) => x.cell === 'cluster/kmeans@400' && x.metric === 'status' && /ok -> oom/.test(x.note!)));
  assert.ok(c.warnings.some((w) => /different machine/.test(w)));
});

test('the compare CLI exits 1 on a regression (naming the threshold) and 0 on an identical run', async () => {
  const r = await realRun();
  const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
  const base = saveRun(r, 'cli-base');
  const slow = spawnSync(process.execPath, [cli, 'compare', base, saveRun(variant(r, { repeats: 1, noise: 0, seed: 1, slower: doubleCluster }), 'cli-slow'), '--min-effect-ms', '0'], { encoding: 'utf8' });
  assert.equal(slow.status, 1, slow.stderr);
  assert.match(slow.stderr, /regression: cluster\/kmeans@400 wall_p50: 2\.000x breaks threshold \*\.wall_p50: "<1\.10x"/);
  assert.match(slow.stdout, /\*\*Verdict: REGRESSION\.\*\*/);
  const same = spawnSync(process.execPath, [cli, 'compare', base, saveRun(clone(r), 'cli-same')], { encoding: 'utf8' });
  assert.equal(same.status, 0, same.stderr);
  const missing = spawnSync(process.execPath, [cli, 'compare', base, join(dir, 'nope')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope: no such run directory or results\.json/);
  // A usage error must not read as "regression" (exit 1) to CI.
  const badFlag = spawnSync(process.execPath, [cli, 'compare', base, base, '--no-such-flag'], { encoding: 'utf8' });
  assert.equal(badFlag.status, 2, badFlag.stderr);
  assert.match(badFlag.stderr, /unknown option '--no-such-flag'/);
});
