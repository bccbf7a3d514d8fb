/**
 * `clusterbench profile --tool cpu-prof` on the real cluster stage: the stage runs in a worker started with
 * --cpu-prof, the .cpuprofile is real, and its top functions by self time include k-means' own hot code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfileOutcome, profileCommand } from '../harness/commands/profile-command.js';
import { cpuProfileSelfTimes } from '../harness/profiling/cpu-profile-summary.js';
import { tempDir, writeProfile } from './test-helpers.js';

const kmeansCode = /pipeline\/(stages\/cluster\/kmeans|kernels\/distance-kernels|kernels\/kmeans-seeding)\.js$/;

test("profile --tool cpu-prof: the cluster stage's own hot functions are in the top five", async () => {
  const dir = tempDir();
  const profile = writeProfile(
    `
name: prof
seed: 1
scales: [100]
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: hashing, options: { dims: 128 } }
  - { stage: cluster, method: kmeans, options: { k: 40, nInit: 2 } }
`,
    dir,
  );
  const out = await profileCommand({
    stage: 'cluster',
    scale: '3000',
    tool: 'cpu-prof',
    profile,
    out: join(dir, 'prof'),
    quiet: true,
  });
  assert.equal(out.files.length, 1);
  assert.match(out.files[0], /\.cpuprofile$/);
  const raw = JSON.parse(readFileSync(out.files[0], 'utf8')) as { nodes: unknown[]; samples: unknown[] };
  assert.ok(raw.nodes.length > 10 && raw.samples.length > 10, 'a real V8 CPU profile');
  const top5 = out.top.slice(0, 5);
  assert.ok(
    top5.some((f) => kmeansCode.test(f.url)),
    `top five: ${top5.map((f) => `${f.functionName} ${f.url}`).join(', ')}`,
  );
  assert.ok(
    !out.top.some((f) => /stages\/summarise\/extractive\.js$/.test(f.url)),
    'earlier stages ran outside the profiled worker',
  );
  assert.deepEqual(cpuProfileSelfTimes(out.files[0]).slice(0, 5), top5);
  const text = formatProfileOutcome(out);
  assert.match(text, /top 5 functions by self time:/);
  assert.ok(existsSync(out.outDir));
});
