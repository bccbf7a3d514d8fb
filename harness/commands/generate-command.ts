/** `clusterbench generate`: stream synthetic conversations with ground truth to an Arrow or JSONL file. */
import os from 'node:os';
import { resolve } from 'node:path';
import { Piscina } from 'piscina';
import { performance } from 'node:perf_hooks';
import { createConversationSource, type GeneratorOptions } from '../../generators/synthetic-conversations.js';
import type { Conversation } from '../../pipeline/contracts.js';
import {
  createConversationWriter,
  encodeBatch,
  formatFromPath,
  type ConversationFileFormat,
} from '../../generators/conversation-writers.js';
import type { GenerationTask, GenerationTaskResult } from '../../generators/generation-worker.js';
import {
  formatGenerationStats,
  GenerationStats,
  type GenerationStatsReport,
} from '../../generators/generation-stats.js';
import { formatBytes, formatMs } from '../../pipeline/support/format-units.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { countFromText } from '../profile/count-flag.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** What generateToFile needs. */
export interface GenerateToFileOptions {
  out: string;
  format?: ConversationFileFormat;
  /** Generator options (n and seed included). */
  generator: GeneratorOptions;
  stats?: boolean;
  /** Called after each batch with the number written so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Generation worker threads (0 = generate in this thread). Default: up to 2 (the cores this project targets)
   * when n >= 20,000. The output is byte-identical for any value.
   */
  workers?: number;
}

/** Default worker count for n conversations. */
export function defaultGenerationWorkers(n: number): number {
  return n >= 20_000 ? Math.min(2, os.availableParallelism()) : 0;
}

/** What was written. */
export interface GenerateResult {
  path: string;
  conversations: number;
  bytes: number;
  wallMs: number;
  stats?: GenerationStatsReport;
}

/** Generate conversations into a file, batch by batch. The file appears under its name only when complete. */
export async function generateToFile(opts: GenerateToFileOptions): Promise<GenerateResult> {
  const src = createConversationSource(opts.generator); // validates the options before any file is created
  const { n, batchSize } = src.options;
  const format = opts.format ?? formatFromPath(opts.out);
  const workers = opts.workers ?? defaultGenerationWorkers(n);
  const writer = createConversationWriter(opts.out, format);
  const stats = opts.stats ? new GenerationStats() : undefined;
  const t0 = performance.now();
  const pool =
    workers > 0
      ? new Piscina({
          filename: new URL('../../generators/generation-worker.js', import.meta.url).href,
          minThreads: workers,
          maxThreads: workers,
        })
      : undefined;
  try {
    if (pool) {
      // Batches are generated in parallel and written in order; at most 2 per worker are in flight (flat memory).
      const inFlight: Promise<GenerationTaskResult>[] = [];
      let next = 0;
      let written = 0;
      const submit = (): void => {
        const task: GenerationTask = {
          options: opts.generator,
          start: next,
          end: Math.min(n, next + batchSize),
          format,
          stats: Boolean(stats),
        };
        inFlight.push(pool.run(task) as Promise<GenerationTaskResult>);
        next = task.end;
      };
      while (next < n && inFlight.length < workers * 2) submit();
      while (inFlight.length > 0) {
        const r = await inFlight.shift()!;
        if (next < n) submit();
        if (stats && r.stats) stats.merge(r.stats);
        await writer.writeEncoded(r.encoded);
        written += r.encoded.n;
        opts.onProgress?.(written, n);
      }
    } else {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const batch = new Array<Conversation>(end - start);
        for (let i = start; i < end; i++) batch[i - start] = src.at(i);
        if (stats) for (const c of batch) stats.add(c);
        await writer.writeEncoded(encodeBatch(batch, format));
        opts.onProgress?.(end, n);
      }
    }
    const bytes = await writer.close();
    return { path: opts.out, conversations: n, bytes, wallMs: performance.now() - t0, stats: stats?.report() };
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    await pool?.destroy();
  }
}

