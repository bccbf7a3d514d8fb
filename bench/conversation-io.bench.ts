/**
 * Synthetic conversations to disk and back: generation throughput and peak RSS at 100K (and 1M with BENCH_LARGE=1)
 * to Arrow IPC and to JSONL, then import throughput of the 100K-line JSONL (scan + validate, then read every line
 * back as a sample). Each cell runs in its own child process so its peak RSS (getrusage maxRSS) is its own and
 * covers the 2 generation worker threads (generateToFile's default from 20K conversations); CPU is all threads.
 * Target: 1M conversations in <= 2 min on 2 cores with peak RSS <= 500 MB while streaming to disk.
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToFile } from '../harness/commands/generate-command.js';
import { openConversationFile } from '../generators/import/conversation-file.js';
import { formatBytes } from '../pipeline/support/format-units.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { cellMain, large, machineLine, runCell, timed } from './bench-cells.js';

interface Cell {
  op: 'generate' | 'import';
  n: number;
  out: string;
}

const isChild = await cellMain<Cell>(async ({ op, n, out }) => {
  const cpu0 = process.cpuUsage();
  if (op === 'generate') {
    const r = await timed(() => generateToFile({ out, generator: { n, seed: 7 } }));
    const cpu = process.cpuUsage(cpu0);
    const extra: Record<string, number> = { bytes: r.value.bytes, cpuMs: (cpu.user + cpu.system) / 1000 };
    return { ms: r.ms, extra };
  }
  const scan = await timed(() => openConversationFile(out));
  // Read every line back the way a sweep scale does: one conversation at a time, not all held at once.
  let messages = 0;
  const read = await timed(() =>
    scan.value.forEachInSample(scan.value.summary.valid, 1, (c) => {
      messages += c.messages.length;
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const extra: Record<string, number> = {
    scanMs: scan.ms,
    readMs: read.ms,
    valid: scan.value.summary.valid,
    messages,
    bytes: statSync(out).size,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  return { ms: scan.ms + read.ms, extra };
});

if (!isChild) {
  const script = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'clusterbench-bench-io-'));
  const rows: string[][] = [];
  console.log(`conversation generation and import; ${machineLine()}`);
  try {
    for (const n of [100_000, ...(large ? [1_000_000] : [])]) {
      for (const format of ['arrow', 'jsonl']) {
        const out = join(dir, `conv-${n}.${format}`);
        const o = runCell(script, { op: 'generate', n, out } satisfies Cell, n >= 1_000_000 ? 900 : 300);
        const s = (o.ms ?? 0) / 1000;
        const bytes = Number(o.extra?.bytes ?? 0);
        rows.push(
          o.status === 'ok'
            ? [
                `generate -> ${format}`,
                n.toLocaleString('en-US'),
                `${s.toFixed(1)} s`,
                `${((Number(o.extra?.cpuMs) || 0) / 1000).toFixed(1)} s`,
                `${Math.round(n / s).toLocaleString('en-US')}/s`,
                `${(bytes / s / 1048576).toFixed(1)} MB/s`,
                formatBytes(bytes),
                formatBytes(o.maxRssBytes ?? 0),
              ]
            : [
                `generate -> ${format}`,
                n.toLocaleString('en-US'),
                `${o.status}: ${o.note ?? ''}`,
                '',
                '',
                '',
                '',
                formatBytes(o.maxRssBytes ?? 0),
              ],
        );
        console.error(rows[rows.length - 1].join(' | '));
        if (format === 'jsonl' && n === 100_000 && o.status === 'ok') {
          const im = runCell(script, { op: 'import', n, out } satisfies Cell, 300);
          const t = (im.ms ?? 0) / 1000;
          rows.push(
            im.status === 'ok'
              ? [
                  `import JSONL (scan ${(Number(im.extra?.scanMs) / 1000).toFixed(1)} s + read all ${(Number(im.extra?.readMs) / 1000).toFixed(1)} s)`,
                  Number(im.extra?.valid).toLocaleString('en-US'),
                  `${t.toFixed(1)} s`,
                  `${((Number(im.extra?.cpuMs) || 0) / 1000).toFixed(1)} s`,
                  `${Math.round(n / t).toLocaleString('en-US')}/s`,
                  `${(Number(im.extra?.bytes) / t / 1048576).toFixed(1)} MB/s`,
                  formatBytes(Number(im.extra?.bytes)),
                  formatBytes(im.maxRssBytes ?? 0),
                ]
              : [
                  'import JSONL',
                  n.toLocaleString('en-US'),
                  `${im.status}: ${im.note ?? ''}`,
                  '',
                  '',
                  '',
                  '',
                  formatBytes(im.maxRssBytes ?? 0),
                ],
          );
          console.error(rows[rows.length - 1].join(' | '));
        }
        rmSync(out, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    renderTextTable(['case', 'conversations', 'wall', 'CPU', 'conv/s (wall)', 'MB/s', 'file size', 'peak RSS'], rows),
  );
}
