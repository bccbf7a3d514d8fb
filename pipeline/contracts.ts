/**
 * The data contracts of a pipeline: the typed data a stage reads and writes, the stage definition, and the
 * quality report. `pipeline/` imports nothing of ours from above it, so these live here; `harness/types.ts`
 * re-exports them beside the record and results types, and that file is the one public place.
 *
 * Data flows generator -> PipelineData -> stages (in piscina workers) -> StageRecord -> RunResults -> reports.
 * Big data is always a typed array (Float32Array matrices, Int32Array labels, UTF-8 TextColumns) so it can cross
 * threads in a transfer list instead of being structured-cloned.
 */
import type { z } from 'zod/v4';

/** Row-major dense float32 matrix: row i is data[i*cols .. (i+1)*cols). */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/**
 * Many strings packed as UTF-8 in one buffer; string i is bytes[offsets[i] .. offsets[i+1]). offsets has n+1 entries.
 * Offsets are float64 (exact to 2^53, like Arrow's LargeUtf8 with 64-bit offsets), so one column holds any size of
 * text; Arrow files still store Utf8 record batches of at most 1 GiB each (harness/io/arrow-pipeline-data.ts).
 */
export interface TextColumn {
  bytes: Uint8Array;
  offsets: Float64Array;
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
  /** For "multi-intent" conversations: the other intent(s) the user switched to. `intent` stays the primary one. */
  secondaryIntents?: string[];
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
  /** Each conversation's own id: the input file's (`id`, Kura `chat_id`) or the generator's (`syn-<seed>-<index>`). */
  conversationIds?: TextColumn;
  /** One summary per conversation (summarise stage). */
  summaries?: TextColumn;
  /** n x d, L2-normalised (embed stage). */
  embeddings?: Matrix;
  /** n x d' after optional reduction (reduce stage). */
  reduced?: Matrix;
  /** Cluster id per conversation, -1 = noise (cluster stage). */
  labels?: Int32Array;
  /** Membership strength of each point in its cluster, 0..1 (density-based cluster stages such as HDBSCAN). */
  membership?: Float32Array;
  /** GLOSH outlier score per point, 0..1, higher = more outlying (HDBSCAN). */
  outlierScores?: Float32Array;
  /** Parent cluster per level of the meta-cluster hierarchy: parents[l][c] is the parent of cluster c at level l. */
  hierarchy?: Int32Array[];
  /** n x 2 projection for the cluster map (project stage). */
  projection?: Matrix;
  /** Ground-truth intent id per conversation, -1 = unknown. Read by quality scoring, never by stages. */
  truth?: Int32Array;
  /** Small per-cluster metadata (labels, top terms) written by label stages. JSON-serialisable. */
  clusterInfo?: ClusterInfo[];
}

/**
 * A field of PipelineData (everything but n). Each one has its layout and per-row-ness in pipeline/pipeline-fields.ts;
 * a stage may read or write any but `truth`.
 */
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
export type StageKind = 'summarise' | 'embed' | 'reduce' | 'cluster' | 'meta-cluster' | 'label' | 'project' | 'probe';

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
 * `writes` fields. Options come from the profile and reach `run` as validated by `options`.
 */
export interface StageDefinition<O = Record<string, unknown>> {
  kind: StageKind;
  /** Method name as used in profiles, e.g. "kmeans". */
  method: string;
  reads: PipelineField[];
  writes: PipelineField[];
  /**
   * The options as a zod/v4 schema (`import { z } from 'zod/v4'`) from the profile's `options:` mapping to O, defaults
   * applied. pipeline/stage-options.ts validates with it at profile load (refusing unknown keys, naming file, line and
   * key) and again in the worker; schemas/profile.schema.json describes it for editors. Absent: options pass as written.
   */
  options?: z.ZodType<O>;
  /**
   * True when each output row depends only on the same input row (embedders, per-row summarisers). Then, with
   * `workers: N` on its stage spec, the harness slices the row-aligned inputs into N contiguous chunks, runs them
   * on the pool's N threads at once (each chunk sent by transfer), and re-assembles the row-aligned outputs into one
   * contiguous buffer each (harness/workers/split-stage-run.ts). Stages that look across rows (clustering) must leave it unset.
   */
  splittable?: boolean;
  /**
   * For a stage that is row-wise but for one last pass across all rows (embed/static's centring): in streaming mode
   * (harness/sweep/streaming-scale.ts) each record batch runs with `batchOptions(options)` (raw profile options), and
   * `finish` then runs once, in place, over the joined rows of the stage's outputs. Batch and streaming mode give the
   * same bits as long as finish does what run does after its row-wise part.
   */
  rowBatches?: {
    batchOptions(raw: Record<string, unknown>): Record<string, unknown>;
    finish(output: Partial<PipelineData>, raw: Record<string, unknown>): void;
  };
  /**
   * True for stages that call an OpenAI-compatible API (summarise/llm, embed/openai). With `api: simulated` the
   * harness starts the simulator and passes its URL in these stages' `baseURL`/`apiKey` options, and a profile's
   * `concurrency` sweep re-runs them at each level (harness/sweep/sweep-api.ts).
   */
  usesApi?: boolean;
  run(input: PipelineData, options: O, ctx: StageContext): Partial<PipelineData> | Promise<Partial<PipelineData>>;
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
  /** The vectors silhouette, Davies-Bouldin and Calinski-Harabasz were computed on (their values depend on it). */
  internalVectors?: { field: 'reduced' | 'embeddings'; dims: number };
  noiseFraction?: number;
  clusterCount?: number;
  clusterSizes?: { min: number; median: number; max: number; gini: number };
  hierarchyDepth?: number;
}
