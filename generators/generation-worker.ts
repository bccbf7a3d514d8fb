/**
 * Piscina task for parallel generation: build conversations [start, end) of a run and encode them for the writer
 * (JSONL bytes or Arrow columns), plus their statistics when asked. Results move back by transfer. Each batch is a
 * pure function of (options, start, end), so the file is byte-identical whatever the number of workers.
 */
import { Piscina, transferableSymbol, valueSymbol } from 'piscina';
import { createConversationSource, type ConversationSource, type GeneratorOptions } from './synthetic-conversations.js';
import { encodeBatch, encodedBuffers, type EncodedBatch } from './conversation-writers.js';
import { GenerationStats, type GenerationStatsPart } from './generation-stats.js';
import type { Conversation } from '../pipeline/contracts.js';

/** One batch to generate. */
export interface GenerationTask {
  options: GeneratorOptions;
  start: number;
  end: number;
  format: 'arrow' | 'jsonl';
  stats: boolean;
}

/** What a task returns. */
export interface GenerationTaskResult {
  encoded: EncodedBatch;
  stats?: GenerationStatsPart;
}

let cached: { key: string; src: ConversationSource } | undefined;

export default function generateBatch(task: GenerationTask): unknown {
  const key = JSON.stringify(task.options);
  if (cached?.key !== key) cached = { key, src: createConversationSource(task.options) };
  const batch: Conversation[] = [];
  for (let i = task.start; i < task.end; i++) batch.push(cached.src.at(i));
  let stats: GenerationStatsPart | undefined;
  if (task.stats) {
    const s = new GenerationStats();
    for (const c of batch) s.add(c);
    stats = s.toPart();
  }
  const encoded = encodeBatch(batch, task.format);
  const transfer = encodedBuffers(encoded);
  if (stats) transfer.push(stats.hashes.buffer as ArrayBuffer, stats.lengths.buffer as ArrayBuffer);
  const result: GenerationTaskResult = { encoded, stats };
  return Piscina.move({ [transferableSymbol]: transfer, [valueSymbol]: result });
}
