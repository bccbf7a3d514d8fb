/**
 * The JSON Schemas published in schemas/ (results.json and the profile YAML), generated from the zod schemas so they
 * cannot drift: `make schemas` writes them, test/unit/json-schemas.test.ts fails when a committed file is stale.
 */
import { z } from 'zod/v4';
import { runResultsSchema } from './results-schema.js';
import { profileJsonSchema } from '../profile/profile-json-schema.js';

/** A published schema: its path in the repository and its text. */
export interface PublishedSchema {
  path: string;
  text: string;
}

/** Every published schema, as the files should read (async: the profile's loads every stage for its options). */
export async function publishedSchemas(): Promise<PublishedSchema[]> {
  // io: 'input' leaves objects open (additionalProperties unset): a newer writer may add fields.
  const results = z.toJSONSchema(runResultsSchema, { io: 'input', reused: 'ref' });
  const text = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;
  return [
    { path: 'schemas/results.schema.json', text: text(results) },
    { path: 'schemas/profile.schema.json', text: text(await profileJsonSchema()) },
  ];
}
