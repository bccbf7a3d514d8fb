import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cellSpec,
  profileDigest,
  readProcStatus,
  runCell,
  writeCellInput,
  type CellSpec,
} from '../harness/sweep/cell-runner.js';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { runProfileYaml } from './run-results-fixture.js';
import { tempDir, writeProfile } from './test-helpers.js';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { renderMarkdownReport } from '../reports/markdown-report.js';

async function allocateCell(n: number, bytesPerItem: number, dir: string): Promise<CellSpec> {
  const profile = await validateProfile(
    {
      name: 'cell',
      scales: [n],
      sampling: { intervalMs: 10 },
      stages: [{ stage: 'probe', method: 'allocate', options: { bytesPerItem, external: true } }],
    },
    'test',
  );
  const input = join(dir, 'in.arrow');
  await writeCellInput(input, { n }, []);
  return cellSpec(profile, profileDigest(profile), n, 0, 0, input, join(dir, 'out.arrow'));
}

test("a process cell: peak RSS delta within 5% of the child's VmHWM read from outside, 500 MB of typed arrays in the timeline", async () => {
  const dir = tempDir();
  const cell = await allocateCell(1000, 512 * 1024, dir); // 1,000 x 512 KiB = 500 MiB of Float64Arrays
  // The test's own reading of the child's high-water mark, polled from /proc until the child is gone.
  let outsideHwm = 0;
  let poll: NodeJS.Timeout | undefined;
  const { record } = await runCell(cell, 'process', {
    onChildStart(pid) {
      poll = setInterval(() => {
        outsideHwm = Math.max(outsideHwm, readProcStatus(pid)?.hwm ?? 0);
      }, 2);
    },
  });
  clearInterval(poll);
  assert.equal(record.status, 'ok', record.reason);
  assert.equal(record.isolation, 'process');
  const delta = record.peakRssDeltaBytes!;
  const outsideDelta = outsideHwm - record.baselineRssBytes;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  assert.ok(outsideDelta > 450 * 2 ** 20, `outside delta ${mib(outsideDelta)}`);
  assert.ok(
    Math.abs(delta - outsideDelta) <= 0.05 * outsideDelta,
    `recorded delta ${mib(delta)} vs outside ${mib(outsideDelta)} (VmHWM ${mib(outsideHwm)}, baseline ${mib(record.baselineRssBytes)})`,
  );
  console.log(
    `# 5% check: recorded peak RSS delta ${mib(delta)}, outside VmHWM - baseline ${mib(outsideDelta)}: ${((100 * (delta - outsideDelta)) / outsideDelta).toFixed(2)}%`,
  );
  assert.ok(
    Math.abs(record.vmHwmBytes! - outsideHwm) <= 0.05 * outsideHwm,
    `recorded VmHWM ${mib(record.vmHwmBytes!)} vs ${mib(outsideHwm)}`,
  );
  // The timeline carries the typed arrays: in RSS, and in the worker's V8 external memory sampled from the host.
  const tl = record.rssTimeline;
  assert.ok(Math.max(...tl.map((s) => s.rss)) - tl[0].rss > 450 * 2 ** 20, 'RSS rises by the 500 MiB');
  assert.ok(
    Math.max(...tl.map((s) => s.workerExternal ?? 0)) > 450 * 2 ** 20,
    `worker external peaks at ${mib(Math.max(...tl.map((s) => s.workerExternal ?? 0)))}`,
  );
  assert.ok(tl.some((s) => s.workerHeapUsed !== undefined && s.hostArrayBuffers !== undefined));
  assert.ok(record.peakWorkerExternalBytes! > 450 * 2 ** 20);
});

