// Writes the JSON Schemas of schemas/ from the compiled zod schemas (run `npx tsc` first; `make schemas` does both).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { publishedSchemas } from '../dist/harness/io/json-schemas.js';

for (const { path, text } of await publishedSchemas()) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