/** A progress bar on a TTY; nothing otherwise. */
function progressBar(stream: NodeJS.WriteStream): { update(done: number, total: number): void; done(): void } {
  if (!stream.isTTY) return { update() {}, done() {} };
  const t0 = performance.now();
  let last = 0;
  return {
    update(done, total) {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const frac = total ? done / total : 1;
      const rate = done / Math.max((now - t0) / 1000, 1e-3);
      const eta = rate > 0 ? (total - done) / rate : 0;
      const width = 30;
      const fill = Math.round(frac * width);
      stream.write(
        `\r\x1b[2K[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(100 * frac).toFixed(1)}% ${done}/${total}  ${Math.round(rate)} conv/s  ETA ${formatMs(eta * 1000)}`,
      );
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}

/** Parse a positive integer flag that may use k/m suffixes ("100k"). */
function parseCount(flag: string, text: string): number {
  const v = countFromText(text);
  if (!Number.isInteger(v) || v < 0)
    throw new UserError(`${flag}: "${text}" is not a non-negative integer (e.g. 100000, 100k, 1m)`);
  return v;
}

/** Options of the generate command, as commander gives them. */
export interface GenerateCommandOptions {
  n: string;
  seed: string;
  out: string;
  stats?: boolean;
  quiet?: boolean;
  difficulty?: string;
  intents?: string;
  domains?: string;
  languages?: string;
  zipf?: string;
  meanBytes?: string;
  batchSize?: string;
  workers?: string;
  options?: string;
}

/** Turn CLI flags into generator options; errors name the flag. */
export function generatorOptionsFromFlags(o: GenerateCommandOptions): GeneratorOptions {
  let extra: Record<string, unknown> = {};
  if (o.options !== undefined) {
    try {
      extra = JSON.parse(o.options) as Record<string, unknown>;
    } catch (err) {
      throw new UserError(`--options: not valid JSON (${(err as Error).message}); e.g. --options '{"typoRate":0.2}'`);
    }
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra))
      throw new UserError('--options: must be a JSON object, e.g. {"typoRate":0.2}');
  }
  const seed = Number(o.seed);
  if (!Number.isInteger(seed)) throw new UserError(`--seed: "${o.seed}" is not an integer`);
  const numFlag = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new UserError(`${flag}: "${v}" is not a number`);
    return x;
  };
  const g: Record<string, unknown> = { ...extra, n: parseCount('--n', o.n), seed };
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) g[k] = v;
  };
  set('difficulty', numFlag('--difficulty', o.difficulty));
  set('zipf', numFlag('--zipf', o.zipf));
  set('meanBytes', numFlag('--mean-bytes', o.meanBytes));
  set('batchSize', o.batchSize === undefined ? undefined : parseCount('--batch-size', o.batchSize));
  if (o.intents !== undefined)
    set('intents', /^\d+$/.test(o.intents) ? Number(o.intents) : o.intents.split(',').map((s) => s.trim()));
  if (o.domains !== undefined)
    set(
      'domains',
      o.domains.split(',').map((s) => s.trim()),
    );
  if (o.languages !== undefined)
    set(
      'languages',
      o.languages.split(',').map((s) => s.trim()),
    );
  return g as unknown as GeneratorOptions;
}

/** Run the generate command. */
export async function generateCommand(o: GenerateCommandOptions): Promise<GenerateResult> {
  const generator = generatorOptionsFromFlags(o);
  const out = resolve(o.out);
  const bar = o.quiet ? { update() {}, done() {} } : progressBar(process.stderr);
  const workers = o.workers === undefined ? undefined : Number(o.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64))
    throw new UserError(`--workers: "${o.workers}" must be an integer in [0, 64] (0 = generate in the main thread)`);
  const res = await generateToFile({ out, generator, stats: o.stats, workers, onProgress: (d, t) => bar.update(d, t) });
  bar.done();
  if (!o.quiet) {
    process.stderr.write(
      `wrote ${res.conversations} conversations to ${displayPath(out)} (${formatBytes(res.bytes)}) in ${formatMs(res.wallMs)}, ${Math.round(res.conversations / Math.max(res.wallMs / 1000, 1e-9))} conv/s\n`,
    );
  }
  if (res.stats) process.stdout.write(`${formatGenerationStats(res.stats)}\n`);
  return res;
}
