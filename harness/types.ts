/**
 * The public types of clusterbench, in one place.
 *
 * Data flows generator -> PipelineData -> stages (in piscina workers) -> StageRecord -> RunResults -> reports.
 * Big data is always a typed array (Float32Array matrices, Int32Array labels, UTF-8 TextColumns) so it can cross
 * threads in a transfer list instead of being structured-cloned.
 */

/** Row-major dense float32 matrix: row i is data[i*cols .. (i+1)*cols). */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Many strings packed as UTF-8 in one buffer; string i is bytes[offsets[i] .. offsets[i+1]). offsets has n+1 entries. */
export interface TextColumn {
  bytes: Uint8Array;
  offsets: Int32Array;
}

/** A chat message role, normalised across import formats. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** One chat message. */
export interface Message {
  role: Role;
  content: string;
}

/** What the synthetic generator knows to be true about a conversation. */
export interface GroundTruth {
  /** Top-level topic, e.g. "billing". */
  domain: string;
  /** Fine topic within the domain, e.g. "billing/refund-request". This is the clustering target. */
  intent: string;
  /** ISO 639-1 code, e.g. "en". */
  language: string;
  /** Noise injected into this conversation, e.g. ["typos", "off-topic-turn", "multi-intent"]. */
  flags: string[];
}

/** One conversation, from the generator or an import. */
export interface Conversation {
  id: string;
  messages: Message[];
  /** Present for synthetic conversations; absent for most imports. */
  truth?: GroundTruth;
  /** Free-form metadata carried through from imports. */
  metadata?: Record<string, unknown>;
}

/**
 * The data that flows between stages. Each stage reads some fields and writes others; the harness moves the
 * buffers into the worker and back with transfer lists.
 */
export interface PipelineData {
  /** Number of conversations. */
  n: number;
  /** Each conversation flattened to "role: content" lines. */
  conversations?: TextColumn;
  /** One summary per conversation (summarise stage). */
  summaries?: TextColumn;
  /** n x d, L2-normalised (embed stage). */
  embeddings?: Matrix;
  /** n x d' after optional reduction (reduce stage). */
  reduced?: Matrix;
  /** Cluster id per conversation, -1 = noise (cluster stage). */
  labels?: Int32Array;
  /** Parent cluster per level of the meta-cluster hierarchy: parents[l][c] is the parent of cluster c at level l. */
  hierarchy?: Int32Array[];
  /** n x 2 projection for the cluster map (project stage). */
  projection?: Matrix;
  /** Ground-truth intent id per conversation, -1 = unknown. Read by quality scoring, never by stages. */
  truth?: Int32Array;
  /** Small per-cluster metadata (labels, top terms) written by label stages. JSON-serialisable. */
  clusterInfo?: ClusterInfo[];
}

/** A field of PipelineData that a stage can read or write. */
export type PipelineField = Exclude<keyof PipelineData, 'n'>;

/** Small JSON description of one cluster. */
export interface ClusterInfo {
  id: number;
  size: number;
  /** Top terms by c-TF-IDF. */
  terms?: string[];
  /** Human-readable name (from an LLM or the top terms). */
  name?: string;
}

/** The kinds of stage a pipeline has, in pipeline order. `probe` stages are calibration stages for the harness itself. */
export type StageKind =
  | 'summarise'
  | 'embed'
  | 'reduce'
  | 'cluster'
  | 'meta-cluster'
  | 'label'
  | 'project'
  | 'probe';

/** One worker-side memory reading, taken at a batch boundary and at the end of a stage. */
export interface WorkerMemorySample {
  /** Milliseconds since the stage started (worker clock). */
  tMs: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Optional note, e.g. "batch 3/10". */
  label?: string;
}

/** Handed to a stage while it runs inside a worker. */
export interface StageContext {
  /** Seed for any randomness; the same seed must give the same output. */
  seed: number;
  /** Record a worker memory sample. Call it at batch boundaries: the worker's event loop is busy while a stage runs. */
  sample(label?: string): void;
  /** Add to a named counter reported with the stage record (requests, retries, tokens, cache hits...). */
  count(name: string, delta?: number): void;
  /** Record one latency-like observation (ms) under a name; the harness reports p50/p95/p99. */
  observe(name: string, value: number): void;
}

/**
 * A pipeline stage: a pure function over typed data. It reads `reads` fields of its input and returns the
 * `writes` fields. Options come from the profile, untyped until the stage validates them.
 */
