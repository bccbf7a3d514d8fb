/** Read YAML files users write (profiles, pricing, simulator config) with errors that name the file, line and key. */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

/**
 * Parse the YAML file at `path` into plain JS. `what` names the file's role in the can't-read message; `shown` is how
 * the path appears in messages (default: as given).
 */
export function readYamlFile(path: string, what: string, shown = path): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${shown}: cannot read ${what} (${(e as Error).message})`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const line = doc.errors[0].linePos?.[0].line;
    throw new Error(`${shown}${line ? `:${line}` : ''}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  return doc.toJS() as unknown;
}

/** Format a zod issue path the way users write YAML keys: stages[1].options.k */
export function formatKeyPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}
