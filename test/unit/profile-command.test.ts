// `clusterbench profile` refuses bad flags before it starts a worker (the profiled run itself is in
// test/profile-command.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { profileCommand } from '../../harness/commands/profile-command.js';
import { tempDir } from '../test-helpers.js';

test('profile names what is wrong with its flags', async () => {
  await assert.rejects(
    profileCommand({ stage: 'cluster', scale: '1000', tool: 'perf', quiet: true }),
    /--tool: "perf" is not one of cpu-prof, heap-prof, heap-snapshot$/,
  );
  // clinic's tools were dropped: asking for one names the tools that remain.
  await assert.rejects(
    profileCommand({ stage: 'cluster', scale: '1000', tool: 'flame', quiet: true }),
    /--tool: "flame" was a clinic tool; clinic is no longer shipped .*Use one of cpu-prof, heap-prof, heap-snapshot/,
  );
  // quick has a project/umap stage since it draws the cluster map; reduce is one it does not have.
  await assert.rejects(
    profileCommand({ stage: 'reduce', scale: '1000', tool: 'cpu-prof', quiet: true, out: join(tempDir(), 'x') }),
    /--stage: profile "quick" has no stage "reduce"; its stages are summarise\/extractive, embed\/hashing, cluster\/kmeans, label\/ctfidf, project\/umap/,
  );
  await assert.rejects(
    profileCommand({ stage: 'cluster', scale: 'abc', tool: 'cpu-prof', quiet: true }),
    /--scale: "abc" is not a positive integer/,
  );
});
