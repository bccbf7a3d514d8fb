/**
 * Stage options: each stage declares a zod/v4 schema (`StageDefinition.options`) from the profile's raw mapping to
 * its options with defaults applied; this file is the one place that validates them, for the profile loader, the
 * workers and every other caller. Unknown keys are refused (also for a user module's plain `z.object`), and each
 * problem is one line naming the key path. The builders below give the built-in stages one wording per kind of check.
 */
import { z } from 'zod/v4';
import type { StageDefinition } from './contracts.js';
import { UserError } from './support/user-error.js';
import { ifPresent, issueLines, issueText, type IssueLine } from './support/zod-issues.js';

/** The object schema that reads the raw options (a stage's schema, or the object a pipe starts from). */
function inputObject(schema: z.core.$ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe) return inputObject(schema.in);
  return undefined;
}

/**
 * The option names a stage accepts, in schema order; undefined when any key is accepted (no schema, or one that is
 * not an object, or an object with a catchall such as z.looseObject).
 */
export function optionKeys(def: Pick<StageDefinition<unknown>, 'options'>): string[] | undefined {
  const obj = def.options ? inputObject(def.options) : undefined;
  if (!obj) return undefined;
  const catchall = obj._zod.def.catchall;
  if (catchall !== undefined && !(catchall instanceof z.ZodNever)) return undefined;
  return Object.keys(obj.shape);
}

/** The outcome of checking a stage's options: the parsed options, or every problem (paths relative to `options`). */
export type OptionsCheck<O> = { ok: true; value: O } | { ok: false; issues: IssueLine[] };

/** Validate raw profile options against a stage's schema: unknown keys refused, defaults applied. */
export function checkStageOptions<O>(def: StageDefinition<O>, raw: Record<string, unknown>): OptionsCheck<O> {
  const schema = def.options;
  // No schema (a command stage, or a module without one): the options go to the stage as written.
  if (!schema) return { ok: true, value: raw as O };
  const keys = optionKeys(def);
  const unknown = keys ? Object.keys(raw).filter((k) => !keys.includes(k)) : [];
  const unknownMessage = `unknown option for ${def.kind}/${def.method}; valid: ${keys?.join(', ') || '(none)'}`;
  const issues: IssueLine[] = unknown.map((k) => ({ path: [k], message: unknownMessage, unknownKey: true }));
  // Each unknown key is reported once: the schema (strict or not) sees only the known ones.
  const known =
    unknown.length > 0 ? Object.fromEntries(Object.entries(raw).filter(([k]) => !unknown.includes(k))) : raw;
  const parsed = schema.safeParse(known);
  if (parsed.success && issues.length === 0) return { ok: true, value: parsed.data };
  if (!parsed.success)
    issues.push(
      ...issueLines(parsed.error.issues, {
        unknownKey: (_k, at) => (at.length === 0 ? unknownMessage : 'unknown key'),
      }),
    );
  return { ok: false, issues };
}

/**
 * Parse a stage's raw options; throws a UserError with one line per problem, each `WHERE.key: message`
 * (`where` defaults to "options", so "options.k: must be a positive integer ...").
 */
export function parseStageOptions<O>(def: StageDefinition<O>, raw: Record<string, unknown>, where = 'options'): O {
  const r = checkStageOptions(def, raw);
  if (r.ok) return r.value;
  throw new UserError(r.issues.map((i) => issueText(i, [where])).join('\n'));
}

/** An integer >= min (and <= max), one message for every way it can be wrong. */
export function integerOption(min: number, max?: number, message?: string): z.ZodNumber {
  const m =
    message ??
    (max !== undefined
      ? `must be an integer in ${min}..${max}`
      : min === 1
        ? 'must be a positive integer'
        : `must be an integer >= ${min}`);
  const n = z
    .number({ error: ifPresent(m) })
    .int({ error: m })
    .min(min, { error: m });
  return max !== undefined ? n.max(max, { error: m }) : n;
}

/** A number >= min (or > min when `exclusive`), optionally <= max. */
export function numberOption(
  min: number,
  o: { exclusive?: boolean; max?: number; message?: string } = {},
): z.ZodNumber {
  const m =
    o.message ?? `must be a number ${o.exclusive ? '>' : '>='} ${min}${o.max !== undefined ? ` and <= ${o.max}` : ''}`;
  const n = z.number({ error: ifPresent(m) });
  const low = o.exclusive ? n.gt(min, { error: m }) : n.min(min, { error: m });
  return o.max !== undefined ? low.max(o.max, { error: m }) : low;
}

/** true or false. */
export function booleanOption(): z.ZodBoolean {
  return z.boolean({ error: ifPresent('must be true or false') });
}

/** One of `values`; the message lists them ("must be a, b or c") unless given. */
export function enumOption<const T extends readonly [string, ...string[]]>(
  values: T,
  message?: string,
): z.ZodEnum<{ [K in T[number]]: K }> {
  const m =
    message ??
    `must be ${values.length === 1 ? values[0] : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`}`;
  return z.enum(values, { error: ifPresent(m) });
}

/** The `field` option of the text stages (embedders, labellers): which text column to read. */
export function textFieldOption(): z.ZodDefault<z.ZodEnum<{ summaries: 'summaries'; conversations: 'conversations' }>> {
  return enumOption(['summaries', 'conversations'], 'must be "summaries" or "conversations"').default('summaries');
}
