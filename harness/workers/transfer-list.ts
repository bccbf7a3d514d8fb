/** Collect the ArrayBuffers behind PipelineData so it crosses threads by transfer, never by structured clone. */
import type { PipelineData } from '../types.js';

/** Unique, transferable ArrayBuffers referenced by the data's typed arrays. */
export function pipelineBuffers(data: PipelineData): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (v: ArrayBufferView | undefined): void => {
    if (v && v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) seen.add(v.buffer);
  };
  add(data.conversations?.bytes);
  add(data.conversations?.offsets);
  add(data.summaries?.bytes);
  add(data.summaries?.offsets);
  add(data.embeddings?.data);
  add(data.reduced?.data);
  add(data.labels);
  add(data.membership);
  add(data.outlierScores);
  add(data.projection?.data);
  add(data.truth);
  for (const h of data.hierarchy ?? []) add(h);
  return [...seen];
}
