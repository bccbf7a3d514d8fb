/** Read YAML files users write (profiles, pricing, simulator config) with errors that name the file, line and key. */
import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { UserError } from './user-error.js';

/** A parsed YAML file: its value as plain JS, and the line each key path was written on. */
export interface YamlFile {
  value: unknown;
  /** 1-based line of the key (or list item) at `path`; for a path that is not in the file, its nearest written parent's. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Parse the YAML file at `path`, keeping where each key is. `what` names the file's role in the can't-read message;
 * `shown` is how the path appears in messages (default: as given).
 */
export function readYamlDocument(path: string, what: string, shown = path): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${shown}: cannot read ${what} (${(e as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const pos = doc.errors[0].linePos?.[0];
    // yaml's first line ends "at line L, column C:" before a snippet: the position goes up front, the offending line after.
    const what = doc.errors[0].message
      .split('\n')[0]
      .replace(/ at line \d+, column \d+:?$/, '')
      .replace(/:$/, '');
    const src = pos ? text.split(/\r?\n/)[pos.line - 1]?.trim() : undefined;
    throw new UserError(
      `${shown}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${what}${src ? ` (in "${src.length > 60 ? `${src.slice(0, 60)}…` : src}")` : ''}`,
    );
  }
  const lineAt = (node: unknown): number | undefined => {
    const range = isNode(node) ? node.range : undefined;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  return {
    value: doc.toJS() as unknown,
    lineOf(keyPath) {
      let node: unknown = doc.contents;
      let line = lineAt(node);
      for (const key of keyPath) {
        if (isMap(node)) {
          const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(key));
          if (!pair) break;
          line = lineAt(pair.key) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
          node = node.items[key];
          line = lineAt(node) ?? line;
        } else break;
      }
      return line;
    },
  };
}

/** Parse the YAML file at `path` into plain JS (see readYamlDocument for `what` and `shown`). */
export function readYamlFile(path: string, what: string, shown = path): unknown {
  return readYamlDocument(path, what, shown).value;
}

/** Format a zod issue path the way users write YAML keys: stages[1].options.k */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}
