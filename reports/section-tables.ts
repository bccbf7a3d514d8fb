/**
 * Any section as CSV tables: each list of objects in it becomes one table of its scalar fields (nested plain objects
 * as "key.sub" columns; an item holding a list of objects becomes one row per child). Generic on purpose, so a new
 * section or field shows up in csv/ without code here; the typed reports read the fields themselves.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isObjList = (v: unknown): v is Obj[] => Array.isArray(v) && v.length > 0 && v.every(isObj);
const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** A table found in a section. */
export interface SectionTable {
  /** "" for the section itself, else the list's key inside it (e.g. "projections"). */
  part: string;
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Scalars of an object, and of its nested plain objects as "key.sub" (e.g. latencyMs.p95). */
function scalarsOf(o: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (isScalar(v)) out[k] = v;
    else if (isObj(v)) for (const [k2, v2] of Object.entries(v)) if (isScalar(v2)) out[`${k}.${k2}`] = v2;
  }
  return out;
}

/** Rows of a list; an item holding a list of objects (levels, components, points) becomes one row per child. */
function flattenRows(items: Obj[]): Record<string, unknown>[] {
  return items.flatMap((item) => {
    const own = scalarsOf(item);
    const children = Object.values(item).find(isObjList);
    return children ? children.map((c) => ({ ...own, ...scalarsOf(c) })) : [own];
  });
}

/** The tables of one section value: itself when it is a list, else each list of objects it holds. */
export function sectionAsTables(section: unknown): SectionTable[] {
  const lists: [string, Obj[]][] = isObjList(section)
    ? [['', section]]
    : isObj(section)
      ? Object.entries(section).filter((e): e is [string, Obj[]] => isObjList(e[1]))
      : [];
  const out: SectionTable[] = [];
  for (const [part, items] of lists) {
    const rows = flattenRows(items);
    const columns: string[] = [];
    for (const row of rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
    if (rows.length && columns.length) out.push({ part, columns, rows });
  }
  return out;
}
