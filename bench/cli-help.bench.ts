/**
 * Start-up cost of the command line: `clusterbench --help` and `clusterbench sweep --help`, each run
 * BENCH_HELP_RUNS times (default 10) in a fresh process; prints the median wall and CPU time (user + sys, from
 * bash's `times`). Target < 300 ms wall for `--help` (issue 17): harness/cli.ts imports a command only when it runs.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';

const runs = Number(process.env.BENCH_HELP_RUNS ?? 10);
const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

/** One fresh process: wall ms here, CPU ms of the child as bash's `times` reports it. */
function measure(args: string[]): { wallMs: number; cpuMs: number } {
  const script = '"$0" "$@" >/dev/null || exit $?; times';
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', script, process.execPath, cli, ...args], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`clusterbench ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const children = r.stdout.trim().split('\n').at(-1) ?? '';
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (s, m) => s + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  return { wallMs, cpuMs };
}

for (const args of [['--help'], ['sweep', '--help']]) {
  measure(args); // warm the file cache
  const m = Array.from({ length: runs }, () => measure(args));
  const wall = m.map((x) => x.wallMs);
  const label = `clusterbench ${args.join(' ')}`.padEnd(26);
  console.log(
    `${label} median ${median(wall).toFixed(0).padStart(5)} ms wall (min ${Math.min(...wall).toFixed(0)}), ${median(
      m.map((x) => x.cpuMs),
    )
      .toFixed(0)
      .padStart(5)} ms CPU; ${runs} runs; loadavg ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
