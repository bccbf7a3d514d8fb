/** Read YAML files users write (profiles, pricing, simulator config) with errors that name the file, line and key. */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { UserError } from './user-error.js';

/**
 * Parse the YAML file at `path` into plain JS. `what` names the file's role in the can't-read message; `shown` is how
 * the path appears in messages (default: as given).
 */
export function readYamlFile(path: string, what: string, shown = path): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${shown}: cannot read ${what} (${(e as Error).message})`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const pos = doc.errors[0].linePos?.[0];
    // yaml's first line ends "at line L, column C:" before a snippet: the position goes up front, the offending line after.
    const what = doc.errors[0].message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
    const src = pos ? text.split(/\r?\n/)[pos.line - 1]?.trim() : undefined;
    throw new UserError(`${shown}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${what}${src ? ` (in "${src.length > 60 ? `${src.slice(0, 60)}…` : src}")` : ''}`);
  }
  return doc.toJS() as unknown;
}

/** Format a zod issue path the way users write YAML keys: stages[1].options.k */
export function formatKeyPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}
