/**
 * The shape of results.json as a zod schema: readResults checks a file against it once, and
 * scripts/write-json-schemas.mjs publishes it as schemas/results.schema.json. The TypeScript types in harness/types.ts
 * are the source of truth; the assertion at the bottom fails `tsc` when this schema asks for a field those types do
 * not have (a renamed field, say). Numbers may read back as null: JSON writes NaN and Infinity as null.
 */
import { z } from 'zod/v4';
import type { RunResults } from '../types.js';
import { issueLines, issueText } from '../../pipeline/support/zod-issues.js';

const num = z.number().nullable();
const int = z.number().int();
const obj = z.object;
const stageKind = z.enum(['summarise', 'embed', 'reduce', 'cluster', 'meta-cluster', 'label', 'project', 'probe']);
const cellStatus = z.enum(['ok', 'oom', 'timeout', 'error', 'skipped', 'degraded', 'superlinear']);
const percentiles = obj({ count: num, p50: num, p95: num, p99: num, mean: num, max: num });
const pair = z.tuple([num, num]);

const stageRecord = obj({
  scale: int,
  stage: stageKind,
  method: z.string(),
  repeat: int,
  status: cellStatus,
  reason: z.string().optional(),
  items: int,
  wallMs: num,
  cpuUserMs: num,
  cpuSystemMs: num,
  peakRssBytes: num,
  baselineRssBytes: num,
  peakHeapUsedBytes: num,
  peakArrayBuffersBytes: num,
  itemsPerSec: num,
  eventLoopUtilization: num.optional(),
  gc: obj({ count: num, totalMs: num, maxMs: num }).optional(),
  rssTimeline: z.array(obj({ tMs: num, rss: num })),
  workerMemory: z.array(obj({ tMs: num, heapUsed: num, arrayBuffers: num })),
  counters: z.record(z.string(), num),
  observations: z.record(z.string(), percentiles),
});

const bisection = obj({
  passScale: num,
  failScale: num,
  relativeWidth: num,
  tolerance: num,
  maxSteps: num,
  converged: z.boolean(),
  note: z.string().optional(),
  steps: z.array(
    obj({
      scale: num,
      status: cellStatus,
      passed: z.boolean(),
      wallMs: num,
      peakRssBytes: num,
      peakHeapUsedBytes: num,
      reason: z.string().optional(),
    }),
  ),
});

const breakingPoint = obj({
  stage: stageKind,
  method: z.string(),
  kind: z.enum(['oom', 'timeout', 'degraded', 'superlinear', 'error']),
  lastPassingScale: int.optional(),
  firstFailingScale: int,
  reason: z.string(),
  exponent: num.optional(),
  threshold: num.optional(),
  metric: z.string().optional(),
  value: num.optional(),
  floor: num.optional(),
  bisection: bisection.optional(),
});

const o = num.optional();
const quality = obj({
  ari: o,
  nmi: o,
  homogeneity: o,
  completeness: o,
  vMeasure: o,
  purity: o,
  reconstructionAccuracy: o,
  silhouette: o,
  silhouetteCi95: pair.optional(),
  silhouetteSampleSize: o,
  daviesBouldin: o,
  calinskiHarabasz: o,
  noiseFraction: o,
  clusterCount: o,
  clusterSizes: obj({ min: num, median: num, max: num, gini: num }).optional(),
  hierarchyDepth: o,
});

const machine = obj({
  hostname: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpuModel: z.string(),
  cores: int,
  totalMemBytes: num,
  nodeVersion: z.string(),
  v8Version: z.string(),
  gitCommit: z.string().nullable(),
  gitDirty: z.boolean().nullable(),
});

const checkpoints = obj({
  complete: z.boolean(),
  cells: z.array(
    obj({
      scale: int,
      stageIndex: int,
      stage: stageKind,
      method: z.string(),
      outcome: z.enum(['ok', 'failed', 'skipped']),
      file: z.string().optional(),
      bytes: num.optional(),
    }),
  ),
  resumedAt: z.array(z.string()),
});

