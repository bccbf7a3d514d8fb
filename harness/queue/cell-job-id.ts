/** Job ids from the cell spec, so that enqueueing the same cell twice is a no-op (BullMQ keeps one job per id). */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal specs hash equally whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `cell-<24 hex>`: BullMQ job ids must not contain ':' and must not be plain integers. */
export function cellJobId(spec: unknown): string {
  return `cell-${createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 24)}`;
}
