/** Collect the ArrayBuffers behind PipelineData so it crosses threads by transfer, never by structured clone. */
import type { PipelineData } from '../types.js';
import { entryViews, fieldEntries } from '../../pipeline/pipeline-fields.js';

/** Unique, transferable ArrayBuffers referenced by the data's typed arrays (every field of the field table). */
export function pipelineBuffers(data: PipelineData): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const e of fieldEntries(data)) {
    for (const v of entryViews(e)) if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) seen.add(v.buffer);
  }
  return [...seen];
}

/**
 * V8's serializer writes a typed array view's byte length in 32 bits, so a view of 4 GiB or more arrives truncated
 * (10M x 256 float32, 9.5 GiB, arrived in the worker as 1.5 GiB and cluster/minibatch-kmeans saw a short matrix),
 * while its transferred ArrayBuffer keeps its size. Such views cross threads as their buffer and are rebuilt.
 */
const VIEW_BYTES_LIMIT = 2 ** 32;

const VIEW_TYPES = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
} as const;
type ViewType = keyof typeof VIEW_TYPES;

/** A large typed array on its way to another thread. */
interface BoxedView {
  boxedView: ViewType;
  buffer: ArrayBuffer;
  byteOffset: number;
  length: number;
}

const isBoxedView = (v: object): v is BoxedView =>
  'boxedView' in v && typeof v.boxedView === 'string' && v.boxedView in VIEW_TYPES && 'buffer' in v;

function mapPlain(value: unknown, view: (v: ArrayBufferView) => unknown, box: (o: object) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) return view(value);
  const boxed = box(value);
  if (boxed !== undefined) return boxed;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((x: unknown) => {
      const y = mapPlain(x, view, box);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(value)) {
    const y = mapPlain(x, view, box);
    if (y !== x) (out ??= { ...value })[k] = y;
  }
  return out ?? value;
}

/** Replace typed arrays of 4 GiB or more in a message by their buffer (see VIEW_BYTES_LIMIT); others stay as they are. */
export function boxLargeViews<T>(message: T): T {
  return mapPlain(
    message,
    (v) => {
      const type = v.constructor.name;
      if (v.byteLength < VIEW_BYTES_LIMIT || !(type in VIEW_TYPES) || !(v.buffer instanceof ArrayBuffer)) return v;
      const boxed: BoxedView = {
        boxedView: type as ViewType,
        buffer: v.buffer,
        byteOffset: v.byteOffset,
        length: v.byteLength / (v as Float32Array).BYTES_PER_ELEMENT,
      };
      return boxed;
    },
    () => undefined,
  ) as T;
}

/** Rebuild the typed arrays boxLargeViews replaced. */
export function unboxLargeViews<T>(message: T): T {
  return mapPlain(
    message,
    (v) => v,
    (o) => (isBoxedView(o) ? new VIEW_TYPES[o.boxedView](o.buffer, o.byteOffset, o.length) : undefined),
  ) as T;
}
