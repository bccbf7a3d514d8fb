/**
 * The default offline pipeline (summarise/extractive -> embed/static -> cluster/minibatch-kmeans) at BENCH_N synthetic
 * conversations (default 1,000,000; BENCH_LARGE=1: 10,000,000) at the generator's default 3.5 KB, in streaming mode
 * (BENCH_BATCH rows per record batch, default 50,000), as one sweep cell per stage in this process (isolation thread,
 * no checkpoints or storage). Prints wall s, CPU s (this process, all threads), peak RSS (VmHWM) and bytes per
 * conversation. The issue-11 targets: 1M under 20 min and 4 GB; 10M under 3 h and 20 GB, on a 2-core machine.
 * Then the harness's own memory per conversation (target under 1 KB at 1M): the run's peak RSS less the process
 * before the sweep (Node, modules) and less the data a streaming run must hold at its peak: the most text held at
 * once (counter stream.peakTextBytes), the n x 256 float32 embeddings, the labels and the ground-truth intents.
 */
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { formatBytes } from '../pipeline/support/format-units.js';

const n = Number(process.env.BENCH_N ?? (process.env.BENCH_LARGE === '1' ? 10_000_000 : 1_000_000));
const batch = Number(process.env.BENCH_BATCH ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'clusterbench-pipeline-1m-'));
const profile = join(dir, 'pipeline.yaml');
writeFileSync(
  profile,
  `
name: pipeline-bench
seed: 42
scales: [${n}]
isolation: thread
stages:
  - { stage: summarise, method: extractive }
  - { stage: embed, method: static, options: { dims: 256 } }
  - { stage: cluster, method: minibatch-kmeans, options: { k: 20 } }
execution: { mode: streaming, batchSize: ${batch} }
limits: { timeoutSec: 14400 }
sampling: { intervalMs: 100 }
checkpoints: { enabled: false }
quality: { internal: false }
`,
);
const hwm = (): number =>
  Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? 0) * 1024;
const rssNow = (): number =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? 0) * 1024;
const DIMS = 256;
// The sweep's modules are loaded above; this is Node plus the harness at rest.
const before = rssNow();
const t0 = performance.now();
const c0 = process.cpuUsage();
try {
  const { results } = await sweepCommand({ profile, out: join(dir, 'runs'), quiet: true });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const peak = hwm();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `pipeline (extractive -> embed/static -> minibatch-kmeans, streaming, batches of ${batch.toLocaleString('en-US')}) at n = ${n.toLocaleString('en-US')}; load ${load}`,
  );
  console.log('| stage | status | wall s | CPU s (stage threads) | peak RSS |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of results.records)
    console.log(
      `| ${r.stage}/${r.method} | ${r.status} | ${(r.wallMs / 1000).toFixed(1)} | ${((r.cpuUserMs + r.cpuSystemMs) / 1000).toFixed(1)} | ${formatBytes(r.peakRssBytes)} |`,
    );
  for (const r of results.records)
    if (r.status !== 'ok') console.log(`${r.stage}/${r.method}: ${r.status}: ${r.reason ?? ''}`);
  const peakText = Math.max(0, ...results.records.map((r) => r.counters['stream.peakTextBytes'] ?? 0));
  const data = [
    ['text held at once (stream.peakTextBytes)', peakText],
    [`embeddings (n x ${DIMS} float32)`, n * DIMS * 4],
    ['labels (int32)', n * 4],
    ['ground-truth intents (int32)', n * 4],
  ] as const;
  const dataBytes = data.reduce((sum, [, b]) => sum + b, 0);
  const overhead = peak - before - dataBytes;
  console.log('\nMemory at the peak, per conversation:');
  console.log('| part | bytes | bytes/conversation |');
  console.log('|---|---:|---:|');
  const row = (label: string, b: number): void =>
    console.log(`| ${label} | ${formatBytes(b)} | ${Math.round(b / n).toLocaleString('en-US')} |`);
  row('process before the sweep (Node, modules)', before);
  for (const [label, b] of data) row(label, b);
  row('harness overhead (peak - before - data)', overhead);
  row('peak RSS (VmHWM)', peak);
  console.log(
    `harness overhead per conversation: ${Math.round(overhead / n).toLocaleString('en-US')} B (target < 1,024 B at 1M)`,
  );
  console.log(
    `whole run: wall ${wall.toFixed(1)} s, CPU ${((c.user + c.system) / 1e6).toFixed(1)} s, peak RSS ${formatBytes(peak)}, ${Math.round(peak / n).toLocaleString('en-US')} bytes/conversation; ARI ${results.scales[0]?.quality.ari?.toFixed(3) ?? '—'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
