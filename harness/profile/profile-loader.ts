/** Find, parse and validate a sweep profile, with errors that name the file and key path. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { profileSchema, type SweepProfile } from './profile-schema.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { packageRoot } from '../../pipeline/support/package-root.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { readYamlDocument } from '../../pipeline/support/yaml-file.js';
import { issueLines, issueText, type IssueLine } from '../../pipeline/support/zod-issues.js';
import { checkStageOptions } from '../../pipeline/stage-options.js';
import { resolveGeneratorOptions, type GeneratorOptions } from '../../generators/synthetic-conversations.js';
import { resolveUserStages } from './user-stage-resolution.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** A profile problem; message is "FILE:LINE: key.path[2]: what is wrong", one line per problem. */
export class ProfileError extends UserError {}

/** The line a key path was written on, when the profile came from a file (see readYamlDocument). */
export type LineOf = (path: readonly PropertyKey[]) => number | undefined;

function problemText(file: string, lineOf: LineOf | undefined, line: IssueLine, prefix: PropertyKey[] = []): string {
  const at = lineOf?.([...prefix, ...line.path]);
  return `${file}${at ? `:${at}` : ''}: ${issueText(line, prefix)}`;
}

// Problems in file order (zod reports unknown keys before the known ones' problems); the sort is stable.
function inFileOrder(
  file: string,
  lineOf: LineOf | undefined,
  lines: readonly IssueLine[],
  prefix: PropertyKey[] = [],
): { line: number; text: string }[] {
  return lines
    .map((l) => ({ line: lineOf?.([...prefix, ...l.path]) ?? 0, text: problemText(file, lineOf, l, prefix) }))
    .sort((a, b) => a.line - b.line);
}

/** Resolve `quick` to profiles/quick.yaml; a path is used as given. */
export function resolveProfilePath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const named = join(packageRoot(), 'profiles', nameOrPath.endsWith('.yaml') ? nameOrPath : `${nameOrPath}.yaml`);
  if (existsSync(named)) return named;
  // A path (has a separator) is not looked up in profiles/; a name lists what profiles/ offers.
  if (/[\\/]/.test(nameOrPath)) throw new ProfileError(`${nameOrPath}: no such profile file`);
  const known = existsSync(join(packageRoot(), 'profiles'))
    ? readdirSync(join(packageRoot(), 'profiles'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -5))
    : [];
  throw new ProfileError(
    `${nameOrPath}: no such profile file, and no profiles/${basename(named)}` +
      (known.length ? ` (profiles: ${known.join(', ')})` : ''),
  );
}

/** Synthetic input options are the generator's: check them now, naming the file and key path, not at the first scale. */
function checkGeneratorOptions(profile: SweepProfile, file: string, lineOf: LineOf | undefined): void {
  if (profile.input.kind !== 'synthetic') return;
  try {
    const probe: GeneratorOptions = { ...(profile.input.options as object), n: 0, seed: 0 };
    resolveGeneratorOptions(probe);
  } catch (e) {
    const m = /^generator option "([^"]+)": (.*)$/s.exec((e as Error).message);
    if (!m)
      throw new ProfileError(
        problemText(file, lineOf, { path: [], message: (e as Error).message }, ['input', 'options']),
      );
    const key = ['min', 'max', 'mean'].includes(m[1]) ? ['turns', m[1]] : [m[1]];
    throw new ProfileError(problemText(file, lineOf, { path: key, message: m[2] }, ['input', 'options']));
  }
}

/**
 * Validate an already-parsed object as a profile. `file` is used in messages only (with `lineOf`, each names its line);
 * module and command paths are relative to `profileDir`.
 */
export async function validateProfile(
  raw: unknown,
  file: string,
  profileDir = process.cwd(),
  lineOf?: LineOf,
): Promise<SweepProfile> {
  const parsed = profileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ProfileError(
      inFileOrder(file, lineOf, issueLines(parsed.error.issues))
        .map((p) => p.text)
        .join('\n'),
    );
  }
  let profile = parsed.data;
  try {
    profile = resolveUserStages(profile, profileDir, file); // module: and command: stages (issue 12)
  } catch (e) {
    throw new ProfileError((e as Error).message);
  }
  for (let i = 1; i < profile.scales.length; i++) {
    if (profile.scales[i] <= profile.scales[i - 1])
      throw new ProfileError(
        problemText(file, lineOf, {
          path: ['scales', i],
          message: `must be larger than scales[${i - 1}] (${profile.scales[i - 1]})`,
        }),
      );
  }
  // Every stage's options against its schema; all problems of all stages in one error, each once with its line.
  const problems: { line: number; text: string }[] = [];
  for (const [i, spec] of profile.stages.entries()) {
    let def;
    try {
      def = await loadStage(spec.stage, spec.method);
    } catch (e) {
      throw new ProfileError(
        problemText(file, lineOf, { path: ['method'], message: (e as Error).message }, ['stages', i]),
      );
    }
    const checked = checkStageOptions(def, spec.options);
    if (!checked.ok) problems.push(...inFileOrder(file, lineOf, checked.issues, ['stages', i, 'options']));
  }
  if (problems.length > 0)
    throw new ProfileError(
      problems
        .sort((a, b) => a.line - b.line)
        .map((p) => p.text)
        .join('\n'),
    );
  checkGeneratorOptions(profile, file, lineOf);
  return profile;
}

/** Load a profile by name or path. */
export async function loadProfile(nameOrPath: string): Promise<{ path: string; profile: SweepProfile }> {
  const path = resolveProfilePath(nameOrPath);
  const shown = displayPath(path);
  let doc;
  try {
    doc = readYamlDocument(path, 'profile', shown);
  } catch (e) {
    throw new ProfileError((e as Error).message);
  }
  return { path, profile: await validateProfile(doc.value, shown, dirname(path), (p) => doc.lineOf(p)) };
}
