import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { loadProfile, validateProfile } from '../harness/profile/profile-loader.js';
import { tempDir, writeProfile } from './test-helpers.js';

const tsc = (args: string[]) =>
  spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), ...args], { encoding: 'utf8' });
// A module stage whose options are a zod schema imports zod: it must lie where node_modules/zod resolves.
const packageTempDir = (): string => {
  const d = resolve(mkdtempSync(join('dist', 'test', 'module-stage-')));
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return d;
};
const ZOD = import.meta.resolve('zod/v4');

test('a user stage type-checks against the package types (import type from "clusterbench"), and a wrong one does not', () => {
  // The public declarations, as `npm run build` / `make build` emit them (package.json exports["."].types).
  const types = tsc(['-p', 'tsconfig.types.json']);
  assert.equal(types.status, 0, types.stdout + types.stderr);
  assert.ok(existsSync('dist/types/harness/types.d.ts'));
  const out = tempDir();
  const ok = tsc(['-p', 'examples/typescript-stage/tsconfig.json', '--outDir', out]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.ok(existsSync(join(out, 'my-cluster.js')));
  // The same import in a stage that writes a field that does not exist: the package's types must reject it.
  const bad = mkdtempSync(join('dist', 'test', 'bad-user-stage-'));
  process.on('exit', () => rmSync(bad, { recursive: true, force: true }));
  writeFileSync(
    join(bad, 'bad.ts'),
    `import type { StageDefinition } from 'clusterbench';
export const s: StageDefinition = { kind: 'cluster', method: 'x', reads: ['embeddings'], writes: ['labelz'], run: () => ({}) };
`,
  );
  writeFileSync(
    join(bad, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', types: [], noEmit: true },
      files: ['bad.ts'],
    }),
  );
  const wrong = tsc(['-p', join(bad, 'tsconfig.json')]);
  assert.notEqual(wrong.status, 0, 'a stage writing "labelz" must not type-check');
  assert.match(wrong.stdout, /"labelz"/);
});

