/**
 * Samples a child process tree from /proc (Linux): every intervalMs it scans /proc/<pid>/stat, takes the tree of
 * the root (by parent links, plus anything still in the root's process group, which catches grandchildren
 * re-parented to init) and sums their resident set size. Each process's own high-water mark (VmHWM) is read too, so
 * a spike between two samples still shows as at least its largest single process.
 *
 * CPU: the tree's total is read from our own /proc/self/stat cutime+cstime after the root is reaped (the kernel adds a
 * waited-for child's time, including its own waited-for descendants); the sampled sum over live processes is kept
 * as a floor for trees that were killed or left orphans behind (see childCpuTicks).
 * This kernel has no /proc/<pid>/task/<tid>/children, so the scan reads every process's stat (about 100 here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { RssSample } from '../types.js';

/** /proc times are in USER_HZ ticks, 100 per second on every Linux architecture Node supports. */
const TICK_MS = 10;

/** Fields of /proc/<pid>/stat we use. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  rssPages: number;
}

/** Parse /proc/<pid>/stat; undefined if the process is gone. comm may hold spaces and parentheses: split after the last ')'. */
export function readProcStat(pid: number | 'self'): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): field k is f[k - 3].
  return {
    pid: Number(text.slice(0, text.indexOf(' '))),
    state: f[0],
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    cutime: Number(f[13]),
    cstime: Number(f[14]),
    rssPages: Number(f[21]),
  };
}

let pageSize: number | undefined;
/** Bytes per page, derived once from our own RSS (process.memoryUsage.rss() is bytes, /proc/self/statm is pages). */
function pageBytes(): number {
  if (pageSize === undefined) {
    const pages = Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]);
    const ratio = process.memoryUsage.rss() / Math.max(pages, 1);
    pageSize = 2 ** Math.round(Math.log2(ratio));
  }
  return pageSize;
}

function highWaterBytes(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Our own children's CPU (waited-for children and their waited-for descendants), ms. */
export function childCpuMs(): { user: number; system: number } {
  const s = readProcStat('self');
  return { user: (s?.cutime ?? 0) * TICK_MS, system: (s?.cstime ?? 0) * TICK_MS };
}

/** The live processes of the tree rooted at `root` (root included if alive), zombies left out. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = readProcStat(Number(name));
    if (s) all.push(s);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of all) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const inTree = new Map<number, ProcStat>();
  const rootStat = all.find((s) => s.pid === root);
  const queue: ProcStat[] = rootStat ? [rootStat] : [];
  for (const s of all) if (s.pgrp === root && s.pid !== root) queue.push(s);
  while (queue.length > 0) {
    const s = queue.pop()!;
    if (inTree.has(s.pid)) continue;
    inTree.set(s.pid, s);
    for (const c of children.get(s.pid) ?? []) queue.push(c);
  }
  return [...inTree.values()].filter((s) => s.state !== 'Z');
}

/** What a sampler saw. */
export interface ProcessTreeMeasurement {
  timeline: RssSample[];
  /** Largest sampled sum of RSS over the tree, or the largest single process's VmHWM if that is higher. */
  peakRssBytes: number;
  /** Largest VmHWM of any one process of the tree (what /usr/bin/time -v reports for a single process). */
  peakProcessRssBytes: number;
  /** Most processes seen at once. */
  maxProcesses: number;
  /** Largest sampled CPU of the live tree (own + waited-for children), ms: a floor for killed or orphaning trees. */
  sampledCpuMs: { user: number; system: number };
}

/** A running sampler. */
export interface ProcessTreeSampler {
  /** Pids of the tree at the last sample (for killing it). */
  pids(): number[];
  /** Take a sample now (the last one before the root exits). */
  sample(): void;
  stop(): ProcessTreeMeasurement;
}

/** Sample the tree of `root` every intervalMs (0: start and stop only); `onSample` sees each tree RSS sum. */
export function startProcessTreeSampler(
  root: number,
  intervalMs: number,
  onSample?: (rssBytes: number) => void,
): ProcessTreeSampler {
  const t0 = performance.now();
  const page = pageBytes();
  const timeline: RssSample[] = [];
  const hwm = new Map<number, number>();
  let peak = 0;
  let maxProcesses = 0;
  let cpu = { user: 0, system: 0 };
  let last: number[] = [];
  const take = (): void => {
    const tree = processTree(root);
    let rss = 0;
    let user = 0;
    let system = 0;
    for (const s of tree) {
      rss += s.rssPages * page;
      user += s.utime + s.cutime;
      system += s.stime + s.cstime;
      hwm.set(s.pid, Math.max(hwm.get(s.pid) ?? 0, highWaterBytes(s.pid)));
    }
    last = tree.map((s) => s.pid);
    if (tree.length > 0 || timeline.length === 0) timeline.push({ tMs: performance.now() - t0, rss });
    peak = Math.max(peak, rss);
    maxProcesses = Math.max(maxProcesses, tree.length);
    if (user + system > cpu.user / TICK_MS + cpu.system / TICK_MS)
      cpu = { user: user * TICK_MS, system: system * TICK_MS };
    onSample?.(rss);
  };
  take();
  const timer = intervalMs > 0 ? setInterval(take, intervalMs) : undefined;
  return {
    pids: () => last,
    sample: take,
    stop() {
      clearInterval(timer);
      const peakProcess = Math.max(0, ...hwm.values());
      return {
        timeline,
        peakRssBytes: Math.max(peak, peakProcess),
        peakProcessRssBytes: peakProcess,
        maxProcesses,
        sampledCpuMs: cpu,
      };
    },
  };
}

/** SIGKILL the root's process group and every process of its tree (those that left the group too). Returns how many were signalled. */
export function killProcessTree(root: number): number {
  const pids = new Set(processTree(root).map((s) => s.pid));
  try {
    process.kill(-root, 'SIGKILL');
  } catch {
    /* group already gone */
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  return pids.size;
}
