/**
 * The JSON Schemas published in schemas/ (results.json; the profile joins later), generated from the zod schemas
 * so they cannot drift: `make schemas` writes them, test/unit/json-schemas.test.ts fails when a committed file is stale.
 */
import { z } from 'zod/v4';
import { runResultsSchema } from './results-schema.js';

/** A published schema: its path in the repository and its text. */
export interface PublishedSchema {
  path: string;
  text: string;
}

/** Every published schema, as the files should read. */
export function publishedSchemas(): PublishedSchema[] {
  // io: 'input' leaves objects open (additionalProperties unset): a newer writer may add fields.
  const results = z.toJSONSchema(runResultsSchema, { io: 'input', reused: 'ref' });
  return [{ path: 'schemas/results.schema.json', text: `${JSON.stringify(results, null, 2)}\n` }];
}
