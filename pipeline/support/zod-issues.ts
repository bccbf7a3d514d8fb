/**
 * The one way zod problems become user-facing text (profiles, stage options, pricing, simulator config, results
 * files): one line per problem, each with the key path the user wrote (`stages[1].options.k`). An unknown key is a
 * line of its own whose path ends with that key, so a YAML reader can point at its line.
 */
import type { z } from 'zod/v4';
import { formatKeyPath } from './yaml-file.js';

/** One problem: where (a key path as zod reports it) and what is wrong. */
export interface IssueLine {
  path: PropertyKey[];
  message: string;
  /** Set when the problem is a key the schema does not know (the last path element). */
  unknownKey?: true;
}

/** How issueLines words what zod leaves generic. */
export interface IssueWording {
  /** The message for an unknown key `key` in the object at `at` (default "unknown key"). */
  unknownKey?: (key: string, at: PropertyKey[]) => string;
}

// A union fails for one branch's reasons when the input got inside only that branch (an issue below its root), or
// only that branch refused it by a check of its own (a custom issue); otherwise the union's message says it best.
function branchOf(errors: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const deep = errors.filter((issues) => issues.some((i) => i.path.length > 0));
  if (deep.length === 1) return deep[0];
  const custom = errors.filter((issues) => issues.some((i) => i.code === 'custom'));
  return deep.length === 0 && custom.length === 1 ? custom[0] : undefined;
}

// zod's own wording, made to read like ours: "Invalid input: expected number, received undefined" is a missing key.
function wording(message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  if (missing) return `missing (${missing[1]} expected)`;
  return message.replace(/^Invalid input: /, '');
}

/** Flatten zod issues into one line per problem; paths are prefixed with `base`. */
export function issueLines(
  issues: readonly z.core.$ZodIssue[],
  how: IssueWording = {},
  base: PropertyKey[] = [],
): IssueLine[] {
  const out: IssueLine[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: [...path, key], message: how.unknownKey?.(key, path) ?? 'unknown key', unknownKey: true });
      continue;
    }
    if (issue.code === 'invalid_union') {
      const branch = branchOf(issue.errors);
      if (branch) {
        out.push(...issueLines(branch, how, path));
        continue;
      }
    }
    out.push({ path, message: wording(issue.message) });
  }
  return out;
}

/** "key.path: message", the path as the user writes YAML keys under `prefix` ("(top level)" for the root). */
export function issueText(line: IssueLine, prefix: readonly PropertyKey[] = []): string {
  return `${formatKeyPath([...prefix, ...line.path])}: ${line.message}`;
}

/**
 * A custom message for a value that is present but wrong; a missing one keeps zod's wording, which issueLines
 * turns into "missing (T expected)". Use as `z.number({ error: ifPresent('must be ...') })`.
 */
export function ifPresent(message: string): (issue: { input?: unknown }) => string | undefined {
  return (issue) => (issue.input === undefined ? undefined : message);
}
