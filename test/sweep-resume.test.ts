import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { ipcFileToPipelineFields } from '../harness/io/arrow-pipeline-data.js';
import type { CheckpointManifest, RunResults, StorageSection } from '../harness/types.js';
import { tempDir, writeProfile, tinyPipelineYaml, crashAfterCells } from './test-helpers.js';

const PROFILE = tinyPipelineYaml({
  name: 'resume',
  seed: 5,
  scales: [150, 400],
  extra: 'storage: { enabled: true, formats: [arrow, arrow-zstd] }',
});

const read = (runDir: string): RunResults =>
  JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
const cellKeys = (r: RunResults): string[] =>
  r.records.map((x) => `${x.scale}:${x.stage}/${x.method}:${x.repeat}:${x.status}`).sort();

async function labelsByScale(runDir: string): Promise<Record<number, number[]>> {
  const m = read(runDir).sections.checkpoints as CheckpointManifest;
  const out: Record<number, number[]> = {};
  for (const c of m.cells.filter((x) => x.stage === 'cluster')) {
    const { fields } = await ipcFileToPipelineFields(readFileSync(join(runDir, c.file!)));
    out[c.scale] = Array.from(fields.labels!);
  }
  return out;
}

test('a sweep killed after 4 cells and resumed gives the same records and labels as an uninterrupted one', async () => {
  const dir = tempDir();
  const profile = writeProfile(PROFILE, dir);
  const { runDir: fullDir } = await sweepCommand({ profile, out: join(dir, 'full'), quiet: true });

  await assert.rejects(
    sweepCommand({ profile, out: join(dir, 'killed'), quiet: true, observers: crashAfterCells(4) }),
    /simulated crash after 4 cells/,
  );
  const killedDir = join(dir, 'killed', readdirSync(join(dir, 'killed'))[0]);
  const partial = read(killedDir);
  const manifest = partial.sections.checkpoints as CheckpointManifest;
  assert.equal(manifest.complete, false);
  assert.equal(manifest.cells.length, 4, 'partial results.json lists the 4 completed cells');
  assert.equal(partial.records.length, 4, 'and keeps their records');
  assert.deepEqual(
    partial.scales.map((s) => s.scale),
    [150],
  );

  const { runDir: resumedDir, results } = await sweepCommand({
    profile: 'ignored',
    out: 'ignored',
    resume: killedDir,
    quiet: true,
  });
  assert.equal(resumedDir, killedDir);
  const full = read(fullDir);
  const resumed = read(resumedDir);
  assert.deepEqual(cellKeys(resumed), cellKeys(full), 'same record set');
  assert.equal(resumed.id, partial.id);
  // The 4 records measured before the kill are kept as they were, not re-measured.
  assert.deepEqual(
    resumed.records.slice(0, 4).map((x) => x.wallMs),
    partial.records.map((x) => x.wallMs),
  );
  assert.equal((resumed.sections.checkpoints as CheckpointManifest).complete, true);
  assert.equal((resumed.sections.checkpoints as CheckpointManifest).resumedAt.length, 1);
  assert.deepEqual(
    await labelsByScale(resumedDir),
    await labelsByScale(fullDir),
    'identical cluster labels at every scale',
  );
  assert.deepEqual(
    resumed.scales.map((s) => s.quality.ari),
    full.scales.map((s) => s.quality.ari),
  );
  assert.equal(results.records.length, 6);
  // Storage measured at n=150 before the kill is kept; n=400 is added after the resume; bytes match the full run.
  const bytes = (r: RunResults): number[][] =>
    (r.sections.storage as StorageSection).scales.map((x) => x.totals.map((t) => t.bytes));
  assert.deepEqual(
    (resumed.sections.storage as StorageSection).scales.map((x) => x.scale),
    [150, 400],
  );
  assert.deepEqual(bytes(resumed), bytes(full));

  await assert.rejects(
    sweepCommand({ profile: 'x', out: 'x', resume: resumedDir, quiet: true }),
    /already finished; nothing to resume/,
  );
  await assert.rejects(
    sweepCommand({ profile: 'x', out: 'x', resume: join(dir, 'nope'), quiet: true }),
    /results\.json: cannot read results/,
  );
});

test('a CLI sweep killed with SIGKILL mid-run resumes to the same results', async () => {
  const dir = tempDir();
  const profile = writeProfile(PROFILE.replace('scales: [150, 400]', 'scales: [150, 400, 2500]'), dir);
  const { runDir: fullDir } = await sweepCommand({ profile, out: join(dir, 'full'), quiet: true });
  const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'sweep', '--profile', profile, '--out', join(dir, 'killed'), '--quiet'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  // Kill as soon as results.json lists 2 completed cells (the rest of the sweep takes far longer).
  let killedDir = '';
  for (let i = 0; i < 3000 && !killedDir; i++) {
    await sleep(10);
    const runs = existsSync(join(dir, 'killed')) ? readdirSync(join(dir, 'killed')) : [];
    const f = runs.length ? join(dir, 'killed', runs[0], 'results.json') : '';
    if (
      f &&
      existsSync(f) &&
      (read(join(dir, 'killed', runs[0])).sections.checkpoints as CheckpointManifest).cells.length >= 2
    ) {
      child.kill('SIGKILL');
      killedDir = join(dir, 'killed', runs[0]);
    }
  }
  await exited;
  assert.ok(killedDir, 'the child wrote a partial results.json');
  assert.equal((read(killedDir).sections.checkpoints as CheckpointManifest).complete, false, 'killed before the end');
  await sweepCommand({ profile: 'ignored', out: 'ignored', resume: killedDir, quiet: true });
  const resumed = read(killedDir);
  assert.deepEqual(cellKeys(resumed), cellKeys(read(fullDir)));
  assert.deepEqual(await labelsByScale(killedDir), await labelsByScale(fullDir));
});

test("checkpoints.keep: resume deletes a scale's checkpoint files once the scale is complete", async () => {
  const dir = tempDir();
  const profile = writeProfile(
    PROFILE.replace('storage: { enabled: true, formats: [arrow, arrow-zstd] }', 'checkpoints: { keep: resume }'),
    dir,
  );
  const { runDir } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const m = read(runDir).sections.checkpoints as CheckpointManifest;
  assert.equal(m.cells.length, 6);
  assert.ok(
    m.cells.every((c) => c.file === undefined && (c.bytes ?? 0) > 0),
    JSON.stringify(m.cells[0]),
  );
  assert.ok(!existsSync(join(runDir, 'checkpoints', 'n150')) && !existsSync(join(runDir, 'checkpoints', 'n400')));
});