const storage = obj({
  codecs: z.record(z.string(), z.string()),
  embeddingDims: num.optional(),
  scales: z.array(
    obj({
      scale: int,
      components: z.array(
        obj({
          component: z.string(),
          format: z.string(),
          bytes: num,
          bytesPerConversation: num,
          writeMs: num,
          verified: z.boolean(),
        }),
      ),
      totals: z.array(obj({ format: z.string(), bytes: num, bytesPerConversation: num })),
    }),
  ),
  projections: z.array(
    obj({
      format: z.string(),
      scale: num,
      bytes: num,
      bytesPerConversation: num,
      extrapolated: z.boolean(),
      fittedOn: z.array(num),
    }),
  ),
});

const clusterMap = obj({
  scale: int,
  total: int,
  points: z.array(obj({ x: num, y: num, cluster: int, topic: z.string().optional(), text: z.string().optional() })),
});

const topics = obj({
  scale: int,
  total: int,
  clusters: int,
  noise: int,
  limit: int,
  topics: z.array(
    obj({
      id: int,
      name: z.string(),
      terms: z.array(z.string()),
      size: int,
      share: num,
      examples: z.array(z.string()),
      parent: int.optional(),
      topIntent: obj({ name: z.string(), fraction: num }).optional(),
    }),
  ),
  parents: z.array(
    obj({ level: int, id: int, name: z.string(), size: int, parent: int.optional(), children: z.array(int) }),
  ),
  files: z.array(obj({ scale: int, file: z.string(), rows: int })),
});

const cost = obj({
  asOf: z.string(),
  pricingSources: z.array(z.string()),
  rows: z.array(
    obj({
      scale: int,
      stage: stageKind,
      method: z.string(),
      model: z.string().nullable(),
      items: int,
      tokens: obj({ input: num, output: num, embedding: num }),
      tokensPer1k: num,
      usd: z.string().optional(),
      usdPer1k: num.optional(),
      note: z.string().optional(),
    }),
  ),
});

const complexity = z.enum(['1', 'logn', 'n', 'nlogn', 'n^2', 'n^3']);
const lowUniqueInputs = z.array(obj({ scale: num, uniqueFraction: num })).optional();
const scaling = obj({
  targets: z.array(num),
  confidence: z.literal(0.95),
  lowUniqueInputs,
  fits: z.array(
    obj({
      stage: z.string(),
      metric: z.enum(['wallMs', 'cpuMs', 'memoryBytes', 'rssBytes']),
      measured: z.array(obj({ scale: num, value: num })),
      measuredMin: num,
      measuredMax: num,
      offset: num,
      candidates: z.array(obj({ complexity, coefficient: num, intercept: num.optional(), rms: num, nrms: num })),
      best: complexity.nullable(),
      bigO: z.string(),
      classNote: z.string().optional(),
      supported: z.boolean().optional(),
      reachMax: num.optional(),
      powerLaw: obj({ a: num, b: num, bCi95: pair.nullable(), r2: num, logResidualSd: num }).nullable(),
      estimates: z.array(
        obj({
          scale: num,
          estimate: num,
          low: num,
          high: num,
          classEstimate: num,
          basis: z.enum(['measured', 'interpolated', 'extrapolated', 'not-measured']),
          note: z.string().optional(),
        }),
      ),
    }),
  ),
});

const sampleStats = obj({
  n: int,
  median: num,
  min: num,
  max: num,
  mad: num,
  ci95: pair,
  modifiedZ: z.array(num),
  outliers: z.array(int),
});
const repeatStats = obj({
  warmup: int,
  repeats: int,
  bootstrapResamples: int,
  outlierZ: num,
  cells: z.array(
    obj({
      stage: z.string(),
      method: z.string(),
      scale: int,
      repeats: int,
      wallMs: sampleStats,
      cpuMs: sampleStats,
      peakRssBytes: sampleStats,
      peakHeapUsedBytes: sampleStats,
    }),
  ),
});