test('a module stage runs in the worker, is measured, checkpointed, scored and bisected like a built-in one', async () => {
  const dir = packageTempDir();
  const built = tsc(['-p', 'examples/typescript-stage/tsconfig.json', '--outDir', join(dir, 'stages')]);
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const profile = writeProfile(
    `
name: module-stage
seed: 5
scales: [200, 400]
input: { kind: synthetic, options: { difficulty: 0, intents: 8, languages: [en], zipf: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 64 } }
  - { stage: cluster, method: "module:./stages/my-cluster.js", options: { k: 8, failAbove: 300 } }
breakingPoints: { bisect: { tolerance: 0.15 } }
`,
    dir,
  );
  const { results, runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const method = `module:${join(dir, 'stages', 'my-cluster.js')}`;
  const recs = results.records.filter((r) => r.method === method);
  assert.equal(recs.length, 2);
  const [ok, failed] = recs;
  assert.equal(ok.status, 'ok', ok.reason);
  assert.ok(
    ok.peakHeapUsedBytes > 0 && ok.workerMemory.length >= 2 && ok.rssTimeline.length >= 2,
    'measured inside the worker and from the main thread',
  );
  assert.equal(ok.counters['nearestSeed.comparisons'], 200 * 8);
  assert.ok(results.scales[0].quality.ari !== undefined && results.scales[0].quality.clusterCount! >= 2, 'scored');
  assert.equal(failed.status, 'error');
  assert.match(failed.reason!, /nearest-seed refuses 400 rows/);
  const bp = results.breakingPoints.find((b) => b.method === method)!;
  assert.ok(bp.bisection, 'the break between 200 and 400 was bisected');
  assert.ok(
    bp.bisection.passScale <= 300 && bp.bisection.failScale > 300,
    `bracket ${bp.bisection.passScale}..${bp.bisection.failScale}`,
  );
  const checkpoints = readdirSync(join(runDir, 'checkpoints'), { recursive: true }).map(String);
  assert.ok(
    checkpoints.some((f) => f.includes('200') && f.endsWith('.arrow')),
    `checkpoints: ${checkpoints.join(', ')}`,
  );
});

test('bad module stages are refused at profile load, naming the key and the module', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'nothing.mjs'), 'export const x = 1;\n');
  writeFileSync(
    join(dir, 'typo.mjs'),
    "export default { kind: 'cluster', method: 'm', readz: ['embeddings'], reads: [], writes: ['labels'], run: () => ({}) };\n",
  );
  writeFileSync(
    join(dir, 'field.mjs'),
    "export default { kind: 'cluster', method: 'm', reads: ['embedings'], writes: ['labels'], run: () => ({}) };\n",
  );
  writeFileSync(
    join(dir, 'kind.mjs'),
    "export const stage = { kind: 'embed', method: 'm', reads: [], writes: ['embeddings'], run: () => ({}) };\n",
  );
  writeFileSync(join(dir, 'broken.mjs'), 'export default {\n');
  writeFileSync(
    join(dir, 'opts.mjs'),
    "export default { kind: 'cluster', method: 'm', reads: [], writes: ['labels'], parseOptions: (r) => ({ k: r.k ?? 2 }), run: () => ({}) };\n",
  );
  // A plain (non-strict) z.object: its unknown keys are refused all the same.
  writeFileSync(
    join(dir, 'schema.mjs'),
    `import { z } from '${ZOD}';\nexport default { kind: 'cluster', method: 'm', reads: [], writes: ['labels'], options: z.object({ k: z.number().int().min(1).default(2) }), run: () => ({}) };\n`,
  );
  writeFileSync(
    join(dir, 'v3.mjs'),
    "export default { kind: 'cluster', method: 'm', reads: [], writes: ['labels'], options: { safeParse: () => ({ success: true, data: {} }) }, run: () => ({}) };\n",
  );
  const cases: [string, RegExp, Record<string, unknown>?][] = [
    ['./missing.js', /profile\.yaml: stages\[0\]\.method: module \.\/missing\.js: no such file/],
    ['./nothing.mjs', /stages\[0\]\.method: module .*nothing\.mjs: exports no stage definition \(exports: x\)/],
    ['./typo.mjs', /stages\[0\]\.method: module .*typo\.mjs: unknown field\(s\) "readz" in the stage definition/],
    ['./field.mjs', /stages\[0\]\.method: module .*field\.mjs: reads: unknown field\(s\) "embedings"/],
    ['./kind.mjs', /kind\.mjs: the module's stage is a embed stage, but the profile lists it as stage: cluster/],
    ['./broken.mjs', /broken\.mjs: could not be imported/],
    [
      './opts.mjs',
      /stages\[0\]\.method: module .*opts\.mjs: parseOptions is no longer supported; export options: a zod\/v4 schema/,
    ],
    ['./v3.mjs', /stages\[0\]\.method: module .*v3\.mjs: options must be a zod\/v4 schema/],
    [
      './schema.mjs',
      /^ProfileError: profile\.yaml: stages\[0\]\.options\.kk: unknown option for cluster\/m; valid: k$/,
      { kk: 1 },
    ],
    [
      './schema.mjs',
      /^ProfileError: profile\.yaml: stages\[0\]\.options\.k: Too small: expected number to be >=1$/,
      { k: 0 },
    ],
  ];
  for (const [path, re, options] of cases) {
    await assert.rejects(
      validateProfile(
        { name: 'm', scales: [10], stages: [{ stage: 'cluster', method: `module:${path}`, options: options ?? {} }] },
        'profile.yaml',
        dir,
      ),
      re,
      path,
    );
  }
  const good = await validateProfile(
    { name: 'm', scales: [10], stages: [{ stage: 'cluster', method: 'module:./schema.mjs', options: { k: 3 } }] },
    'profile.yaml',
    dir,
  );
  assert.equal(
    good.stages[0].method,
    `module:${join(dir, 'schema.mjs')}`,
    'resolved against the profile folder, absolute',
  );
});

test("a module stage's options schema is honoured at load: a typo names the profile file, line and key, once", async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'schema.mjs'),
    `import { z } from '${ZOD}';\nexport default { kind: 'cluster', method: 'm', reads: [], writes: ['labels'], options: z.strictObject({ k: z.number().int().min(1).default(2) }), run: () => ({}) };\n`,
  );
  const profile = writeProfile(
    'name: m\nscales: [10]\nstages:\n  - stage: cluster\n    method: module:./schema.mjs\n    options:\n      k: 3\n      kk: 1\n',
    dir,
  );
  await assert.rejects(loadProfile(profile), (e: Error) => {
    assert.match(e.message, /^.*profile\.yaml:8: stages\[0\]\.options\.kk: unknown option for cluster\/m; valid: k$/);
    return true;
  });
});

test('a module stage that returns 49 labels for 50 rows is an error record naming the profile key, the module, the field and the shape', async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'short.mjs'),
    "export default { kind: 'cluster', method: 'short', reads: ['embeddings'], writes: ['labels'], run: (input) => ({ labels: new Int32Array(input.embeddings.rows - 1) }) };\n",
  );
  const profile = writeProfile(
    `
name: short-module
seed: 2
scales: [50]
input: { kind: synthetic, options: { difficulty: 0 } }
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 16 } }
  - { stage: cluster, method: "module:./short.mjs" }
`,
    dir,
  );
  const { results } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const rec = results.records.find((r) => r.stage === 'cluster')!;
  assert.equal(rec.status, 'error', rec.reason);
  assert.equal(
    rec.reason,
    `stages[2].method (${join(dir, 'short.mjs')}): output "labels" has 49 rows, expected an Int32Array of length 50: one per conversation`,
  );
});
