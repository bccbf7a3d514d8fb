/**
 * Self time per function from a V8 .cpuprofile (the format --cpu-prof and DevTools write): each sample's duration is
 * the gap to the next sample's timestamp (as DevTools computes it), charged to the node that was on top of the stack.
 * Nodes of the same function (same name, file, line) are summed. "(idle)" and "(program)" are left out.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../../pipeline/support/user-error.js';

/** One function's share of the profile. */
export interface FunctionSelfTime {
  functionName: string;
  url: string;
  /** 1-based line of the function's start. */
  line: number;
  selfMs: number;
  /** Share of the sampled (non-idle) time, 0..1. */
  share: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Functions by self time, highest first. */
export function cpuProfileSelfTimes(path: string): FunctionSelfTime[] {
  let p: CpuProfile;
  try {
    p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  } catch (e) {
    throw new UserError(`${path}: not a readable .cpuprofile (${(e as Error).message})`);
  }
  if (!Array.isArray(p.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas))
    throw new UserError(`${path}: not a .cpuprofile (nodes, samples and timeDeltas expected)`);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  const stamps = p.timeDeltas.map((d) => (t += d));
  for (let i = 0; i < p.samples.length; i++) {
    const dur = (i + 1 < stamps.length ? stamps[i + 1] : p.endTime) - stamps[i];
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + Math.max(0, dur));
  }
  const byFunction = new Map<string, FunctionSelfTime>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)?.callFrame;
    if (!cf || cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
    total += us;
    const key = `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}`;
    const f = byFunction.get(key) ?? {
      functionName: cf.functionName || '(anonymous)',
      url: cf.url,
      line: cf.lineNumber + 1,
      selfMs: 0,
      share: 0,
    };
    f.selfMs += us / 1000;
    byFunction.set(key, f);
  }
  const out = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs);
  for (const f of out) f.share = total > 0 ? (f.selfMs * 1000) / total : 0;
  return out;
}
