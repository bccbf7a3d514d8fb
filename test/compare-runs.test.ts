/**
 * `clusterbench compare` on a real run and variants of it: a doubled stage CPU time is a regression (exit 1, the
 * message names the threshold), an identical run passes, noise is not significant, with and without repeats; wall
 * time is judged only when asked; the verdict names the test used; `--rerun` interleaves real sweeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { compareCommand, compareRerunCommand, readRun } from '../harness/commands/compare-command.js';
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

/**
 * `repeats` copies of each record with seeded multiplicative noise of +/- `noise`; `slower(stage)` multiplies wall and
 * CPU time, `wallOnly(stage)` wall time alone (a busy machine).
 */
function variant(
  r: RunResults,
  opts: {
    repeats: number;
    noise: number;
    seed: number;
    slower?: (rec: StageRecord) => number;
    wallOnly?: (rec: StageRecord) => number;
  },
): RunResults {
  const out = clone(r);
  const rand = mulberry32(opts.seed);
  out.records = r.records.flatMap((rec) =>
    Array.from({ length: opts.repeats }, (_, i) => {
      const f = (1 + (rand() * 2 - 1) * opts.noise) * (opts.slower?.(rec) ?? 1);
      const w = f * (opts.wallOnly?.(rec) ?? 1);
      return {
        ...clone(rec),
        repeat: i,
        wallMs: rec.wallMs * w,
        cpuUserMs: rec.cpuUserMs * f,
        cpuSystemMs: rec.cpuSystemMs * f,
        itemsPerSec: rec.itemsPerSec / w,
      };
    }),
  );
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

test('a doubled stage CPU time is a regression naming its threshold (single samples: interval test, said so)', async () => {
  const r = await realRun();
  const slow = variant(r, { repeats: 1, noise: 0, seed: 1, slower: doubleCluster });
  // Tiny cells: the minimum effect (50 ms) is set to 0 so the doubling itself is judged.
  const { comparison, exitCode, table } = compareCommand(saveRun(r, 'base1'), saveRun(slow, 'slow1'), {
    minEffectMs: '0',
  });
  assert.equal(exitCode, 1);
  const cpus = comparison.regressions.filter((x) => x.metric === 'cpu_p50');
  assert.deepEqual(cpus.map((x) => x.cell).sort(), ['cluster/kmeans@150', 'cluster/kmeans@400']);
  for (const w of cpus) {
    assert.equal(w.test, 'interval-overlap');
    assert.ok(Math.abs(w.ratio - 2) < 1e-9);
    assert.match(w.note!, /breaks threshold \*\.cpu_p50: "<1\.10x"/);
  }
  assert.equal(
    comparison.regressions.filter((x) => x.metric === 'wall_p50').length,
    0,
    'wall time is not judged by default',
  );
  assert.ok(
    comparison.rows.filter((x) => x.cell.startsWith('embed') && x.metric === 'cpu_p50').every((x) => x.verdict === '~'),
    'untouched stages stay ~',
  );
  assert.match(table, /\| ✖ \| cluster\/kmeans@400 \| cpu_p50 \|/);
  assert.match(table, /1v1 repeats are too few for any test \(a Mann-Whitney test needs 7v7 to reach p < 0\.002/);
  assert.match(table, /Wall time and throughput are reported, not judged/);
});

test('wall time alone (a busy machine) is reported, not judged, unless asked', async () => {
  const r = await realRun();
  const busy = variant(r, { repeats: 1, noise: 0, seed: 1, wallOnly: () => 2 });
  const c = compareRuns(r, busy);
  assert.equal(c.regressions.length, 0, c.regressions.map((x) => `${x.cell} ${x.metric}`).join(', '));
  const wall = c.rows.find((x) => x.cell === 'cluster/kmeans@400' && x.metric === 'wall_p50')!;
  assert.ok(wall.significant && Math.abs(wall.ratio - 2) < 1e-9);
  assert.match(wall.note!, /reported but not judged/);
  const judged = compareRuns(r, busy, { judgeWall: true });
  assert.ok(judged.regressions.some((x) => x.cell === 'cluster/kmeans@400' && x.metric === 'wall_p50'));
  assert.ok(judged.regressions.some((x) => x.metric === 'throughput'));
});

test('with 5 repeats: a bootstrap interval of the median ratio decides, and the verdict says why not Mann-Whitney', async () => {
  const r = await realRun();
  const base = variant(r, { repeats: 5, noise: 0.05, seed: 5 });
  const same = compareRuns(base, variant(r, { repeats: 5, noise: 0.05, seed: 6 }));
  const cpus = same.rows.filter((x) => x.metric === 'cpu_p50');
  assert.ok(
    cpus.length === 6 &&
      cpus.every(
        (x) => x.test === 'bootstrap-ratio' && x.ratioCi && x.ratioCi[0] <= x.ratio && x.ratio <= x.ratioCi[1],
      ),
  );
  assert.equal(
    same.regressions.length,
    0,
    same.regressions.map((x) => `${x.cell} ${x.metric} ${x.ratioCi?.join(',')}`).join('; '),
  );
  assert.ok(
    same.tests.some((t) =>
      /5v5 repeats are too few for a Mann-Whitney test to reach p < 0\.002 \(its smallest p at 5v5 is 0\.0079; it needs 7v7\)/.test(
        t,
      ),
    ),
    same.tests.join(' '),
  );
  const slow = compareRuns(base, variant(r, { repeats: 5, noise: 0.05, seed: 7, slower: doubleCluster }));
  const flagged = slow.regressions.filter((x) => x.metric === 'cpu_p50');
  assert.deepEqual(flagged.map((x) => x.cell).sort(), ['cluster/kmeans@150', 'cluster/kmeans@400']);
  assert.ok(
    flagged.every((x) => x.ratioCi![0] > 1.5),
    flagged.map((x) => x.ratioCi).join('; '),
  );
  const table = compareCommand(
    saveRun(base, 'b5'),
    saveRun(variant(r, { repeats: 5, noise: 0.05, seed: 7, slower: doubleCluster }), 's5'),
    { minEffectMs: '0' },
  ).table;
  assert.match(table, /\| ✖ \| cluster\/kmeans@400 \| cpu_p50 \| .* \| bootstrap CI [0-9.]+–[0-9.]+x \(5v5\) \|/);
  // Within the noise floor: a consistent 3% shift with no spread is significant for no test at 5v5.
  const shifted = compareRuns(
    variant(r, { repeats: 5, noise: 0, seed: 1 }),
    variant(r, { repeats: 5, noise: 0, seed: 1, slower: () => 1.03 }),
  );
  assert.ok(shifted.rows.filter((x) => x.metric === 'cpu_p50').every((x) => x.verdict === '~'));
});

test('compare warns about a different isolation mode, Node version and quality vectors, and does not judge those quality rows', async () => {
  const r = await realRun();
  const other = clone(r);
  (other.profile as Record<string, unknown>).isolation = 'process';
  (other.profile as Record<string, unknown>).quality = { field: 'embeddings' };
  other.machine.nodeVersion = 'v22.0.0';
  for (const s of other.scales) {
    s.quality.internalVectors = { field: 'embeddings', dims: 64 };
    s.quality.silhouette = (s.quality.silhouette ?? 0.5) / 3;
  }
  const base = clone(r);
  (base.profile as Record<string, unknown>).isolation = 'thread';
  for (const s of base.scales) s.quality.internalVectors = { field: 'reduced', dims: 10 };
  const c = compareRuns(base, other);
  const w = c.warnings.join('\n');
  assert.match(w, /different isolation mode: BASE thread vs NEW process/);
  assert.match(w, /different Node version: BASE v[0-9.]+ vs NEW v22\.0\.0/);
  assert.match(w, /different quality settings: profile "quality"/);
  assert.match(
    w,
    /different quality vectors at n=150, 400: silhouette, Davies–Bouldin and Calinski–Harabasz were computed on reduced \(10-d\) in BASE and embeddings \(64-d\) in NEW/,
  );
  const sil = c.rows.filter((x) => x.metric === 'silhouette');
  assert.ok(sil.length === 2 && sil.every((x) => x.verdict === '~' && /not judged/.test(x.note!)));
  assert.equal(c.regressions.filter((x) => x.cell.startsWith('quality')).length, 0);
});

test('with 7 repeats: noise is not significant, a doubled time is (Mann-Whitney, p < 0.002)', async () => {
  const r = await realRun();
  const base = variant(r, { repeats: 7, noise: 0.15, seed: 2 });
  const noisy = variant(r, { repeats: 7, noise: 0.15, seed: 3 });
  const quiet = compareRuns(base, noisy);
  const walls = quiet.rows.filter((x) => x.metric === 'wall_p50');
  assert.ok(walls.length === 6 && walls.every((x) => x.test === 'mann-whitney'));
  assert.ok(
    walls.every((x) => x.verdict === '~' && x.p! >= 0.002),
    walls.map((x) => `${x.cell} p=${x.p}`).join(', '),
  );
  assert.equal(quiet.regressions.length, 0);
  const slow = compareRuns(base, variant(r, { repeats: 7, noise: 0.15, seed: 4, slower: doubleCluster }));
  const flagged = slow.regressions.filter((x) => x.metric === 'cpu_p50');
  assert.deepEqual(flagged.map((x) => x.cell).sort(), ['cluster/kmeans@150', 'cluster/kmeans@400']);
  assert.ok(flagged.every((x) => x.p! < 0.002 && x.test === 'mann-whitney'));
});

test('profile thresholds override the defaults; a bad expression is named; a new OOM is a regression', async () => {
  const r = await realRun();
  const slow = variant(r, { repeats: 1, noise: 0, seed: 1, slower: doubleCluster });
  const loose = join(dir, 'loose.yaml');
  writeFileSync(loose, 'thresholds:\n  cluster.cpu_p50: "<3x"\n  "*.gc_ms": off\n');
  const ok = compareCommand(saveRun(r, 'base2'), saveRun(slow, 'slow2'), { thresholds: loose });
  assert.equal(ok.exitCode, 0, ok.comparison.regressions.map((x) => x.note).join('; '));
  assert.equal(ok.comparison.rows.find((x) => x.cell === 'cluster/kmeans@400' && x.metric === 'cpu_p50')!.verdict, '✔');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'cluster.wall_p50: "<1.1"\n');
  assert.throws(
    () => compareCommand(saveRun(r, 'base3'), saveRun(slow, 'slow3'), { thresholds: bad }),
    /bad\.yaml: threshold cluster\.wall_p50: "<1\.1" is not a ratio condition; write e\.g\. "<1\.10x"/,
  );
  const broken = clone(r);
  for (const rec of broken.records)
    if (rec.stage === 'cluster' && rec.scale === 400)
      Object.assign(rec, { status: 'oom', reason: 'worker ran out of memory' });
  broken.machine.hostname = 'elsewhere';
  const c = compareRuns(r, broken);
  assert.ok(
    c.regressions.some((x) => x.cell === 'cluster/kmeans@400' && x.metric === 'status' && /ok -> oom/.test(x.note!)),
  );
  assert.ok(c.warnings.some((w) => /different machine/.test(w)));
});

test('the compare CLI exits 1 on a regression (naming the threshold) and 0 on an identical run', async () => {
  const r = await realRun();
  const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
  const base = saveRun(r, 'cli-base');
  const slow = spawnSync(
    process.execPath,
    [
      cli,
      'compare',
      base,
      saveRun(variant(r, { repeats: 1, noise: 0, seed: 1, slower: doubleCluster }), 'cli-slow'),
      '--min-effect-ms',
      '0',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(slow.status, 1, slow.stderr);
  assert.match(slow.stderr, /regression: cluster\/kmeans@400 cpu_p50: 2\.000x breaks threshold \*\.cpu_p50: "<1\.10x"/);
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
  const stray = spawnSync(process.execPath, [cli, 'compare', base, base, '--repeats', '3'], { encoding: 'utf8' });
  assert.equal(stray.status, 2, stray.stderr);
  assert.match(stray.stderr, /--repeats and --runs-out apply to --rerun/);
});

test('compare --rerun measures a profile and a run folder now, BASE and NEW interleaved, and writes both runs', async () => {
  // A warm-up run per cell: a fresh worker's first task also pays for loading the stage's modules.
  const probe = (work: number): string =>
    `name: rerun-probe\nseed: 3\nscales: [200]\nwarmup: 1\nstages:\n  - { stage: probe, method: linear, options: { workPerItem: ${work} } }\n`;
  const a = writeProfile(probe(100_000));
  const b = writeProfile(probe(300_000));
  const first = await compareRerunCommand(a, b, { repeats: '2', runsOut: join(dir, 'rerun-runs'), quiet: true });
  const [baseRun, newRun] = first.runDirs.map((d) => readRun(d));
  assert.deepEqual((baseRun.sections.rerun as { order: string[] }).order, ['BASE#0', 'NEW#0', 'BASE#1', 'NEW#1']);
  assert.deepEqual(
    baseRun.records.map((x) => x.repeat),
    [0, 1],
  );
  assert.equal((newRun.profile as { repeats: number }).repeats, 2);
  assert.ok(first.comparison.warnings.some((w) => /profile "stages" differs/.test(w)));
  const cpu = first.comparison.rows.find((x) => x.metric === 'cpu_p50')!;
  assert.ok(cpu.ratio > 1.8, `3x the work: cpu ratio ${cpu.ratio}`);
  assert.equal(cpu.test, 'interval-overlap');
  // A run folder is re-run with its recorded profile.
  const again = await compareRerunCommand(first.runDirs[0], a, {
    repeats: '1',
    runsOut: join(dir, 'rerun-runs2'),
    quiet: true,
  });
  assert.deepEqual(
    again.comparison.warnings.filter((w) => /configuration/.test(w)),
    [],
    "the run folder's profile is the same profile",
  );
  await assert.rejects(compareRerunCommand(join(dir, 'nowhere'), a, { quiet: true }), /nowhere: no such profile file/);
});