const hardwareCell = obj({
  value: num,
  low: num.optional(),
  high: num.optional(),
  basis: z.enum(['measured', 'interpolated', 'extrapolated', 'not-measured', 'unknown']),
  note: z.string().optional(),
});
const hardware = obj({
  machine: z.string(),
  safetyFactor: num,
  timeMetric: z.enum(['wall', 'cpu']),
  diskFormat: z.string().nullable(),
  rows: z.array(
    obj({
      scale: num,
      ramBytes: hardwareCell,
      cores: hardwareCell,
      diskBytes: hardwareCell,
      timeMs: hardwareCell,
      costUsd: hardwareCell,
      beyondBreakingPoints: z.array(z.string()),
    }),
  ),
  lowUniqueInputs,
  byMachine: z
    .array(
      obj({
        label: z.string(),
        machine: z.string(),
        cells: num,
        rows: z.array(obj({ scale: num, ramBytes: hardwareCell, timeMs: hardwareCell })),
      }),
    )
    .optional(),
});

const leakCheck = obj({
  method: z.string(),
  results: z.array(
    obj({
      stage: stageKind,
      method: z.string(),
      scale: int,
      runs: int,
      heapAfterGcBytes: z.array(num),
      growthBytes: num,
      slopeBytesPerRun: num,
      thresholdBytes: num,
      verdict: z.enum(['pass', 'fail', 'error']),
      reason: z.string().optional(),
    }),
  ),
});

const concurrentPipelines = obj({
  cores: int,
  points: z.array(
    obj({
      pipelines: int,
      scale: int,
      wallMs: num,
      throughputPerSec: num,
      relativeThroughput: num,
      peakRssBytes: num,
      baselineRssBytes: num,
      sumPeakHeapBytes: num,
      failures: int,
    }),
  ),
});

const workerScaling = obj({
  cores: int,
  stages: z.array(
    obj({
      stage: stageKind,
      method: z.string(),
      scale: int,
      splittable: z.boolean(),
      bestSpeedup: num,
      bestWorkers: int,
      points: z.array(
        obj({
          workers: int,
          wallMs: num,
          speedup: num,
          efficiency: num,
          chunks: int,
          matchesSingleWorker: z.boolean(),
        }),
      ),
    }),
  ),
});

const concurrency = obj({
  kneeThreshold: num,
  api: z.enum(['simulated', 'env']),
  simulator: obj({
    rpm: num,
    tpm: num,
    burstSeconds: num,
    ttft: z.unknown(),
    tokensPerSec: num,
    embeddingLatency: z.unknown(),
  }).optional(),
  stages: z.array(
    obj({
      stage: z.string(),
      method: z.string(),
      scale: int,
      knee: num,
      kneeNote: z.string(),
      levels: z.array(
        obj({
          concurrency: int,
          status: cellStatus,
          reason: z.string().optional(),
          items: int,
          wallMs: num,
          callPhaseMs: num,
          throughputPerSec: num,
          latencyMs: percentiles.optional(),
          ttfbMs: percentiles.optional(),
          tokensPerSec: percentiles.optional(),
          requests: num,
          retries: num,
          http429: num,
          http5xx: num,
          errors: num,
          simulator: obj({ requests: num, rateLimited: num, peakInFlight: num }).optional(),
        }),
      ),
    }),
  ),
});

const apiSimulator = obj({
  startedAt: z.string(),
  uptimeMs: num,
  requests: num,
  chatCompletions: num,
  chatStreams: num,
  embeddingRequests: num,
  embeddingInputs: num,
  modelListings: num,
  responses: z.record(z.string(), num),
  rateLimited: num,
  faults: obj({ error500: num, error503: num, timeout: num, reset: num, malformed: num, rejected: num }),
  tokens: obj({ prompt: num, completion: num, embedding: num }),
  inFlight: num,
  peakInFlight: num,
});

const input = obj({
  path: z.string(),
  format: z.enum(['openai', 'kura', 'sharegpt', 'arrow', 'jsonl']),
  formatSource: z.enum(['detected', 'flag']),
  records: int,
  valid: int,
  withTruth: int,
  invalid: obj({
    count: int,
    firstLines: z.array(int),
    firstErrors: z.array(z.string()),
    unit: z.enum(['line', 'row', 'element']),
  }),
  skipInvalid: z.boolean(),
  maxConversationBytes: num,
  duplicates: obj({ count: int, fraction: num, dropped: z.literal(true).optional() }).optional(),
});

const labelings = obj({
  scales: z.array(
    obj({
      scale: int,
      stages: z.array(obj({ stage: z.string(), ari: o, nmi: o, clusters: int })),
      pairs: z.array(obj({ a: z.string(), b: z.string(), ari: num, nmi: num })),
    }),
  ),
});