export interface StageDefinition<O = Record<string, unknown>> {
  kind: StageKind;
  /** Method name as used in profiles, e.g. "kmeans". */
  method: string;
  reads: PipelineField[];
  writes: PipelineField[];
  /** Validate and default options; throw an Error naming the bad key. Runs in the main thread before the sweep. */
  parseOptions?(raw: Record<string, unknown>): O;
  run(input: PipelineData, options: O, ctx: StageContext): Partial<PipelineData> | Promise<Partial<PipelineData>>;
}

/** How a stage cell ended. Breaking points are results, never crashes. */
export type CellStatus =
  | 'ok'
  | 'oom'
  | 'timeout'
  | 'error'
  /** Not run because a smaller scale of the same stage broke, or an input stage failed. */
  | 'skipped'
  /** Ran, but a quality floor was crossed. */
  | 'degraded'
  /** Ran, but its local scaling exponent passed the profile's threshold. */
  | 'superlinear';

/** Garbage-collection pauses seen inside the worker while a stage ran. */
export interface GcSummary {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Percentiles of one observed quantity (e.g. request latency). */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** One main-thread RSS reading. */
export interface RssSample {
  tMs: number;
  rss: number;
}

/** The measurement of one stage at one scale (one repeat). */
export interface StageRecord {
  scale: number;
  stage: StageKind;
  method: string;
  /** 0-based repeat index; warm-up runs are not recorded. */
  repeat: number;
  status: CellStatus;
  /** Why the status is not ok, in words. */
  reason?: string;
  /** Items processed (conversations). */
  items: number;
  wallMs: number;
  /** Process CPU time (all threads) over the stage. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak process RSS sampled from the main thread while the stage ran. */
  peakRssBytes: number;
  /** Process RSS just before the stage started, for growth attribution. */
  baselineRssBytes: number;
  /** Peak heapUsed reported from inside the worker. */
  peakHeapUsedBytes: number;
  /** Peak arrayBuffers reported from inside the worker (typed arrays live here, not on the heap). */
  peakArrayBuffersBytes: number;
  itemsPerSec: number;
  /** Worker event-loop utilisation over the task, 0..1. */
  eventLoopUtilization?: number;
  gc?: GcSummary;
  rssTimeline: RssSample[];
  workerMemory: WorkerMemorySample[];
  counters: Record<string, number>;
  observations: Record<string, Percentiles>;
}

/** Quality of one scale's clustering. Metrics that could not be computed are absent. */
export interface QualityReport {
  /** Adjusted Rand index against ground truth. */
  ari?: number;
  nmi?: number;
  homogeneity?: number;
  completeness?: number;
  vMeasure?: number;
  purity?: number;
  reconstructionAccuracy?: number;
  silhouette?: number;
  /** Set when silhouette was estimated from a sample. */
  silhouetteCi95?: [number, number];
  silhouetteSampleSize?: number;
  daviesBouldin?: number;
  calinskiHarabasz?: number;
  noiseFraction?: number;
  clusterCount?: number;
  clusterSizes?: { min: number; median: number; max: number; gini: number };
  hierarchyDepth?: number;
}

/** Everything measured at one scale that is not per stage. */
export interface ScaleSummary {
  scale: number;
  /** Which repeat the quality figures come from (the last). */
  quality: QualityReport;
  /** Generator statistics, e.g. fraction of unique texts. */
  input?: Record<string, number>;
}

/** The machine a run was measured on. */
export interface MachineInfo {
  hostname: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  totalMemBytes: number;
  nodeVersion: string;
  v8Version: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

/** A detected breaking point of one stage. */
export interface BreakingPoint {
  stage: StageKind;
  method: string;
  kind: Exclude<CellStatus, 'ok' | 'skipped' | 'error'> | 'error';
  /** Largest scale that passed (undefined if the first scale failed). */
  lastPassingScale?: number;
  /** Smallest scale that failed. */
  firstFailingScale: number;
  reason: string;
}

/** results.json: the source of truth for every report. */
export interface RunResults {
  schemaVersion: 1;
  id: string;
  tool: { name: 'clusterbench'; version: string };
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  /** Path of the profile file and the resolved profile (after CLI overrides). */
  profilePath: string;
  profile: unknown;
  records: StageRecord[];
  scales: ScaleSummary[];
  breakingPoints: BreakingPoint[];
  /** Extra sections added by later analyses (scaling fits, storage, hardware table...), keyed by name. */
  sections: Record<string, unknown>;
}
