/**
 * `make bench-peers`: our kernels against their Python peers on the same generated .npy files, in one run. Each cell
 * (task x size) runs ours and the peer in separate processes, interleaved (ours, peer, ours, peer, ... PEERS_REPEATS
 * times, default 2), and prints CPU seconds of the measured call (all threads of the process: process.cpuUsage /
 * time.process_time), wall seconds, the process's peak RSS (data loading included), quality (inertia, silhouette,
 * explained variance, ARI against the generator's blobs) and agreement (ARI ours vs the peer), plus the load average
 * around each cell. Peers: scikit-learn 1.2 (Debian python3-sklearn) and the hdbscan library (python3-hdbscan, where
 * apt has it); a peer that is not installed is skipped and the table says so. Install: scripts/install-python-peers.sh.
 * PEERS_PYTHON picks the interpreter (default /usr/bin/python3, Debian's; a pyenv python3 lacks the packages),
 * BENCH_LARGE=1 adds HDBSCAN 1M x 10, PEERS_ONLY=kmeans,pca limits the tasks. First the kernel layer's own rate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../generators/gaussian-blobs.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { readNpyFile, writeNpyFile } from '../harness/io/npy-file.js';
import { DotEngine, simdAvailable } from '../pipeline/kernels/dot-engine.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { silhouetteScore } from '../pipeline/metrics/silhouette.js';
import { hdbscan } from '../pipeline/stages/cluster/hdbscan.js';
import { kmeans } from '../pipeline/stages/cluster/kmeans.js';
import { pca } from '../pipeline/stages/reduce/pca.js';

type Task = 'hdbscan' | 'kmeans' | 'silhouette' | 'pca-randomized' | 'pca-full';
interface Cell {
  task: Task;
  n: number;
  d: number;
  centers: number;
}
interface Outcome {
  status: 'ok' | 'missing' | 'error' | 'timeout';
  cpuSec?: number;
  wallSec?: number;
  maxRssBytes?: number;
  note?: string;
  [k: string]: unknown;
}

const KM = { k: 50, nInit: 3, maxIterations: 100, tolerance: 1e-4, seed: 1 };
const HD = { minClusterSize: 5, minSamples: 5 };
const PCA_K = 10;
/** CPU seconds of the Python hdbscan library 0.8.43 as issue 15 measured them on this machine (for when it is absent). */
const HDBSCAN_REFERENCE: Record<string, [number, number]> = { '10000x10': [0.24, 0.26], '20000x384': [140, 175] };

const cpuSec = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

// ---------- child: one of our cells ----------
async function runOurs(task: Task, xPath: string, outPath: string, truthPath: string): Promise<Outcome> {
  const { data, shape } = readNpyFile(xPath);
  const x = { rows: shape[0], cols: shape[1], data: data as Float32Array };
  const truth = readNpyFile(truthPath).data as Int32Array;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let labels: Int32Array | undefined;
  let extra: Record<string, unknown>;
  if (task === 'kmeans') {
    let best: ReturnType<typeof kmeans> | undefined;
    for (let r = 0; r < KM.nInit; r++) {
      const run = kmeans(x, KM.k, { maxIterations: KM.maxIterations, tolerance: KM.tolerance, seed: KM.seed + r });
      if (!best || run.inertia < best.inertia) best = run;
    }
    labels = best!.labels;
    extra = { inertia: best!.inertia, iterations: best!.iterations };
  } else if (task === 'silhouette') {
    extra = { silhouette: silhouetteScore(x, truth, { exactMax: x.rows })?.value };
  } else if (task === 'hdbscan') {
    const r = await hdbscan(x, HD);
    labels = r.labels;
    let w = 0;
    for (const v of r.spanningTree.weight) w += v;
    extra = { clusters: r.nClusters, mstWeight: w };
  } else {
    const r = pca(x, PCA_K, { solver: task === 'pca-randomized' ? 'randomized' : 'full', seed: 1 });
    extra = { explained: r.explainedVarianceRatio.reduce((a, b) => a + b, 0) };
  }
  const cpu = cpuSec(process.cpuUsage(c0));
  const wall = (performance.now() - t0) / 1000;
  if (labels) writeNpyFile(outPath, labels, [labels.length]);
  return { status: 'ok', cpuSec: cpu, wallSec: wall, maxRssBytes: process.resourceUsage().maxRSS * 1024, ...extra };
}

