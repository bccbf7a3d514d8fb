/** What machine a run was measured on: CPU, cores, RAM, Node and the git commit of the harness. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { MachineInfo } from '../types.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { formatBytes } from '../../pipeline/support/format-units.js';

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** "Intel Xeon, 4 cores, 16.0 GiB RAM, linux/x64": what makes two machines the same kind for time and memory. */
export function machineKind(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${formatBytes(m.totalMemBytes)} RAM, ${m.platform}/${m.arch}`;
}

/** This machine. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemBytes: os.totalmem(),
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
  };
}
