/**
 * Where a run's API answers came from: per API stage, how many from the disk cache and how many from which
 * endpoint, so a run served from a simulator's cache can never pass for a real one. Goes to the progress log and
 * results.json `sections.apiAnswers`.
 */
import type { ApiAnswerSource, StageRecord } from '../types.js';
export type { ApiAnswerSource } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { API_COUNTERS } from '../../pipeline/api/openai-client.js';
import { answerSource } from '../../pipeline/api/api-reliability.js';

/** The section key. */
export const API_ANSWERS_SECTION = 'apiAnswers';

/** Sum the API stages' counters over the run's records. */
export async function apiAnswerSources(
  profile: SweepProfile,
  records: readonly StageRecord[],
): Promise<ApiAnswerSource[]> {
  const out: ApiAnswerSource[] = [];
  for (const spec of profile.stages) {
    const def = await loadStage(spec.stage, spec.method);
    if (!def.usesApi) continue;
    const mine = records.filter((r) => r.stage === spec.stage && r.method === spec.method);
    const sum = (k: string): number => mine.reduce((s, r) => s + (r.counters[k] ?? 0), 0);
    const simulated = profile.api?.mode === 'simulated' && spec.options.baseURL === undefined;
    const hits = sum(API_COUNTERS.cacheHits);
    const failed = sum(API_COUNTERS.errors);
    out.push({
      stage: `${spec.stage}/${spec.method}`,
      endpoint: simulated ? 'simulated' : answerSource(spec.options),
      fromCache: hits,
      fromEndpoint: Math.max(0, sum(API_COUNTERS.cacheMisses) - failed),
      failed,
    });
  }
  return out;
}

/** "summarise/llm: 590 answers from cache, 10 from env:https://api.openai.com/v1, 2 failed" */
export function describeAnswerSource(a: ApiAnswerSource): string {
  return `${a.stage}: ${a.fromCache} answers from cache, ${a.fromEndpoint} from ${a.endpoint}${a.failed ? `, ${a.failed} failed` : ''}`;
}
