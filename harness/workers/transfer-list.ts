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