// ---------- parent ----------
const MARK = 'PEER_RESULT ';
const python = process.env.PEERS_PYTHON ?? '/usr/bin/python3';
const script = fileURLToPath(import.meta.url);
const peerScript = join(fileURLToPath(new URL('.', import.meta.url)), '../../bench/peers/peers.py');
const capSec = Number(process.env.PEERS_CAP_SEC ?? 900);

function lastJson(stdout: string, mark = ''): Outcome {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(mark + '{'));
  if (!line) return { status: 'error', note: stdout.slice(-300) };
  return JSON.parse(line.slice(mark.length)) as Outcome;
}

function spawnOutcome(cmd: string, args: string[], mark = '', env: NodeJS.ProcessEnv = process.env): Outcome {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: capSec * 1000, maxBuffer: 1 << 26, env });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT')
    return { status: 'missing', note: `${cmd} not found` };
  if (r.signal === 'SIGTERM') return { status: 'timeout', note: `over ${capSec} s` };
  const o = lastJson(r.stdout ?? '', mark);
  if (o.status === 'error' && r.stderr) o.note = `${o.note ?? ''} ${r.stderr.slice(-300)}`.trim();
  return o;
}

/** Kernel rate on one core: 64 x 1,024 tiles of 384-d rows, CPU seconds of this thread. */
function kernelRate(kind: 'simd' | 'scalar'): number {
  const d = 384;
  const e = new DotEngine(d, kind);
  const src = Float32Array.from({ length: 1088 * d }, (_, i) => Math.sin(i));
  const b = e.load(src, 1088);
  e.dots(b, 0, 64, b, 64, 1024);
  const reps = kind === 'simd' ? 60 : 6;
  const t = process.threadCpuUsage();
  for (let r = 0; r < reps; r++) e.dots(b, 0, 64, b, 64, 1024);
  return (reps * 64 * 1024 * d) / cpuSec(process.threadCpuUsage(t)) / 1e9;
}

