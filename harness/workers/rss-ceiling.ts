/**
 * The memory safety net. The RSS ceiling (profile limits.rssCeilingMb, MiB) stops a stage before the kernel's OOM
 * killer ends the whole sweep; by default it leaves the machine usable: min(80% of RAM, RAM - 2 GiB).
 * memoryMb/memoryFraction bound only the V8 heap of the stage's worker (maxOldGenerationSizeMb), in both isolation
 * modes: typed arrays (Float32Array matrices) live outside that heap and are bounded by the RSS ceiling alone, which
 * covers the whole sweep process (isolation: thread) or each cell's own child process (isolation: process).
 */
import os from 'node:os';
import type { SweepProfile } from '../profile/profile-schema.js';
import { formatBytes } from '../../pipeline/support/format-units.js';

const GiB = 2 ** 30;

/** Default RSS ceiling in bytes for a machine with `totalBytes` of RAM. */
export function defaultRssCeilingBytes(totalBytes = os.totalmem()): number {
  return Math.max(Math.min(0.8 * totalBytes, totalBytes - 2 * GiB), 0.5 * totalBytes);
}

/** The RSS ceiling of a profile, bytes. */
export function rssCeilingBytes(profile: SweepProfile): number {
  const mib = profile.limits.rssCeilingMb;
  return mib !== undefined ? mib * 2 ** 20 : defaultRssCeilingBytes();
}

/** How often the ceiling is checked when the profile's sampling interval is 0 (no timeline), ms. */
export const CEILING_CHECK_MS = 100;

/** A line for the progress log when a profile sets memoryMb/memoryFraction: what that limit bounds, plainly. */
export function memoryLimitNote(profile: SweepProfile): string | undefined {
  const set =
    profile.limits.memoryMb !== undefined ||
    profile.limits.memoryFraction !== undefined ||
    profile.stages.some((s) => s.memoryMb !== undefined || s.memoryFraction !== undefined);
  if (!set) return undefined;
  const where = isolationOf(profile) === 'process' ? "each cell's process" : 'the whole sweep process';
  return `memory: memoryMb/memoryFraction bound each stage worker's V8 heap only; typed arrays (matrices, labels) are outside it and bounded by the RSS ceiling, ${formatBytes(rssCeilingBytes(profile))} for ${where}`;
}

/** results.json `sections.memoryLimits`: the limits in force and what each one bounds. */
export interface MemoryLimitsSection {
  rssCeilingBytes: number;
  rssCeilingSource: 'profile' | 'default: min(80% of RAM, RAM - 2 GiB)';
  /** The isolation mode the statements below are about. */
  isolation: string;
  /** What memoryMb / memoryFraction bound in this run's isolation mode. */
  memoryMbBounds: string;
  /** What the RSS ceiling is measured over in this mode. */
  rssCeilingBounds: string;
}

const isolationOf = (p: SweepProfile): string => (p as { isolation?: string }).isolation ?? 'thread';

/** The memoryLimits section of a run. */
export function memoryLimitsSection(profile: SweepProfile): MemoryLimitsSection {
  return {
    rssCeilingBytes: rssCeilingBytes(profile),
    rssCeilingSource: profile.limits.rssCeilingMb !== undefined ? 'profile' : 'default: min(80% of RAM, RAM - 2 GiB)',
    isolation: isolationOf(profile),
    memoryMbBounds:
      "the V8 heap (old generation) of each stage's worker thread; typed arrays are outside it and bounded only by the RSS ceiling",
    rssCeilingBounds:
      isolationOf(profile) === 'process'
        ? "each cell's own child process (its input, worker, V8 heap and typed arrays), checked by the child and, at 1.05x, by the sweep"
        : "the sweep's whole process (every stage's typed arrays and the main thread's data together)",
  };
}
