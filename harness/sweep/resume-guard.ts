/**
 * What a run was started with, so `sweep --resume` can refuse to mix datasets or configurations: the input file's
 * size and SHA-256, the profile file's SHA-256 and a digest of the resolved profile. Stored in results.json
 * `sections.resumeGuard` from the start of the run.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SweepProfile } from '../profile/profile-schema.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** The section key. */
export const RESUME_GUARD_SECTION = 'resumeGuard';

/** A file's identity. */
export interface FileFingerprint {
  path: string;
  bytes: number;
  sha256: string;
}

/** What resume checks. */
export interface ResumeGuard {
  /** The conversation file of a `kind: file` input. */
  input?: FileFingerprint;
  /** The profile YAML the run was started from. */
  profileFile?: FileFingerprint;
  /** SHA-256 of the resolved profile as stored in results.json. */
  profileSha256: string;
}

/** Size and SHA-256 of a file, streamed (input files can be gigabytes). */
export async function fingerprintFile(path: string): Promise<FileFingerprint> {
  const abs = resolve(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(abs)) hash.update(chunk as Buffer);
  return { path: abs, bytes: statSync(abs).size, sha256: hash.digest('hex') };
}

const profileDigest = (p: unknown): string => createHash('sha256').update(JSON.stringify(p)).digest('hex');

/** The guard for a run about to start. */
export async function computeResumeGuard(profile: SweepProfile, profilePath: string): Promise<ResumeGuard> {
  return {
    ...(profile.input.kind === 'file' && profile.input.path
      ? { input: await fingerprintFile(profile.input.path) }
      : {}),
    ...(existsSync(profilePath) ? { profileFile: await fingerprintFile(profilePath) } : {}),
    profileSha256: profileDigest(profile),
  };
}

/** A resume refused because the run's input or profile changed since it started. */
export class ResumeMismatchError extends UserError {}

/** Throw ResumeMismatchError saying what changed; `storedProfile` is the profile in results.json. */
export async function verifyResumeGuard(
  guard: ResumeGuard | undefined,
  storedProfile: unknown,
  runDir: string,
): Promise<void> {
  if (!guard) return; // a run started before the guard existed: nothing to compare
  const refuse = (what: string): never => {
    throw new ResumeMismatchError(
      `--resume ${runDir}: ${what}; resuming would mix two datasets or configurations in one run. Restore it, or start a new run`,
    );
  };
  if (profileDigest(storedProfile) !== guard.profileSha256)
    refuse('the profile stored in results.json was edited since the run started');
  const compare = async (label: string, was: FileFingerprint | undefined): Promise<void> => {
    if (!was) return;
    if (!existsSync(was.path)) {
      if (label === 'input file') refuse(`the input file ${was.path} is gone`);
      return; // the profile is stored in results.json: a deleted profile file changes nothing
    }
    const now = await fingerprintFile(was.path);
    if (now.bytes !== was.bytes)
      refuse(`the ${label} ${was.path} changed since the run started: ${was.bytes} bytes then, ${now.bytes} now`);
    if (now.sha256 !== was.sha256)
      refuse(
        `the ${label} ${was.path} changed since the run started: same size, different content (SHA-256 ${was.sha256.slice(0, 12)}… then, ${now.sha256.slice(0, 12)}… now)`,
      );
  };
  await compare('input file', guard.input);
  await compare('profile file', guard.profileFile);
}
