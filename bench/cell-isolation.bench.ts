/**
 * The cost of process isolation per cell (issue 10, target < 300 ms): the same near-empty cell (probe/linear on
 * 100 items) run R times (BENCH_CELLS_RUNS, default 10) as
 *   process — runCell in a fresh child process (Node start-up, imports, a piscina pool and its worker, Arrow in/out),
 *   thread  — runCell in this process (a fresh pool and worker, Arrow in/out),
 *   warm    — the sweep's thread executor: one warm pool, data in memory (no files).
 * Overhead = the cell's whole wall time minus the stage's own wall time. CPU is the hosting process's (for process
 * mode the child's, since its start), which is what a loaded machine cannot hide; wall is printed too.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { median } from 'simple-statistics';
import { validateProfile } from '../harness/profile/profile-loader.js';
import { cellSpec, createCellExecutor, profileDigest, runCell, writeCellInput } from '../harness/sweep/cell-runner.js';
import { renderTextTable } from '../harness/io/text-table.js';

const runs = Number(process.env.BENCH_CELLS_RUNS ?? 10);

async function main(): Promise<void> {
  const n = 100;
  const base = {
    name: 'cells',
    scales: [n],
    stages: [{ stage: 'probe', method: 'linear', options: { workPerItem: 10 } }],
  };
  const profile = await validateProfile({ ...base, isolation: 'thread' }, 'bench');
  const dir = mkdtempSync(join(tmpdir(), 'clusterbench-bench-cells-'));
  const input = join(dir, 'in.arrow');
  await writeCellInput(input, { n }, []);
  const cell = cellSpec(profile, profileDigest(profile), n, 0, 0, input, join(dir, 'out.arrow'));
  const rows: string[][] = [];
  const measure = async (mode: string, one: () => Promise<{ stageMs: number; cpuMs?: number }>): Promise<void> => {
    await one(); // first run: file cache, compile cache
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { stageMs, cpuMs } = await one();
      wall.push(performance.now() - t0 - stageMs);
      const c = process.cpuUsage(c0);
      cpu.push(cpuMs ?? (c.user + c.system) / 1000);
    }
    rows.push([
      mode,
      String(runs),
      median(wall).toFixed(0),
      Math.min(...wall).toFixed(0),
      median(cpu).toFixed(0),
      Math.min(...cpu).toFixed(0),
    ]);
  };
  try {
    await measure('process', async () => {
      const r = await runCell(cell, 'process');
      return { stageMs: r.record.wallMs, cpuMs: r.hostCpuMs };
    });
    await measure('thread', async () => {
      const r = await runCell(cell, 'thread');
      return { stageMs: r.record.wallMs };
    });
    const warm = createCellExecutor(profile);
    try {
      await measure('warm', async () => ({ stageMs: (await warm.run(0, { n }, n, 0)).record.wallMs }));
    } finally {
      await warm.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    renderTextTable(
      ['isolation', 'cells', 'overhead wall p50 ms', 'wall min ms', 'overhead CPU p50 ms', 'CPU min ms'],
      rows,
    ),
  );
  const p = rows[0];
  console.log(
    `process isolation overhead per cell: ${p[2]} ms wall (median), ${p[4]} ms CPU of the child (median); target < 300 ms`,
  );
}

await main();
