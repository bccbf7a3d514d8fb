/**
 * Stages from the user's own ESM module (`method: module:./stages/my-cluster.js` in a profile): load the file and
 * check that what it exports is a stage definition with the same contract as the built-in stages. The profile
 * loader turns the path into an absolute one, so workers and child processes load the same file.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StageDefinition, StageKind } from './contracts.js';
import { fieldSpec, isPipelineField, STAGE_FIELD_NAMES } from './pipeline-fields.js';
import { UserError } from './support/user-error.js';
import { z } from 'zod/v4';

/** The prefix of a module stage's method. */
export const MODULE_PREFIX = 'module:';

const KINDS: StageKind[] = ['summarise', 'embed', 'reduce', 'cluster', 'meta-cluster', 'label', 'project', 'probe'];
// `description` is accepted for definitions that carry a note.
const KNOWN_KEYS = [
  'kind',
  'method',
  'reads',
  'writes',
  'options',
  'splittable',
  'rowBatches',
  'usesApi',
  'run',
  'description',
];

/** Throw unless `def` is a usable stage definition of `kind`; `where` starts each message (the module's path). */
export function checkStageDefinition(
  def: unknown,
  kind: StageKind,
  where: string,
): asserts def is StageDefinition<unknown> {
  if (typeof def !== 'object' || def === null)
    throw new UserError(`${where}: the export is ${def === null ? 'null' : typeof def}, not a stage definition object`);
  const d = def as Record<string, unknown>;
  // parseOptions(raw) was the contract before options schemas: say what replaced it rather than "unknown field".
  if (d.parseOptions !== undefined)
    throw new UserError(
      `${where}: parseOptions is no longer supported; export options: a zod/v4 schema instead (import { z } from 'zod/v4'; options: z.strictObject({ k: z.number().int().min(1).default(8) }))`,
    );
  const unknownKeys = Object.keys(d).filter((k) => !KNOWN_KEYS.includes(k));
  if (unknownKeys.length > 0)
    throw new UserError(
      `${where}: unknown field(s) ${unknownKeys.map((k) => `"${k}"`).join(', ')} in the stage definition; known: ${KNOWN_KEYS.join(', ')}`,
    );
  if (typeof d.kind !== 'string' || !KINDS.includes(d.kind as StageKind))
    throw new UserError(`${where}: kind must be one of ${KINDS.join(', ')} (got ${JSON.stringify(d.kind)})`);
  if (d.kind !== kind)
    throw new UserError(
      `${where}: the module's stage is a ${d.kind} stage, but the profile lists it as stage: ${kind}`,
    );
  if (typeof d.method !== 'string' || d.method === '')
    throw new UserError(`${where}: method must be a non-empty string`);
  for (const key of ['reads', 'writes'] as const) {
    const v = d[key];
    if (!Array.isArray(v))
      throw new UserError(`${where}: ${key} must be a list of pipeline fields (${STAGE_FIELD_NAMES.join(', ')})`);
    const bad = v.filter((f) => typeof f !== 'string' || !isPipelineField(f));
    if (bad.length > 0)
      throw new UserError(
        `${where}: ${key}: unknown field(s) ${bad.map((f) => JSON.stringify(f)).join(', ')}; valid: ${STAGE_FIELD_NAMES.join(', ')}`,
      );
    const truth = v
      .filter((f): f is string => typeof f === 'string')
      .find((f) => isPipelineField(f) && fieldSpec(f).scoringOnly);
    if (truth)
      throw new UserError(
        `${where}: ${key}: ${truth} is ground truth for scoring only; a stage may neither read nor write it`,
      );
  }
  if (d.splittable === true && Array.isArray(d.writes)) {
    const whole = d.writes.filter((f: string) => isPipelineField(f) && fieldSpec(f).rows === 'whole-scale');
    if (whole.length > 0)
      throw new UserError(
        `${where}: splittable: a stage split by rows writes per-row fields only; ${whole.join(', ')} ${whole.length === 1 ? 'is' : 'are'} one value for the whole scale (set splittable: false)`,
      );
  }
  const rb = d.rowBatches as Record<string, unknown> | undefined;
  if (
    rb !== undefined &&
    (typeof rb !== 'object' || rb === null || typeof rb.batchOptions !== 'function' || typeof rb.finish !== 'function')
  )
    throw new UserError(`${where}: rowBatches must be { batchOptions(options), finish(output, options) }`);
  if (typeof d.run !== 'function')
    throw new UserError(`${where}: run must be a function (input, options, ctx) => output`);
  if (d.options !== undefined && !(d.options instanceof z.ZodType))
    throw new UserError(
      `${where}: options must be a zod/v4 schema (import { z } from 'zod/v4'), e.g. z.strictObject({ k: z.number().int().min(1).default(8) })`,
    );
  for (const key of ['splittable', 'usesApi'] as const)
    if (d[key] !== undefined && typeof d[key] !== 'boolean')
      throw new UserError(`${where}: ${key} must be true or false`);
}

/** Load the stage a module exports: `export default`, `export const stage`, or its only export that has a run function. */
export async function loadModuleStage(kind: StageKind, path: string): Promise<StageDefinition<unknown>> {
  const abs = isAbsolute(path) ? path : resolve(path);
  if (!existsSync(abs)) throw new UserError(`module ${path}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`module ${path}: could not be imported: ${(e as Error).message}`);
  }
  let def = mod.default ?? mod.stage;
  if (def === undefined) {
    const candidates = Object.entries(mod).filter(
      ([, v]) => typeof v === 'object' && v !== null && typeof (v as { run?: unknown }).run === 'function',
    );
    if (candidates.length !== 1) {
      throw new UserError(
        `module ${path}: exports no stage definition (${candidates.length > 1 ? `several candidates: ${candidates.map(([k]) => k).join(', ')}` : `exports: ${Object.keys(mod).join(', ') || 'none'}`}); write \`export default { kind, method, reads, writes, run }\``,
      );
    }
    def = candidates[0][1];
  }
  checkStageDefinition(def, kind, `module ${path}`);
  return def;
}
