/**
 * The user's own stages in a profile (issue 12), checked at load so bad input fails before any cell runs:
 * - `method: module:./stages/x.js` becomes an absolute path (relative to the profile's folder); the file must exist.
 * - a stage with `command:` gets an absolute `cwd`, its default reads/writes, a program that exists, placeholders that
 *   name an option or a built-in value, and a definition registered for the harness's own look-ups (reads, writes).
 * Resolution is idempotent: a resolved profile (e.g. from results.json on --resume) resolves to itself.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { PipelineField, StageDefinition, StageKind } from '../types.js';
import type { SweepProfile, StageSpec } from './profile-schema.js';
import { registeredStages, registerProfileStage } from '../../pipeline/stage-registry.js';
import { MODULE_PREFIX } from '../../pipeline/user-stage-module.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** What a command stage of each kind reads and writes unless the profile says otherwise (as the built-in stages). */
export function commandStageDefaults(kind: StageKind): { reads: PipelineField[]; writes: PipelineField[] } {
  switch (kind) {
    case 'summarise':
      return { reads: ['conversations'], writes: ['summaries'] };
    case 'embed':
      return { reads: ['summaries', 'conversations'], writes: ['embeddings'] };
    case 'reduce':
      return { reads: ['embeddings'], writes: ['reduced'] };
    case 'cluster':
      return { reads: ['embeddings', 'reduced'], writes: ['labels'] };
    case 'meta-cluster':
      return { reads: ['labels', 'embeddings', 'reduced'], writes: ['hierarchy'] };
    case 'label':
      return { reads: ['labels', 'summaries', 'conversations'], writes: ['clusterInfo'] };
    case 'project':
      return { reads: ['embeddings', 'reduced'], writes: ['projection'] };
    case 'probe':
      return { reads: [], writes: ['labels'] };
  }
}

/** Placeholders every command may use besides its options. */
export const BUILTIN_PLACEHOLDERS = ['seed', 'n', 'scale', 'repeat', 'manifest', 'workdir'];
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replace `{name}` in each argument; values that are lists are joined with commas. */
export function substituteArgs(argv: readonly string[], values: Record<string, unknown>): string[] {
  return argv.map((a) =>
    a.replace(PLACEHOLDER, (whole, name: string) => {
      const v = values[name];
      if (v === undefined) return whole;
      return Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v);
    }),
  );
}

function findProgram(program: string, cwd: string, pathVar: string | undefined): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return executable(resolve(cwd, program)) ? resolve(cwd, program) : undefined;
  for (const dir of (pathVar ?? '').split(delimiter))
    if (dir && executable(join(dir, program))) return join(dir, program);
  return undefined;
}

const COMMAND_ONLY = ['reads', 'writes', 'cwd', 'env', 'format', 'usesApi'] as const;

/** A command stage's definition for the harness's look-ups; it never runs in a worker (harness/workers/command-stage-run.ts runs it). */
export function commandStageDefinition(spec: StageSpec): StageDefinition {
  const d = commandStageDefaults(spec.stage);
  return {
    kind: spec.stage,
    method: spec.method,
    reads: spec.reads ?? d.reads,
    writes: spec.writes ?? d.writes,
    usesApi: spec.usesApi ?? false,
    run() {
      throw new Error(
        `${spec.stage}/${spec.method} is a command stage: it runs through harness/workers/command-stage-run.ts, not in a worker`,
      );
    },
  };
}

/** Resolve and check the module and command stages of a validated profile; throws "FILE: stages[i].key: message". */
export function resolveUserStages(profile: SweepProfile, profileDir: string, file: string): SweepProfile {
  const stages = profile.stages.map((spec, i): StageSpec => {
    const at = `${file}: stages[${i}]`;
    if (spec.method.startsWith(MODULE_PREFIX)) {
      if (spec.command)
        throw new UserError(
          `${at}: a stage is either a module (method: module:...) or a command (command: [...]), not both`,
        );
      const rel = spec.method.slice(MODULE_PREFIX.length);
      if (rel === '') throw new UserError(`${at}.method: module: needs a path, e.g. module:./stages/my-cluster.js`);
      const abs = resolve(profileDir, rel);
      if (!existsSync(abs))
        throw new UserError(
          `${at}.method: module ${rel}: no such file (looked for ${abs}, relative to the profile's folder)`,
        );
      return { ...spec, method: `${MODULE_PREFIX}${abs}` };
    }
    if (!spec.command) {
      const stray = COMMAND_ONLY.filter((k) => spec[k] !== undefined);
      if (stray.length > 0)
        throw new UserError(
          `${at}: ${stray.join(', ')} appl${stray.length === 1 ? 'ies' : 'y'} to command stages only; add command: [program, args...] or remove ${stray.length === 1 ? 'it' : 'them'}`,
        );
      return spec;
    }
    if (registeredStages().includes(`${spec.stage}/${spec.method}`))
      throw new UserError(
        `${at}.method: "${spec.method}" is a built-in ${spec.stage} method; give the command stage its own name (e.g. my-${spec.method})`,
      );
    if (profile.stages.some((s, j) => j !== i && s.stage === spec.stage && s.method === spec.method))
      throw new UserError(
        `${at}.method: another stage is also named ${spec.stage}/${spec.method}; names must be unique`,
      );
    const cwd = resolve(profileDir, spec.cwd ?? '.');
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UserError(`${at}.cwd: ${cwd} is not a folder`);
    const argv = spec.command;
    const pathVar = spec.env?.PATH ?? process.env.PATH;
    if (!findProgram(argv[0], cwd, pathVar)) {
      throw new UserError(
        `${at}.command[0]: program "${argv[0]}" not found ${argv[0].includes('/') ? `(or not executable) relative to ${cwd}` : 'on PATH'}`,
      );
    }
    if (argv.length > 1 && /^\.\.?\//.test(argv[1]) && !existsSync(resolve(cwd, argv[1])))
      throw new UserError(`${at}.command[1]: ${argv[1]}: no such file in ${cwd}`);
    for (const [j, a] of argv.entries()) {
      for (const m of a.matchAll(PLACEHOLDER)) {
        if (!BUILTIN_PLACEHOLDERS.includes(m[1]) && !(m[1] in spec.options)) {
          throw new UserError(
            `${at}.command[${j}]: placeholder {${m[1]}} is neither an option of this stage (options: ${Object.keys(spec.options).join(', ') || 'none'}) nor one of ${BUILTIN_PLACEHOLDERS.join(', ')}`,
          );
        }
      }
    }
    const d = commandStageDefaults(spec.stage);
    const resolved: StageSpec = {
      ...spec,
      cwd: isAbsolute(cwd) ? cwd : resolve(cwd),
      reads: spec.reads ?? d.reads,
      writes: spec.writes ?? d.writes,
    };
    registerProfileStage(commandStageDefinition(resolved));
    return resolved;
  });
  return { ...profile, stages };
}