const modeFigures = obj({ status: z.string(), wallMs: num, cpuMs: num, peakRssBytes: num });
const executionModes = obj({
  batchSize: int,
  primary: z.enum(['batch', 'streaming']),
  scales: z.array(
    obj({
      scale: int,
      stages: z.array(
        obj({
          stage: z.string(),
          streamed: z.boolean(),
          batch: modeFigures.optional(),
          streaming: modeFigures.optional(),
        }),
      ),
      peakTextBytes: obj({ batch: num.optional(), streaming: num.optional() }),
      identical: z.boolean().optional(),
    }),
  ),
});

const fingerprint = obj({ path: z.string(), bytes: num, sha256: z.string() });
const resumeGuard = obj({
  input: fingerprint.optional(),
  profileFile: fingerprint.optional(),
  profileSha256: z.string(),
});
const apiAnswers = z.array(
  obj({ stage: z.string(), endpoint: z.string(), fromCache: num, fromEndpoint: num, failed: num }),
);
const memoryLimits = obj({
  rssCeilingBytes: num,
  rssCeilingSource: z.string(),
  isolation: z.string(),
  memoryMbBounds: z.string(),
  rssCeilingBounds: z.string(),
});

const workers = obj({
  queue: z.string(),
  store: z.string(),
  sweepId: z.string(),
  prefix: z.string().optional(),
  machines: z.record(z.string(), machine.extend({ hosts: z.array(z.string()) })),
  cells: z.record(z.string(), z.number()),
  sweepJob: obj({ id: z.string(), processed: int, unprocessed: int }).optional(),
});
const rerun = obj({
  side: z.enum(['BASE', 'NEW']),
  repeats: z.number(),
  order: z.array(z.string()),
  source: z.string(),
});

/** Every known section; each optional. Unknown names and fields pass (a newer writer may add one). */
export const runSectionsSchema = obj({
  checkpoints: checkpoints.optional(),
  storage: storage.optional(),
  clusterMap: clusterMap.optional(),
  topics: topics.optional(),
  cost: cost.optional(),
  scaling: scaling.optional(),
  repeatStats: repeatStats.optional(),
  hardware: hardware.optional(),
  leakCheck: leakCheck.optional(),
  concurrentPipelines: concurrentPipelines.optional(),
  workerScaling: workerScaling.optional(),
  concurrency: concurrency.optional(),
  apiSimulator: apiSimulator.optional(),
  input: input.optional(),
  labelings: labelings.optional(),
  executionModes: executionModes.optional(),
  resumeGuard: resumeGuard.optional(),
  apiAnswers: apiAnswers.optional(),
  memoryLimits: memoryLimits.optional(),
  workers: workers.optional(),
  rerun: rerun.optional(),
});

/** results.json, schemaVersion 1. The profile is checked by the profile loader when a run is resumed, not here. */
export const runResultsSchema = obj({
  schemaVersion: z.literal(1),
  id: z.string(),
  tool: obj({ name: z.literal('clusterbench'), version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  machine,
  profilePath: z.string(),
  profile: z.record(z.string(), z.unknown()),
  records: z.array(stageRecord),
  scales: z.array(obj({ scale: int, quality, input: z.record(z.string(), num).optional() })),
  breakingPoints: z.array(breakingPoint),
  sections: runSectionsSchema,
}).meta({
  title: 'clusterbench results.json',
  description: 'The source of truth for every report of one run (harness/types.ts RunResults).',
});

/** What the schema accepts. */
export type RunResultsFile = z.infer<typeof runResultsSchema>;

// Compile-time check: every RunResults is a valid file, so the schema cannot ask for a field the types lack.
type Assignable<T, U> = [T] extends [U] ? true : never;
const resultsTypesMatchSchema: Assignable<RunResults, RunResultsFile> = true;
void resultsTypesMatchSchema;

/** The first problems, one clause each: "sections.storage.scales[0].scale: expected number, received string". */
export function formatResultsIssues(error: z.ZodError, max = 8): string {
  const all = issueLines(error.issues);
  const lines = all.slice(0, max).map((l) => issueText(l));
  if (all.length > max) lines.push(`... and ${all.length - max} more`);
  return lines.join('; ');
}