const fmt = (v: unknown, digits = 2): string => (typeof v === 'number' ? v.toFixed(digits) : '—');
const mb = (b?: number): string => (b ? `${Math.round(b / 2 ** 20)} MB` : '—');
const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function parent(): Promise<void> {
  const repeats = Math.max(1, Number(process.env.PEERS_REPEATS ?? 2));
  const only = process.env.PEERS_ONLY?.split(',');
  const large = process.env.BENCH_LARGE === '1';
  console.log(
    `bench-peers: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}, node ${process.version}, python ${python}`,
  );
  const simd = simdAvailable() ? kernelRate('simd') : NaN;
  const scalar = kernelRate('scalar');
  console.log(
    `kernel layer (dot tiles 64 x 1024 x 384, one core): SIMD ${simdAvailable() ? `${simd.toFixed(1)} G multiply-adds/s` : 'not built (npm run build)'}, scalar ${scalar.toFixed(1)} G/s`,
  );
  const cells: Cell[] = (
    [
      { task: 'hdbscan', n: 10_000, d: 10, centers: 20 },
      { task: 'hdbscan', n: 50_000, d: 50, centers: 20 },
      { task: 'hdbscan', n: 20_000, d: 384, centers: 20 },
      ...(large ? [{ task: 'hdbscan' as const, n: 1_000_000, d: 10, centers: 20 }] : []),
      { task: 'kmeans', n: 100_000, d: 384, centers: 20 },
      { task: 'silhouette', n: 20_000, d: 384, centers: 20 },
      { task: 'pca-randomized', n: 100_000, d: 384, centers: 50 },
      { task: 'pca-full', n: 100_000, d: 384, centers: 50 },
    ] satisfies Cell[] as Cell[]
  ).filter((c) => !only || only.some((o) => c.task.startsWith(o)));
  const dir = mkdtempSync(join(os.tmpdir(), 'clusterbench-peers-'));
  const rows: string[][] = [];
  const verdicts: string[] = [];
  try {
    for (const cell of cells) {
      const tag = `${cell.n}x${cell.d}`;
      const xPath = join(dir, `x-${tag}-${cell.centers}.npy`);
      const truthPath = join(dir, `truth-${tag}-${cell.centers}.npy`);
      if (!existsSync(xPath)) {
        const b = makeBlobs({ n: cell.n, d: cell.d, centers: cell.centers, seed: 1 });
        writeNpyFile(xPath, b.x.data, [cell.n, cell.d]);
        writeNpyFile(truthPath, Int32Array.from(b.truth), [cell.n]);
      }
      const truth = readNpyFile(truthPath).data as Int32Array;
      const peerName = cell.task === 'hdbscan' ? 'hdbscan (Python)' : 'scikit-learn';
      const params = { ...KM, ...HD, components: PCA_K, labels: truthPath, threads: os.cpus().length };
      const ours: Outcome[] = [];
      const peers: Outcome[] = [];
      const loadBefore = os.loadavg()[0];
      for (let r = 0; r < repeats; r++) {
        const oursOut = join(dir, `ours-${r}.npy`),
          peerOut = join(dir, `peer-${r}.npy`);
        rmSync(oursOut, { force: true });
        rmSync(peerOut, { force: true });
        const o = spawnOutcome(process.execPath, [script, '--ours', cell.task, xPath, oursOut, truthPath], MARK);
        if (existsSync(oursOut)) o.labels = readNpyFile(oursOut).data;
        ours.push(o);
        const p =
          peers.length && peers[0].status === 'missing'
            ? peers[0]
            : spawnOutcome(python, [peerScript, cell.task, xPath, peerOut, JSON.stringify(params)]);
        if (existsSync(peerOut)) p.labels = readNpyFile(peerOut).data;
        peers.push(p);
        console.error(
          `${cell.task} ${tag} #${r + 1}: ours ${o.status} ${fmt(o.cpuSec)} CPU s, ${peerName} ${p.status} ${fmt(p.cpuSec)} CPU s`,
        );
      }
      const load = `${loadBefore.toFixed(1)}-${os.loadavg()[0].toFixed(1)}`;
      const quality = (o: Outcome): string => {
        const parts: string[] = [];
        if (o.labels) parts.push(`ARI ${fmt(adjustedRandIndex(truth, o.labels as Int32Array), 4)}`);
        if (typeof o.inertia === 'number') parts.push(`inertia ${o.inertia.toExponential(6)}`);
        if (typeof o.silhouette === 'number') parts.push(`silhouette ${fmt(o.silhouette, 6)}`);
        if (typeof o.explained === 'number') parts.push(`explained ${fmt(o.explained, 5)}`);
        if (typeof o.clusters === 'number') parts.push(`${o.clusters} clusters`);
        return parts.join(', ') || '—';
      };
      const okOurs = ours.filter((o) => o.status === 'ok');
      const okPeers = peers.filter((o) => o.status === 'ok');
      const oc = med(okOurs.map((o) => o.cpuSec!)),
        pc = med(okPeers.map((o) => o.cpuSec!));
      const range = (xs: Outcome[], k: 'cpuSec' | 'wallSec'): string =>
        xs.length
          ? `${fmt(Math.min(...xs.map((o) => o[k] as number)))}-${fmt(Math.max(...xs.map((o) => o[k] as number)))}`
          : '—';
      let agreement = '—';
      const a = okOurs[0],
        p = okPeers[0];
      if (a?.labels && p?.labels)
        agreement = `ARI ${fmt(adjustedRandIndex(p.labels as Int32Array, a.labels as Int32Array), 4)}`;
      else if (typeof a?.explained === 'number' && typeof p?.explained === 'number')
        agreement = `Δexplained ${(a.explained - p.explained).toExponential(1)}`;
      else if (typeof a?.silhouette === 'number' && typeof p?.silhouette === 'number')
        agreement = `Δ ${(a.silhouette - p.silhouette).toExponential(1)}`;
      rows.push([
        `${cell.task} ${tag}`,
        'ours',
        range(okOurs, 'cpuSec'),
        range(okOurs, 'wallSec'),
        mb(Math.max(0, ...okOurs.map((o) => o.maxRssBytes ?? 0))),
        ours[0].status === 'ok' ? quality(ours[0]) : `${ours[0].status}: ${ours[0].note ?? ''}`,
        agreement,
        load,
      ]);
      rows.push([
        '',
        peerName,
        range(okPeers, 'cpuSec'),
        range(okPeers, 'wallSec'),
        mb(Math.max(0, ...okPeers.map((o) => o.maxRssBytes ?? 0))),
        peers[0].status === 'ok' ? quality(peers[0]) : `${peers[0].status}: ${peers[0].note ?? ''}`,
        Number.isFinite(pc) && Number.isFinite(oc) ? `peer/ours CPU ${(pc / oc).toFixed(2)}` : '',
        '',
      ]);
      verdicts.push(verdict(cell, oc, pc, okOurs[0], okPeers[0] ?? peers[0]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(renderTextTable(['cell', 'who', 'CPU s', 'wall s', 'peak RSS', 'quality', 'agreement', 'load'], rows));
  console.log(`\nTargets (issue 15; CPU seconds, medians of ${repeats}):\n${verdicts.map((v) => `- ${v}`).join('\n')}`);
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
}

function verdict(cell: Cell, ours: number, peer: number, o?: Outcome, p?: Outcome): string {
  const tag = `${cell.task} ${cell.n}x${cell.d}`;
  const have = Number.isFinite(ours),
    vs = Number.isFinite(peer);
  const r = (x: number): string => x.toFixed(2);
  if (!have) return `${tag}: ours did not finish — MISSED`;
  if (cell.task === 'hdbscan') {
    if (cell.n === 1_000_000) return `${tag}: ${r(ours)} CPU s, target < 120: ${ours < 120 ? 'met' : 'MISSED'}`;
    const need = cell.d === 10 ? 1 : 3;
    if (vs) return `${tag}: peer/ours ${r(peer / ours)}, target >= ${need}: ${peer / ours >= need ? 'met' : 'MISSED'}`;
    const ref = HDBSCAN_REFERENCE[`${cell.n}x${cell.d}`];
    return `${tag}: ours ${r(ours)} CPU s; peer not run (${p?.note ?? 'no result'}): not measured here${ref ? `; against the issue's own hdbscan 0.8.43 measurement (${ref[0]}-${ref[1]} CPU s) peer/ours would be ${r(ref[0] / ours)}-${r(ref[1] / ours)}` : ''}`;
  }
  if (!vs) return `${tag}: ours ${r(ours)} CPU s; peer not run — not measured`;
  if (cell.task === 'kmeans') {
    const inertiaOk = (o?.inertia as number) <= (p?.inertia as number);
    return `${tag}: ours ${r(ours)} vs ${r(peer)} CPU s, inertia ours ${(o?.inertia as number)?.toExponential(6)} vs ${(p?.inertia as number)?.toExponential(6)}: ${ours <= peer && inertiaOk ? 'met' : 'MISSED'}`;
  }
  if (cell.task === 'silhouette')
    return `${tag}: ours/peer CPU ${r(ours / peer)}, target <= 1.5, RSS ours ${mb(o?.maxRssBytes)} vs ${mb(p?.maxRssBytes)}: ${ours <= 1.5 * peer && (o?.maxRssBytes ?? 0) < (p?.maxRssBytes ?? 0) ? 'met' : 'MISSED'}`;
  if (cell.task === 'pca-randomized')
    return `${tag}: ours ${r(ours)} vs ${r(peer)} CPU s: ${ours <= peer ? 'met' : 'MISSED'}`;
  return `${tag}: ours ${r(ours)} vs ${r(peer)} CPU s (no target)`;
}

const at = process.argv.indexOf('--ours');
if (at >= 0) {
  const [task, xPath, outPath, truthPath] = process.argv.slice(at + 1);
  let out: Outcome;
  try {
    out = await runOurs(task as Task, xPath, outPath, truthPath);
  } catch (e) {
    out = { status: 'error', note: (e as Error).message };
  }
  console.log(MARK + JSON.stringify(out));
} else await parent();
