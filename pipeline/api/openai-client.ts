/**
 * What the API stages (summarise/llm, embed/openai) share: their common options, an `openai` SDK client whose
 * fetch counts every HTTP attempt (so the SDK's own maxRetries retries, 429s and 5xx show up in the stage
 * counters), and a classification of per-item failures.
 *
 * Where requests go: the stage's `baseURL`/`apiKey` options (the harness injects them for `api: simulated`), else
 * OPENAI_BASE_URL / OPENAI_API_KEY from the environment (worker threads inherit it), else api.openai.com.
 */
import OpenAI from 'openai';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod/v4';
import type { StageContext } from '../contracts.js';
import { UserError } from '../support/user-error.js';

/** Counter names the API stages write into StageRecord.counters. Token counters are in token-counter.ts. */
export const API_COUNTERS = {
  /** HTTP attempts, retries included. */
  requests: 'requests',
  /** Attempts after the first for the same call (the SDK's maxRetries at work). */
  retries: 'retries',
  http429: 'http429',
  http5xx: 'http5xx',
  http4xx: 'http4xx',
  /** Attempts that got no HTTP response (reset, refused, timed out). */
  networkErrors: 'networkErrors',
  /** Items (conversations, or texts for embeddings) that failed after all retries. */
  errors: 'errors',
  cacheHits: 'cacheHits',
  cacheMisses: 'cacheMisses',
  /** Wall time (ms) from the first call to the last answer: throughput without SDK, tokenizer and cache loading. */
  callPhaseMs: 'callPhaseMs',
} as const;

/** Observation names (ms unless noted) the API stages record; the harness reports p50/p95/p99. */
export const API_OBSERVATIONS = {
  /** One logical call (one item, or one embeddings batch), retries and backoff included. */
  latencyMs: 'latencyMs',
  /** Streaming only: call start to the first content token (SDK retries and their waits included). */
  ttfbMs: 'ttfbMs',
  /** Completion tokens per second after the first token (streaming), or over the whole call (non-streaming). */
  tokensPerSec: 'tokensPerSec',
} as const;

/** Options every API stage takes (zod shape, merged into each stage's schema). */
export const apiStageOptionShape = {
  model: z.string().min(1, 'must not be empty'),
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1; default OPENAI_BASE_URL, else api.openai.com. */
  baseURL: z.string().url('must be a URL such as http://127.0.0.1:8080/v1').optional(),
  /** Prefer the OPENAI_API_KEY environment variable; this option exists for the in-process simulator. */
  apiKey: z.string().optional(),
  /** Calls in flight at once (p-limit). */
  concurrency: z.number().int('must be an integer').min(1, 'must be >= 1').max(1000, 'must be <= 1000').default(8),
  /** The SDK's retries per call (429, 5xx, connection errors), honouring retry-after(-ms). */
  maxRetries: z.number().int('must be an integer').min(0, 'must be >= 0').max(20, 'must be <= 20').default(2),
  /** Per-attempt timeout, ms. */
  timeoutMs: z.number().positive('must be > 0 ms').default(60_000),
  /** Fraction of items allowed to fail before the stage itself fails (0 = any failure fails it). */
  failureBudget: z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0.05),
  /** Disk cache (and checkpoint): answers are appended per item, so a re-run is free and an interrupted run resumes. */
  cache: z.boolean().default(true),
  cacheDir: z.string().min(1).default('.cache/clusterbench'),
  /** Who answers, for cache keys and reports; the harness sets "simulated" for its simulator (default: env + base URL). */
  answeredBy: z.string().min(1).optional(),
  /** JSON-lines file for per-item failures; default <cacheDir>/failures/<stage>-<method>.jsonl. */
  failureLog: z.string().optional(),
};

/** The parsed common options. */
export interface ApiStageOptions {
  model: string;
  baseURL?: string;
  apiKey?: string;
  concurrency: number;
  maxRetries: number;
  timeoutMs: number;
  failureBudget: number;
  cache: boolean;
  cacheDir: string;
  answeredBy?: string;
  failureLog?: string;
}

/** The SDK's own log lines ("Could not parse message into JSON", retry notices) go to <cacheDir>/logs/openai-sdk.log, not the progress output. */
export function sdkLogger(cacheDir: string): {
  error: (...a: unknown[]) => void;
  warn: (...a: unknown[]) => void;
  info: (...a: unknown[]) => void;
  debug: (...a: unknown[]) => void;
} {
  const path = join(cacheDir, 'logs', 'openai-sdk.log');
  const write =
    (level: string) =>
    (...args: unknown[]): void => {
      try {
        mkdirSync(dirname(path), { recursive: true });
        appendFileSync(
          path,
          `${new Date().toISOString()} ${level} ${args
            .map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))
            .join(' ')
            .slice(0, 2000)}\n`,
        );
      } catch {
        // A log that cannot be written must not fail the call it describes.
      }
    };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') };
}

/** An SDK client whose every HTTP attempt is counted in ctx. */
export function createCountingClient(opts: ApiStageOptions, ctx: StageContext): OpenAI {
  const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY;
  if (!apiKey)
    throw new UserError(
      'no API key: set OPENAI_API_KEY, or use `api: simulated` in the profile to run against the built-in simulator',
    );
  const countingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    ctx.count(API_COUNTERS.requests);
    // The SDK numbers its attempts in this header: anything above 0 is one of its retries.
    if (Number(new Headers(init?.headers).get('x-stainless-retry-count') ?? 0) > 0) ctx.count(API_COUNTERS.retries);
    try {
      const res = await fetch(input, init);
      if (res.status === 429) ctx.count(API_COUNTERS.http429);
      else if (res.status >= 500) ctx.count(API_COUNTERS.http5xx);
      else if (res.status >= 400) ctx.count(API_COUNTERS.http4xx);
      return res;
    } catch (e) {
      ctx.count(API_COUNTERS.networkErrors);
      throw e;
    }
  };
  return new OpenAI({
    apiKey,
    baseURL: opts.baseURL ?? process.env.OPENAI_BASE_URL ?? undefined,
    maxRetries: opts.maxRetries,
    timeout: opts.timeoutMs,
    fetch: countingFetch,
    logger: sdkLogger(opts.cacheDir),
    logLevel: 'warn',
  });
}

/** A short name for why a call failed: http429, http500, timeout, connection, malformed, aborted, other. */
export function failureKind(err: unknown): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof OpenAI.APIUserAbortError) return 'aborted';
  if (err instanceof OpenAI.APIConnectionError) return 'connection';
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') return `http${err.status}`;
  if (err instanceof SyntaxError || /JSON|Unexpected (token|end)/i.test(String((err as Error)?.message)))
    return 'malformed';
  return 'other';
}

/** Throw when the failures exceed the stage's budget; the message says how many, of what kind, and how to relax it. */
export function enforceFailureBudget(
  stage: string,
  failed: number,
  total: number,
  budget: number,
  kinds: Map<string, number>,
  firstError?: string,
): void {
  if (failed === 0 || failed <= budget * total) return;
  const byKind = [...kinds.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
  throw new Error(
    `${stage}: ${failed} of ${total} items failed (${((failed / total) * 100).toFixed(1)}%), above the failure budget ${(budget * 100).toFixed(1)}% ` +
      `[${byKind}]${firstError ? `; first error: ${firstError.replace(/\.+$/, '')}` : ''}. Raise options.failureBudget or fix the endpoint; completed items are cached, so a re-run resumes.`,
  );
}