test('memory held from an earlier repeat inflates the next one in a thread, not in a process per cell', async () => {
  const yaml = (isolation: string): string => `
name: held
scales: [4000]
repeats: 3
isolation: ${isolation}
stages:
  - { stage: probe, method: leak, options: { leakPerItem: 32 } }
`;
  const heaps = async (isolation: string): Promise<number[]> =>
    (await runProfileYaml(yaml(isolation))).records.map((r) => r.peakHeapUsedBytes);
  const thread = await heaps('thread');
  const proc = await heaps('process');
  // probe/leak keeps every run's objects in a module global: in one worker the heap grows by one run per repeat.
  assert.ok(
    thread[2] > 1.6 * thread[0],
    `thread repeats: ${thread.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')} MiB`,
  );
  assert.ok(
    Math.max(...proc) < 1.25 * Math.min(...proc),
    `process repeats: ${proc.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')} MiB`,
  );
});

test('a missing or corrupt cell input, a child that cannot start and a child killed from outside are results naming the cause', async () => {
  const dir = tempDir();
  const cell = await allocateCell(100, 64, dir);
  const missing = await runCell({ ...cell, inputPath: join(dir, 'nope.arrow') }, 'process');
  assert.equal(missing.record.status, 'error');
  assert.match(missing.record.reason ?? '', /nope\.arrow: cannot read the cell's input checkpoint \(ENOENT\)/);
  writeFileSync(join(dir, 'bad.arrow'), 'not arrow at all');
  const corrupt = await runCell({ ...cell, inputPath: join(dir, 'bad.arrow') }, 'thread');
  assert.equal(corrupt.record.status, 'error');
  assert.match(corrupt.record.reason ?? '', /bad\.arrow: the cell's input checkpoint is not a readable Arrow IPC file/);
  const noStart = await runCell(cell, 'process', { childEntry: join(dir, 'no-such-entry.js') });
  assert.equal(noStart.record.status, 'error');
  assert.match(noStart.record.reason ?? '', /no-such-entry\.js/);
  // SIGKILL from outside (as the kernel's OOM killer does) while the stage allocates 500 MiB: oom with the figure at death
  // (the parent's last /proc reading before the kill, polled every 10 ms).
  const big = await allocateCell(1000, 512 * 1024, dir);
  const killed = await runCell(big, 'process', {
    onChildStart(pid) {
      const t = setInterval(() => {
        if ((readProcStatus(pid)?.rss ?? 0) > 250 * 2 ** 20) {
          clearInterval(t);
          process.kill(pid, 'SIGKILL');
        }
      }, 5);
      t.unref();
    },
  });
  assert.equal(killed.record.status, 'oom', killed.record.reason);
  assert.match(killed.record.reason ?? '', /killed \(SIGKILL, not by clusterbench/);
  assert.ok(killed.record.peakRssBytes > 100 * 2 ** 20, `figure at death ${killed.record.peakRssBytes}`);
  assert.ok(
    killed.record.vmHwmBytes! >= killed.record.peakRssBytes,
    `VmHWM ${killed.record.vmHwmBytes} >= RSS ${killed.record.peakRssBytes}`,
  );
  assert.ok(readFileSync(cell.inputPath).length > 0, 'the input file is left for the next repeat');
});

test('sweep --isolation overrides the profile, and the report says which mode measured the cells', async () => {
  const dir = tempDir();
  const profile = writeProfile(
    'name: iso\nisolation: process\nscales: [50]\nstages:\n  - { stage: probe, method: linear, options: { workPerItem: 10 } }\n',
    dir,
  );
  const { results } = await sweepCommand({ profile, isolation: 'thread', out: join(dir, 'runs'), quiet: true });
  assert.deepEqual(
    results.records.map((r) => r.isolation),
    ['thread'],
  );
  assert.equal(results.profile.isolation, 'thread');
  assert.match(renderMarkdownReport(results), /Cells measured in:\*\* \*\*thread\*\*/);
  await assert.rejects(
    sweepCommand({ profile, isolation: 'fork', out: join(dir, 'runs'), quiet: true }),
    /--isolation: "fork" is not process or thread/,
  );
  await assert.rejects(
    sweepCommand({ profile, isolation: 'thread', queue: 'redis://127.0.0.1:1', out: join(dir, 'runs'), quiet: true }),
    /with --queue every cell runs in a child process/,
  );
});
