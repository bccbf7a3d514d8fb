/**
 * The JSON Schema of a profile file (schemas/profile.schema.json), generated from the zod schemas so it cannot
 * drift: profile-schema.ts for the keys, and each registered stage's `options` schema for what its `options:` may
 * hold. A stage entry gets one if/then per stage and method, so an editor (yaml-language-server, via the modeline at
 * the top of each shipped profile) completes and checks `options` keys for `stage: cluster, method: kmeans`.
 * What it cannot say (ascending scales, module files, command programs) the loader still checks.
 */
import { z } from 'zod/v4';
import { profileSchema, stageSpecSchema } from './profile-schema.js';
import { loadRegisteredStages } from '../../pipeline/stage-registry.js';
import { MODULE_PREFIX } from '../../pipeline/user-stage-module.js';

type JsonSchema = z.core.JSONSchema.JSONSchema;

// draft-07: the version editors' YAML and JSON language servers support best.
const TARGET = 'draft-7';

/** The per-stage rules: method names per kind (unless a command stage names its own), options per kind and method. */
async function stageRules(): Promise<JsonSchema[]> {
  const byKind = new Map<string, string[]>();
  const options: JsonSchema[] = [];
  for (const def of await loadRegisteredStages()) {
    const { kind, method } = def;
    byKind.set(kind, [...(byKind.get(kind) ?? []), method]);
    if (!def.options) continue;
    const schema = z.toJSONSchema(def.options, { io: 'input', target: TARGET });
    delete schema.$schema; // a sub-schema of the profile's
    options.push({
      if: { properties: { stage: { const: kind }, method: { const: method } }, required: ['stage', 'method'] },
      then: { properties: { options: { description: `Options of ${kind}/${method}.`, ...schema } } },
    });
  }
  const methods: JsonSchema[] = [...byKind].map(([kind, names]) => ({
    if: { properties: { stage: { const: kind }, command: false }, required: ['stage'] },
    then: {
      properties: {
        method: {
          anyOf: [{ enum: names }, { type: 'string', pattern: `^${MODULE_PREFIX}` }],
          description: `A built-in ${kind} method, or ${MODULE_PREFIX}./path/to/stage.js`,
        },
      },
    },
  }));
  return [...methods, ...options];
}

/** The profile's JSON Schema, as schemas/profile.schema.json should read. */
export async function profileJsonSchema(): Promise<JsonSchema> {
  const rules = await stageRules();
  return z.toJSONSchema(profileSchema, {
    io: 'input',
    target: TARGET,
    override: (ctx) => {
      if (ctx.zodSchema === stageSpecSchema) ctx.jsonSchema.allOf = rules;
    },
  });
}
