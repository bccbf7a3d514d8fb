/**
 * What every API stage shares for reliability: which endpoint answers (part of every cache key, so a simulated
 * answer is never served as a real one), retries for malformed 200 responses (the SDK retries only 429/5xx and
 * connection errors), and one failure-log line per failed item with the run id and scale.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StageContext } from '../contracts.js';
import { API_COUNTERS, failureKind, type ApiStageOptions } from './openai-client.js';

/** Default base URL of the openai SDK. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Who answers this stage's calls, as it goes into cache keys and reports: "simulated" for the harness's in-process
 * simulator (option answeredBy, set by the harness), else "env:" + the base URL the SDK will call.
 */
export function answerSource(o: Pick<ApiStageOptions, 'baseURL'> & { answeredBy?: string }): string {
  if (o.answeredBy) return o.answeredBy;
  return `env:${(o.baseURL ?? process.env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '')}`;
}

/** Counter: malformed answers retried. */
export const MALFORMED_RETRIES = 'malformedRetries';

/** An answer that arrived but cannot be used (wrong count, undecodable vector): retried like a malformed one. */
export class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
}

const isMalformed = (err: unknown): boolean => err instanceof MalformedAnswerError || failureKind(err) === 'malformed';

/** Run `call`, retrying malformed answers up to `maxRetries` more times; other errors (already retried by the SDK) pass through. */
export async function retryMalformed<T>(call: () => Promise<T>, maxRetries: number, ctx: StageContext): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isMalformed(err) || attempt >= maxRetries) throw err;
      ctx.count(API_COUNTERS.retries);
      ctx.count(MALFORMED_RETRIES);
    }
  }
}

/** The failure kind for an error, "malformed" for MalformedAnswerError. */
export function kindOf(err: unknown): string {
  return err instanceof MalformedAnswerError ? 'malformed' : failureKind(err);
}

/** One failed item, as a JSON line in the stage's failure log. */
export interface FailureLine {
  stage: string;
  model: string;
  item: number;
  kind: string;
  message: string;
  /** Rows of this call (the scale). */
  scale: number;
}

/** The failure log of a stage: the option, else <cacheDir>/failures/<stage>.jsonl. */
export function failureLogPath(o: { failureLog?: string; cacheDir: string }, stage: string): string {
  return o.failureLog ?? join(o.cacheDir, 'failures', `${stage.replace('/', '-')}.jsonl`);
}

/** Append one failure line with the run id (CLUSTERBENCH_RUN_ID, set by the sweep) and the time. */
export function logFailure(path: string, f: FailureLine): void {
  mkdirSync(dirname(path), { recursive: true });
  const line = {
    at: new Date().toISOString(),
    runId: process.env.CLUSTERBENCH_RUN_ID ?? null,
    ...f,
    message: f.message.slice(0, 500),
  };
  appendFileSync(path, `${JSON.stringify(line)}\n`);
}
