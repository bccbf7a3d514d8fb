/**
 * Errors for bad input files. Every message names the file, the line (or Arrow row / JSON array element), the field,
 * what was found and what was expected, e.g.
 * `chats.jsonl:12: field "messages[1].content": got number; expected a string`.
 */

/** Where a record sits in its file: "line 12", "row 12" (Arrow) or "element 12" (JSON array). */
export interface RecordPlace {
  file: string;
  /** 1-based. */
  number: number;
  unit: 'line' | 'row' | 'element';
}

/** An Error that also carries where and what, for --skip-invalid reports and tests. */
export interface InputError extends Error {
  file: string;
  line: number;
  unit: RecordPlace['unit'];
  field?: string;
  /** The message without the file and line prefix. */
  problem: string;
}

/** Describe a JSON value's type for "got ..." messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Build an InputError. It is a plain Error (the CLI prints plain Errors as one line, without a stack). */
export function inputError(place: RecordPlace, problem: string, field?: string): InputError {
  const where =
    place.unit === 'line' ? `${place.file}:${place.number}` : `${place.file}: ${place.unit} ${place.number}`;
  const body = field !== undefined ? `field "${field}": ${problem}` : problem;
  return Object.assign(new Error(`${where}: ${body}`), {
    file: place.file,
    line: place.number,
    unit: place.unit,
    field,
    problem: body,
  });
}

/** Thrown by the format parsers with a field path; the caller adds the place. */
export class FieldProblem extends Error {
  constructor(
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(field ? `field "${field}": ${problem}` : problem);
  }
}

/** Require an object. */
export function asObject(v: unknown, field: string | undefined, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FieldProblem(field, `got ${jsonType(v)}; expected ${what}`);
  return v as Record<string, unknown>;
}

/** Require a field to be present and a string. */
export function requireString(o: Record<string, unknown>, key: string, path: string, what = 'a string'): string {
  const v = o[key];
  if (v === undefined) throw new FieldProblem(path, `missing; expected ${what}`);
  if (typeof v !== 'string') throw new FieldProblem(path, `got ${jsonType(v)}; expected ${what}`);
  return v;
}

/** Require a field to be a non-empty array. */
export function requireArray(o: Record<string, unknown>, key: string, path: string, what: string): unknown[] {
  const v = o[key];
  if (v === undefined) throw new FieldProblem(path, `missing; expected ${what}`);
  if (!Array.isArray(v)) throw new FieldProblem(path, `got ${jsonType(v)}; expected ${what}`);
  if (v.length === 0) throw new FieldProblem(path, `is empty; expected ${what} with at least one message`);
  return v;
}
