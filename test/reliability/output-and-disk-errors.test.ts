// Issue 13, item 8: output folders checked before the first stage (errno in words); ENOSPC names the file and the
// phase; no temp files left on failure; storage accounting needs one component's files of temp disk, not all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../harness/io/atomic-write.js';
import { FileWriteError } from '../../harness/io/errno-words.js';
import { pipelineFieldsToTable, writeTableFileAtomic } from '../../harness/io/arrow-pipeline-data.js';
import { measureStorage } from '../../harness/analysis/storage-accounting.js';
import { packTexts } from '../../pipeline/support/text-column.js';
import type { PipelineData } from '../../harness/types.js';
import { tempDir, writeProfile } from '../test-helpers.js';
import { offlineYaml, runCli } from './reliability-helpers.js';

test('item 8: a file or an unreachable --out fails before the first stage, in words', () => {
  const dir = tempDir();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const profile = writeProfile(offlineYaml('out', 1, [50]), dir);
  for (const [out, words] of [
    [file, /--out .*a-file: is a file, not a folder/],
    [join(file, 'sub'), /cannot create the output folder: a part of the path is a file, not a folder \(ENOTDIR\)/],
  ] as const) {
    const r = runCli(['sweep', '--profile', profile, '--out', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, words);
    assert.doesNotMatch(r.stderr, /n=50 /, 'no stage ran');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('item 8: a failed atomic write removes its temp file and names the file and the phase', async () => {
  const dir = tempDir();
  const target = join(dir, 'report.html');
  mkdirSync(join(target, 'not-empty'), { recursive: true }); // rename onto a non-empty folder fails
  assert.throws(
    () => writeFileAtomic(target, 'x'.repeat(100_000), 'report'),
    /report\.html: cannot write \(report\): /,
  );
  const data: PipelineData = { n: 2, summaries: packTexts(['a', 'b']) };
  await assert.rejects(
    writeTableFileAtomic(target, pipelineFieldsToTable(data, ['summaries']), 'none', 'checkpoint'),
    /cannot write \(checkpoint\)/,
  );
  assert.deepEqual(readdirSync(dir), ['report.html'], 'no *.tmp-* debris');
  // ENOSPC in words, from a real ENOSPC (writing to /dev/full).
  let enospc: unknown;
  try {
    writeFileSync('/dev/full', 'x');
  } catch (e) {
    enospc = e;
  }
  assert.equal((enospc as NodeJS.ErrnoException).code, 'ENOSPC');
  const e = new FileWriteError('/runs/x/checkpoints/n5000/01-embed-hashing.arrow', 'checkpoint', enospc);
  assert.equal(
    e.message,
    '/runs/x/checkpoints/n5000/01-embed-hashing.arrow: cannot write (checkpoint): no space left on the device (ENOSPC)',
  );
  assert.equal(e.code, 'ENOSPC');
});

test('issue 11: a write onto a full disk names the path and the bytes needed, and leaves no partial file', (t) => {
  const mnt = tempDir();
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) {
    t.skip('needs root to mount a small tmpfs');
    return;
  }
  try {
    const target = join(mnt, 'report.md');
    assert.throws(
      () => writeFileAtomic(target, 'x'.repeat(200_000), 'report'),
      (err: Error) =>
        err.message === `${target}: cannot write (report): no space left on the device (ENOSPC); 200,000 bytes needed`,
    );
    assert.deepEqual(readdirSync(mnt), [], 'no partial or temp file');
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('item 8: a sweep on a full disk names the file and the phase, exits 2, and leaves no temp files', (t) => {
  const mnt = tempDir();
  // A 64 KiB tmpfs: results.json fits, the checkpoints of the second scale do not.
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) {
    t.skip('needs root to mount a small tmpfs (the /dev/full check above covers the message)');
    return;
  }
  try {
    const profile = writeProfile(offlineYaml('full', 1, [30, 3000]));
    const r = runCli(['sweep', '--profile', profile, '--out', mnt]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /: cannot write \((checkpoint|results\.json after a cell|results\.json at the start)\): no space left on the device \(ENOSPC\); [\d,]+ bytes needed; free the space and resume with: clusterbench sweep --resume /,
    );
    const runDir = join(mnt, readdirSync(mnt)[0]);
    const all = spawnSync('find', [runDir, '-name', '*.tmp-*'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(all, '', 'no temp files');
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test("item 8: storage accounting holds one component's files at a time, not every format of every component", async () => {
  const n = 3000,
    dims = 32;
  const words = ['refund', 'invoice', 'password', 'reset', 'shipping', 'late', 'account', 'locked'];
  const text = (i: number, k: number): string =>
    Array.from({ length: k }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');
  const emb = new Float32Array(n * dims).map((_, i) => Math.sin(i * 0.37));
  const data: PipelineData = {
    n,
    conversations: packTexts(
      Array.from({ length: n }, (_, i) => `user: ${text(i, 40)}\nassistant: ${text(i + 1, 30)}`),
    ),
    summaries: packTexts(Array.from({ length: n }, (_, i) => text(i, 8))),
    embeddings: { rows: n, cols: dims, data: emb },
    labels: Int32Array.from({ length: n }, (_, i) => i % 5),
  };
  const s = await measureStorage(data, n, {
    formats: ['arrow', 'arrow-zstd', 'jsonl', 'parquet-zstd'],
    zstdLevel: 3,
    dir: join(tempDir(), 'storage'),
    keepFiles: false,
  });
  const all = s.totals.reduce((a, t) => a + t.bytes, 0);
  const perComponent = new Map<string, number>();
  for (const c of s.components) perComponent.set(c.component, (perComponent.get(c.component) ?? 0) + c.bytes);
  assert.ok(s.peakTempBytes !== undefined, 'the measurement reports its peak temporary disk');
  assert.ok(
    s.peakTempBytes <= Math.max(...perComponent.values()),
    `peak ${s.peakTempBytes} <= the largest component's files`,
  );
  assert.ok(s.peakTempBytes < all / 2, `peak ${s.peakTempBytes} well below all files together (${all})`);
});
