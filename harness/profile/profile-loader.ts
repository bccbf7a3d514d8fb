/** Find, parse and validate a sweep profile, with errors that name the file and key path. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ZodIssue } from 'zod';
import { profileSchema, type SweepProfile } from './profile-schema.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { formatKeyPath, readYamlFile } from '../../pipeline/support/yaml-file.js';
import { resolveGeneratorOptions, type GeneratorOptions } from '../../generators/synthetic-conversations.js';
import { resolveUserStages } from './user-stage-resolution.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** A profile problem; message is "FILE: key.path[2]: what is wrong". */
export class ProfileError extends UserError {
}

function issueMessage(issue: ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'is required';
  return issue.message;
}

/** Resolve `quick` to profiles/quick.yaml; a path is used as given. */
export function resolveProfilePath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const named = join(packageRoot(), 'profiles', nameOrPath.endsWith('.yaml') ? nameOrPath : `${nameOrPath}.yaml`);
  if (existsSync(named)) return named;
  // A path (has a separator) is not looked up in profiles/; a name lists what profiles/ offers.
  if (/[\\/]/.test(nameOrPath)) throw new ProfileError(`${nameOrPath}: no such profile file`);
  const known = existsSync(join(packageRoot(), 'profiles'))
    ? readdirSync(join(packageRoot(), 'profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5))
    : [];
  throw new ProfileError(
    `${nameOrPath}: no such profile file, and no profiles/${basename(named)}` + (known.length ? ` (profiles: ${known.join(', ')})` : ''),
  );
}

/** Synthetic input options are the generator's: check them now, naming the file and key path, not at the first scale. */
function checkGeneratorOptions(profile: SweepProfile, file: string): void {
  if (profile.input.kind !== 'synthetic') return;
  try {
    resolveGeneratorOptions({ ...(profile.input.options as object), n: 0, seed: 0 } as GeneratorOptions);
  } catch (e) {
    const m = /^generator option "([^"]+)": (.*)$/s.exec((e as Error).message);
    if (!m) throw new ProfileError(`${file}: input.options: ${(e as Error).message}`);
    const key = ['min', 'max', 'mean'].includes(m[1]) ? `turns.${m[1]}` : m[1];
    throw new ProfileError(`${file}: input.options.${key}: ${m[2]}`);
  }
}

/** Validate an already-parsed object as a profile. `file` is used in messages only; module and command paths are relative to `profileDir`. */
export async function validateProfile(raw: unknown, file: string, profileDir = process.cwd()): Promise<SweepProfile> {
  const parsed = profileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${formatKeyPath(i.path)}: ${issueMessage(i)}`);
    throw new ProfileError(lines.join('\n'));
  }
  let profile = parsed.data;
  try {
    profile = resolveUserStages(profile, profileDir, file); // module: and command: stages (issue 12)
  } catch (e) {
    throw new ProfileError((e as Error).message);
  }
  for (let i = 1; i < profile.scales.length; i++) {
    if (profile.scales[i] <= profile.scales[i - 1]) throw new ProfileError(`${file}: scales[${i}]: must be larger than scales[${i - 1}] (${profile.scales[i - 1]})`);
  }
  for (const [i, spec] of profile.stages.entries()) {
    let def;
    try {
      def = await loadStage(spec.stage, spec.method);
    } catch (e) {
      throw new ProfileError(`${file}: stages[${i}].method: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = def.parseOptions?.(spec.options);
    } catch (e) {
      throw new ProfileError(`${file}: stages[${i}].options.${(e as Error).message}`);
    }
    // parseOptions returns every option it knows (with defaults): a raw key it did not return is a typo.
    if (parsed && typeof parsed === 'object') {
      const known = Object.keys(parsed);
      const unknown = Object.keys(spec.options).filter((k) => !known.includes(k));
      if (unknown.length > 0) {
        throw new ProfileError(`${file}: stages[${i}].options: unknown option(s) ${unknown.map((k) => `"${k}"`).join(', ')} for ${spec.stage}/${spec.method}; valid: ${known.join(', ')}`);
      }
    }
  }
  checkGeneratorOptions(profile, file);
  return profile;
}

/** Load a profile by name or path. */
export async function loadProfile(nameOrPath: string): Promise<{ path: string; profile: SweepProfile }> {
  const path = resolveProfilePath(nameOrPath);
  const shown = displayPath(path);
  let raw: unknown;
  try {
    raw = readYamlFile(path, 'profile', shown);
  } catch (e) {
    throw new ProfileError((e as Error).message);
  }
  return { path, profile: await validateProfile(raw, shown, dirname(path)) };
}
