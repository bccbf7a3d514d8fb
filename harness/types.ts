/**
 * The public types of clusterbench, in one place: the pipeline data contracts (re-exported from
 * pipeline/contracts.ts) and the harness's records and results.
 *
 * Data flows generator -> PipelineData -> stages (in piscina workers) -> StageRecord -> RunResults -> reports.
 */
import type { StageKind, QualityReport, Percentiles, WorkerMemorySample } from '../pipeline/contracts.js';
import type { TokenCounts } from '../pipeline/cost/pricing-table.js';
import type { ImportSummary } from '../generators/import/conversation-file.js';
import type { SimulatorStats } from './api-simulator/simulator-server.js';
import type { SweepProfile } from './profile/profile-schema.js';
import type { ResumeGuard } from './sweep/resume-guard.js';
import type { MemoryLimitsSection } from './workers/rss-ceiling.js';
export type * from '../pipeline/contracts.js';
export type { FieldLayout, FieldSpec, RowLayout, StorageComponent, WholeLayout } from '../pipeline/pipeline-fields.js';

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

/** One memory reading from the thread that hosts the stage's pool (in a child process for `isolation: process`). */
export interface RssSample {
  tMs: number;
  /** Process RSS. */
  rss: number;
  /** Sum over the stage's worker threads of V8 used heap and external memory (typed arrays), read from the host. */
  workerHeapUsed?: number;
  workerExternal?: number;
  /** The host thread's own external and arrayBuffers (process.memoryUsage()). */
  hostExternal?: number;
  hostArrayBuffers?: number;
}

/** How a cell was run: `thread` = in the sweep's process (shared RSS), `process` = a fresh child process per cell. */
export type CellIsolation = 'thread' | 'process';

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
  /** CPU time of the stage's own worker threads (process.threadCpuUsage inside each), not the whole process. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak process RSS sampled from the main thread while the stage ran. */
  peakRssBytes: number;
  /** Process RSS just before the stage started (after its input was loaded), for growth attribution. */
  baselineRssBytes: number;
  /** peakRssBytes - baselineRssBytes: what the stage itself added. */
  peakRssDeltaBytes?: number;
  /** isolation process: the child's VmHWM (/proc/<pid>/status) at the end of the cell, or when it died. */
  vmHwmBytes?: number;
  /** How the cell was run (absent in runs made before isolation existed: thread). */
  isolation?: CellIsolation;
  /** Peak of the stage's workers' V8 external memory, sampled from the host (typed arrays are here). */
  peakWorkerExternalBytes?: number;
  /** Peak heapUsed: the larger of the worker's own samples and the host's samples of the workers. */
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
  /** Set when the cell ran on a queue worker (distributed sweep): who measured it, which job, how many attempts. */
  worker?: { label: string; host: string; jobId: string; attempts: number };
  /** Set for a command stage: its process tree as measured (RSS, CPU and the timeline above are the tree's). */
  command?: CommandRunInfo;
}

/** A command stage's run (harness/workers/command-stage-run.ts). */
export interface CommandRunInfo {
  /** argv after placeholder substitution. */
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  /** Last 2 KB of stderr and stdout. */
  stderrTail: string;
  stdoutTail: string;
  /** Most processes of the tree seen at once. */
  maxProcesses: number;
  /** Largest VmHWM of one process of the tree (comparable with /usr/bin/time -v's maximum resident set size). */
  peakProcessRssBytes: number;
  /** Where CPU came from: our cutime/cstime after reaping the command, or the sampled live tree (killed or orphaning trees). */
  cpuSource: 'reaped' | 'sampled';
  /** Time writing the inputs and reading the outputs back, not part of wallMs. */
  inputWriteMs: number;
  outputReadMs: number;
  inputBytes: number;
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
  /** superlinear: the local scaling exponent of median wall time between lastPassingScale and firstFailingScale. */
  exponent?: number;
  /** superlinear: the threshold it passed (the stage's maxScalingExponent or breakingPoints.maxExponent). */
  threshold?: number;
  /** degraded: the quality metric that fell below its floor, its value at firstFailingScale, and the floor. */
  metric?: string;
  value?: number;
  floor?: number;
  /** The threshold located by bisecting between lastPassingScale and firstFailingScale (absent when not bisected). */
  bisection?: BisectionResult;
}

/** One run made while bisecting a breaking point. */
export interface BisectionStep {
  scale: number;
  /** ok, or the status the stage got at this scale (degraded when the quality floor was crossed). */
  status: CellStatus;
  /** Whether this scale counted as passing. */
  passed: boolean;
  wallMs: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  reason?: string;
}

/** The bracket a bisection located: the stage passes at `passScale` and breaks at `failScale`. */
export interface BisectionResult {
  /** Largest scale seen to pass (starts as BreakingPoint.lastPassingScale). */
  passScale: number;
  /** Smallest scale seen to fail (starts as BreakingPoint.firstFailingScale). */
  failScale: number;
  /** failScale / passScale - 1: the bracket's relative width. */
  relativeWidth: number;
  /** The target width (breakingPoints.bisect.tolerance) and step cap it ran under. */
  tolerance: number;
  maxSteps: number;
  /** True when relativeWidth <= tolerance (or the bracket is one conversation wide). */
  converged: boolean;
  /** Why it stopped early, when it did (step cap, an upstream stage failing, an inconclusive run). */
  note?: string;
  /** Every run made, in order (geometric midpoints). */
  steps: BisectionStep[];
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
  profile: SweepProfile;
  records: StageRecord[];
  scales: ScaleSummary[];
  breakingPoints: BreakingPoint[];
  /** Sections added by the sweep's extras and by later analyses; each is absent when its part did not run. */
  sections: RunSections;
}

/** `sections.workers`: where the cells ran. */
export interface WorkersSection {
  /** The queue URL with its password replaced by ***. */
  queue: string;
  store: string;
  sweepId: string;
  /** The Redis key prefix shared with the workers (`--queue-prefix`); `sweep --resume` re-uses it. */
  prefix?: string;
  /** Machine facts per worker label (the machine kind). */
  machines: Record<string, MachineInfo & { hosts: string[] }>;
  /** Cells measured per label. */
  cells: Record<string, number>;
  /** The sweep's parent job on the queue and its child cells as BullMQ counts them at the end (each cell once). */
  sweepJob?: { id: string; processed: number; unprocessed: number };
}

/** `sections.rerun`: this run is one side of `compare --rerun` (harness/compare/interleaved-rerun.ts). */
export interface RerunSection {
  /** This side: BASE or NEW. */
  side: 'BASE' | 'NEW';
  repeats: number;
  /** The order the sweeps ran in, e.g. ["BASE#0", "NEW#0", "BASE#1", ...]. */
  order: string[];
  source: string;
}

/**
 * Every section any module writes into results.json `sections`, with its type. A new section is a new field here;
 * the writer and every reader then agree through the compiler (and harness/io/results-schema.ts checks the file).
 */
export interface RunSections {
  /** Set by `sweep --queue`: which workers and machines measured the cells (harness/queue/distributed-sweep.ts). */
  workers?: WorkersSection;
  /** Set by `compare --rerun` on each side's results. */
  rerun?: RerunSection;
  /** Which cells are done (harness/sweep/sweep-checkpoint.ts); `complete: false` marks a partial run. */
  checkpoints?: CheckpointManifest;
  /** Bytes per component and format (harness/analysis/storage-accounting.ts, profile `storage:`). */
  storage?: StorageSection;
  /** A sample of the project stage's 2-D output (harness/sweep/cluster-map-sample.ts). */
  clusterMap?: ClusterMapSection;
  /** The clusters a person reads: topics, examples, hierarchy, at the largest scale labelled (harness/sweep/cluster-topics.ts). */
  topics?: TopicsSection;
  /** Tokens and $ per stage (harness/analysis/stage-cost.ts). */
  cost?: CostSection;
  /** Complexity and power-law fits (harness/analysis/scaling-law-fit.ts); derived from the records. */
  scaling?: ScalingSection;
  /** Per-cell statistics over repeats (harness/analysis/repeat-statistics.ts); derived. */
  repeatStats?: RepeatStatsSection;
  /** The hardware recommendation table (harness/analysis/hardware-recommendation.ts); derived. */
  hardware?: HardwareSection;
  /** Heap growth over repeated runs in one worker (harness/analysis/leak-check.ts, profile `leakCheck:`). */
  leakCheck?: LeakCheckSection;
  /** P pipelines at once (harness/analysis/concurrent-pipelines.ts, profile `concurrentPipelines:`). */
  concurrentPipelines?: ConcurrentPipelinesSection;
  /** Stages with 1..C workers (harness/analysis/worker-scaling.ts, profile `workerScaling:`). */
  workerScaling?: WorkerScalingSection;
  /** API stages at several concurrency levels (harness/sweep/concurrency-sweep.ts). */
  concurrency?: ConcurrencySection;
  /** What the in-process API simulator served over the run (harness/api-simulator/simulator-server.ts). */
  apiSimulator?: SimulatorStats;
  /** The imported input file: format, counts, skipped records (generators/import/conversation-file.ts). */
  input?: ImportSummary;
  /** Each labelling stage scored, and their agreement, when two or more stages write labels (harness/analysis/labeling-agreement.ts). */
  labelings?: LabelingsSection;
  /** Fingerprints of the profile and input, checked by `sweep --resume` (harness/sweep/resume-guard.ts). */
  resumeGuard?: ResumeGuard;
  /** Where each API stage's answers came from: cache, endpoint, failed (harness/sweep/api-answer-sources.ts). */
  apiAnswers?: ApiAnswerSource[];
  /** The RSS ceiling and what memory limits bound in this isolation mode (harness/workers/rss-ceiling.ts). */
  memoryLimits?: MemoryLimitsSection;
  /** Batch and streaming mode side by side, when the profile sets execution.compareModes (harness/sweep/execution-modes.ts). */
  executionModes?: ExecutionModesSection;
}

/** One stage's figures in one execution mode (repeat 0 of the run's own cells, or the other mode's single run). */
export interface ExecutionModeFigures {
  status: CellStatus;
  wallMs: number;
  /** The stage's own thread CPU, user + system. */
  cpuMs: number;
  peakRssBytes: number;
}

/** One stage of `sections.executionModes`; a mode is absent where the stage did not run in it. */
export interface ExecutionModeStage {
  stage: string;
  /** True for a stage that took record batches in streaming mode. */
  streamed: boolean;
  batch?: ExecutionModeFigures;
  streaming?: ExecutionModeFigures;
}

/** `sections.executionModes`: per scale, each stage's time and peak memory in both modes. */
export interface ExecutionModesSection {
  batchSize: number;
  /** The mode the run's records were measured in; the other was run once more for this section. */
  primary: 'batch' | 'streaming';
  scales: {
    scale: number;
    stages: ExecutionModeStage[];
    /** Most conversation and summary text held at once in each mode (batch: the whole scale's). */
    peakTextBytes: { batch?: number; streaming?: number };
    /** Whether both modes gave the same labels (and vectors), bit for bit; absent when either did not finish. */
    identical?: boolean;
  }[];
}

/** The name of one section. */
export type SectionName = keyof RunSections;

/** One point of the cluster map sample (`sections.clusterMap`). */
export interface ClusterMapPoint {
  x: number;
  y: number;
  /** Cluster id (-1 = noise). */
  cluster: number;
  /** The cluster's name (label stage name or top terms), when a label stage ran. */
  topic?: string;
  /** Short hover text: the summary (or conversation) opening, and the true intent when known. */
  text?: string;
}

/** One cluster as a person reads it (`sections.topics.topics`). */
export interface TopicRow {
  /** Cluster id (-1 = noise). */
  id: number;
  /** A short name: the label stage's name, else its top terms. */
  name: string;
  /** c-TF-IDF terms (empty without a label stage). */
  terms: string[];
  size: number;
  /** size / conversations at this scale. */
  share: number;
  /** Up to three example conversations: the first user turn, truncated. */
  examples: string[];
  /** Parent topic id at hierarchy level 1 (absent without a hierarchy). */
  parent?: number;
  /** The most common true intent among its members and the fraction that have it (when the input has intents). */
  topIntent?: { name: string; fraction: number };
}

/** A parent topic of the meta-cluster hierarchy (level >= 1). */
export interface ParentTopic {
  /** Level above the base clusters (1 = their parents). */
  level: number;
  id: number;
  /** Top terms pooled from its children, weighted by child size. */
  name: string;
  size: number;
  /** Parent at level + 1 (absent at the top). */
  parent?: number;
  /** Child ids one level below (base cluster ids at level 1). */
  children: number[];
}

/** `sections.topics`: the clusters at the largest scale that produced labels, and where the per-row files are. */
export interface TopicsSection {
  scale: number;
  /** Conversations at that scale. */
  total: number;
  /** Clusters, noise excluded. */
  clusters: number;
  /** Conversations labelled noise (-1). */
  noise: number;
  /** Topics by size, largest first; at most `limit` (the rest are in the per-row file). */
  topics: TopicRow[];
  limit: number;
  /** Parent topics, level 1 first; empty without a meta-cluster stage. */
  parents: ParentTopic[];
  /** Per-row files relative to the run directory, one per scale: runs/<id>/clusters/<scale>.jsonl. */
  files: { scale: number; file: string; rows: number }[];
}

/** One line of runs/<id>/clusters/<scale>.jsonl. */
export interface ClusterRow {
  /** The input's own id (Kura chat_id, JSONL id) or the generated `syn-<seed>-<index>`. */
  conversationId: string;
  /** Row index at this scale. */
  row: number;
  cluster: number;
  membership?: number;
  outlierScore?: number;
  /** Cluster id at each level, base first: [cluster, parent, grandparent, ...]. */
  path: number[];
  topic?: string;
  terms?: string[];
  /** The true intent when the input has one. */
  intent?: string;
}

/** `sections.clusterMap`: a small sample of the project stage's 2-D output at the largest scale it ran. */
export interface ClusterMapSection {
  scale: number;
  /** Points in the whole projection, before sampling. */
  total: number;
  points: ClusterMapPoint[];
}

// ---- Measurement extras (issue 6): checkpoints, storage, leak check, pipelines at once, worker scaling ----

/** One completed cell (scale x stage) of a sweep, as recorded for `sweep --resume`. */
export interface CheckpointCell {
  scale: number;
  /** Index of the stage in profile.stages. */
  stageIndex: number;
  stage: StageKind;
  method: string;
  /** ok: produced data (checkpointed in `file`); failed: a breaking point or error; skipped: not run. */
  outcome: 'ok' | 'failed' | 'skipped';
  /** Arrow IPC file with the fields the stage wrote, relative to the run directory. */
  file?: string;
  /** Size of `file` in bytes. */
  bytes?: number;
}

/** `sections.checkpoints`: which cells are done. A results.json with `complete: false` is a partial run. */
export interface CheckpointManifest {
  /** True once every scale of the sweep finished. */
  complete: boolean;
  /** Cells in completion order. */
  cells: CheckpointCell[];
  /** ISO times at which `sweep --resume` continued this run. */
  resumedAt: string[];
}

/** Bytes of one data component in one storage format at one scale. */
export interface StorageMeasurement {
  /** conversations (raw text + truth), summaries, embeddings, clusters (labels + metadata), reduced, projection. */
  component: string;
  /** arrow (IPC file, uncompressed), arrow-lz4, arrow-zstd, jsonl, parquet-zstd. */
  format: string;
  bytes: number;
  bytesPerConversation: number;
  /** Time to encode and write the file, ms. */
  writeMs: number;
  /** True when the file was read back and matched (Arrow: every value; Parquet: row count, byte/label sums, first and last matrix rows; JSONL: line count). */
  verified: boolean;
}

/** Storage measured at one scale. */
export interface StorageScale {
  scale: number;
  components: StorageMeasurement[];
  /** Sum over components per format. */
  totals: { format: string; bytes: number; bytesPerConversation: number }[];
  /** Most temporary disk the measurement held at once, bytes (files are measured and removed one at a time). */
  peakTempBytes?: number;
}

/** Projected total bytes of one format at a target scale: bytes = intercept + slope * n, fitted over measured scales. */
export interface StorageProjection {
  format: string;
  scale: number;
  bytes: number;
  bytesPerConversation: number;
  /** True when `scale` lies beyond the largest measured scale. */
  extrapolated: boolean;
  /** The measured scales the line was fitted on. */
  fittedOn: number[];
}

/** `sections.storage`: bytes per component and per conversation for each format, and projections. Feeds the hardware table's disk column. */
export interface StorageSection {
  /** Codec implementations used, e.g. { zstd: "zstd-codec 0.1.5 (wasm, level 3)", lz4: "lz4js 0.2.0", parquet: "duckdb ..." }. */
  codecs: Record<string, string>;
  /** Embedding width the embeddings component was measured at. */
  embeddingDims?: number;
  scales: StorageScale[];
  projections: StorageProjection[];
}

/** One stage's leak check: the same cell run `runs` times in one worker, heap measured after forced GC. */
export interface LeakCheckResult {
  stage: StageKind;
  method: string;
  scale: number;
  runs: number;
  /** heapUsed after a forced full GC in the worker, after each run (index 0 = warm-up baseline). */
  heapAfterGcBytes: number[];
  /** Last minus first of heapAfterGcBytes. */
  growthBytes: number;
  /** Least-squares slope of heapAfterGcBytes per run. */
  slopeBytesPerRun: number;
  thresholdBytes: number;
  verdict: 'pass' | 'fail' | 'error';
  reason?: string;
}

/** `sections.leakCheck`. */
export interface LeakCheckSection {
  /** How GC was forced inside the worker. */
  method: string;
  results: LeakCheckResult[];
}

/** Throughput and memory with P pipelines running at once. */
export interface ConcurrentPipelinesPoint {
  pipelines: number;
  scale: number;
  /** Wall time until the last pipeline finished. */
  wallMs: number;
  /** Conversations per second over all pipelines: P * scale / wall. */
  throughputPerSec: number;
  /** Throughput relative to P = 1 (the first point when P = 1 is not measured). */
  relativeThroughput: number;
  /** Peak process RSS while they ran, and RSS before. */
  peakRssBytes: number;
  baselineRssBytes: number;
  /** Sum over pipelines of each pipeline's largest worker heap peak. */
  sumPeakHeapBytes: number;
  /** Stage cells that did not end ok (oom, timeout, error). */
  failures: number;
}

/** `sections.concurrentPipelines`. */
export interface ConcurrentPipelinesSection {
  cores: number;
  points: ConcurrentPipelinesPoint[];
}

/** One stage with w workers. */
export interface WorkerScalingPoint {
  workers: number;
  /** Median wall time over the repeats. */
  wallMs: number;
  /** wallMs(1 worker) / wallMs. */
  speedup: number;
  /** speedup / workers. */
  efficiency: number;
  /** Chunks the rows were split into (1 for a stage that cannot split). */
  chunks: number;
  /** Output identical to the 1-worker output (bit for bit). */
  matchesSingleWorker: boolean;
}

/** Worker scaling of one stage. */
export interface WorkerScalingStage {
  stage: StageKind;
  method: string;
  scale: number;
  /** Whether the stage splits by rows (StageDefinition.splittable); if not, extra workers sit idle (~1x). */
  splittable: boolean;
  points: WorkerScalingPoint[];
  /** Fewest workers within 5% of the top speed-up, and that speed-up (1 worker for a stage that cannot split). */
  bestSpeedup: number;
  bestWorkers: number;
}

/** `sections.workerScaling`: feeds the hardware table's cores column. */
export interface WorkerScalingSection {
  /** os.availableParallelism() on the machine measured. */
  cores: number;
  stages: WorkerScalingStage[];
}

/** `sections.samplerOverhead` (bench/sampler-overhead.bench.ts): the same cell with the RSS sampler on and off. */
export interface SamplerOverhead {
  intervalMs: number;
  wallMsOn: number;
  wallMsOff: number;
  /** (on - off) / off, as a fraction. */
  wallOverhead: number;
  /** Extra main-thread memory of the sampler: heap after GC with its timeline alive, minus without. */
  memoryOverheadBytes: number;
  samples: number;
}

/** What a sweep produced, before it is written to disk. */
export interface SweepOutcome {
  records: StageRecord[];
  scales: ScaleSummary[];
  breakingPoints: BreakingPoint[];
  /** Sections the runner itself fills (e.g. `clusterMap`); merged into RunResults.sections. */
  sections?: RunSections;
}

// ---- Section types (computed in harness/analysis/scaling-law-fit.ts) ----

/** A candidate complexity class. */
export type Complexity = '1' | 'logn' | 'n' | 'nlogn' | 'n^2' | 'n^3';

/** One candidate's least-squares fit y = intercept + coefficient·f(n) (both >= 0; the intercept takes fixed costs). */
export interface ComplexityFit {
  complexity: Complexity;
  coefficient: number;
  intercept: number;
  /** Root mean square of the residuals. */
  rms: number;
  /** Root mean square of the relative residuals (y - fit) / y: the selection criterion, so no one scale dominates. */
  nrms: number;
}

/** A power law y = a·n^b fitted in log-log space. */
export interface PowerLawFit {
  a: number;
  b: number;
  /** 95% CI of b (t distribution, k-2 degrees of freedom); null with fewer than 3 scales. */
  bCi95: [number, number] | null;
  /** R² of the log-log regression. */
  r2: number;
  /** Residual standard deviation in natural-log units; null with fewer than 3 scales. */
  logResidualSd: number | null;
}

/** Where an estimate comes from; `not-measured`: beyond what the fit supports (no value, see the note). */
export type EstimateBasis = 'measured' | 'interpolated' | 'extrapolated' | 'not-measured';

/** One predicted value at a target scale. */
export interface ScalingEstimate {
  scale: number;
  /** Power-law estimate (or the measured median when basis is measured); null when not-measured. */
  estimate: number | null;
  /** 95% prediction interval from the power law; null when measured or with fewer than 3 scales. */
  low: number | null;
  high: number | null;
  /** The best complexity class's estimate c0 + c·f(n), for comparison; null when the class is inconclusive. */
  classEstimate: number | null;
  basis: EstimateBasis;
  /** not-measured: what to run instead ("not measured: run a larger scale (add 50000 to scales in profiles/quick.yaml)"). */
  note?: string;
}

/** The fits of one metric of one stage. */
export interface ScalingFit {
  /** "cluster/kmeans", or "pipeline" for the whole run's peak RSS. */
  stage: string;
  /** wallMs: median wall time; cpuMs: median process CPU time (user + system; steadier than wall time on a busy machine); memoryBytes: stage memory (worker heap + array buffers above the worker's start); rssBytes: process peak RSS. */
  metric: 'wallMs' | 'cpuMs' | 'memoryBytes' | 'rssBytes';
  /** The values fitted, one per scale (medians over repeats). */
  measured: { scale: number; value: number }[];
  measuredMin: number;
  measuredMax: number;
  /** Constant added back to every estimate (the process's baseline RSS for rssBytes; 0 otherwise). */
  offset: number;
  /** Every candidate's fit (empty when the fit is not supported). */
  candidates: ComplexityFit[];
  /** The class, or null when inconclusive or not supported (see `classNote`). */
  best: Complexity | null;
  /** "O(n log n)", or "inconclusive". */
  bigO: string;
  /** Why best is null: too few scales, no class clearly better than the others. */
  classNote?: string;
  /** At least 4 measured scales spanning 10x: only then are scales between and beyond them estimated. */
  supported: boolean;
  /** Largest scale an estimate may claim: 10x the largest measured, or null (no limit) when b is known to ±0.1. */
  reachMax: number | null;
  powerLaw: PowerLawFit | null;
  estimates: ScalingEstimate[];
}

/** A scale whose input is under 99% unique texts: projections from it assume duplicates grow the same way. */
export interface LowUniqueInput {
  scale: number;
  uniqueFraction: number;
}

/** `sections.scaling`. */
export interface ScalingSection {
  targets: number[];
  confidence: 0.95;
  fits: ScalingFit[];
  /** Measured scales with under 99% unique texts (absent when none). */
  lowUniqueInputs?: LowUniqueInput[];
}

// ---- Section types (computed in harness/analysis/hardware-recommendation.ts) ----

/** One cell of the table. */
export interface HardwareCell {
  /** null when unknown. */
  value: number | null;
  /** 95% interval where the estimate comes from a fit with one. */
  low?: number | null;
  high?: number | null;
  basis: EstimateBasis | 'unknown';
  note?: string;
}

/** One target scale. */
export interface HardwareRow {
  scale: number;
  ramBytes: HardwareCell;
  cores: HardwareCell;
  diskBytes: HardwareCell;
  /** Single-worker wall time of the whole pipeline. */
  timeMs: HardwareCell;
  costUsd: HardwareCell;
  /** Stages whose breaking point lies at or below this scale: the estimates assume they would still run. */
  beyondBreakingPoints: string[];
}

/** `sections.hardware`. */
export interface HardwareSection {
  /** The machine measured, in words. */
  machine: string;
  safetyFactor: number;
  /** Which stage time the time column sums (scaling.timeMetric). */
  timeMetric: 'wall' | 'cpu';
  /** The storage format the disk column counts. */
  diskFormat: string | null;
  /** The targets and every measured scale. */
  rows: HardwareRow[];
  /** Measured scales whose input had under 99% unique texts: the projections lean on them (absent when none). */
  lowUniqueInputs?: LowUniqueInput[];
  /** RAM and time per worker label when a distributed sweep's cells ran on different machine kinds. */
  byMachine?: HardwareMachineGroup[];
}

/** RAM and time from one worker label's cells alone (`sections.hardware.byMachine`). */
export interface HardwareMachineGroup {
  label: string;
  /** The label's machine kind, in words. */
  machine: string;
  /** Records this label measured. */
  cells: number;
  rows: { scale: number; ramBytes: HardwareCell; timeMs: HardwareCell }[];
}

// ---- Section types (computed in harness/analysis/repeat-statistics.ts) ----

/** Summary of one quantity over a cell's repeats. */
export interface SampleStats {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Median absolute deviation (raw; multiply by 1.4826 for a normal-consistent sigma). */
  mad: number;
  /** Percentile-bootstrap 95% CI of the median (a single repeat gives [x, x]). */
  ci95: [number, number];
  /** Modified z-score of each repeat: 0.6745 (x - median) / MAD. */
  modifiedZ: number[];
  /** Repeat indices whose |modified z| exceeds the threshold. */
  outliers: number[];
}

/** The statistics of one cell. */
export interface RepeatCellStats {
  stage: string;
  method: string;
  scale: number;
  /** Repeats with measurements (ok, degraded or superlinear). */
  repeats: number;
  wallMs: SampleStats;
  cpuMs: SampleStats;
  peakRssBytes: SampleStats;
  peakHeapUsedBytes: SampleStats;
}

/** `sections.repeatStats`. */
export interface RepeatStatsSection {
  warmup: number;
  repeats: number;
  bootstrapResamples: number;
  outlierZ: number;
  cells: RepeatCellStats[];
}

// ---- Section types (computed in harness/analysis/stage-cost.ts) ----

/** Cost of one stage at one scale (repeat 0). */
export interface StageCostRow {
  scale: number;
  stage: StageKind;
  method: string;
  /** The API model the stage called (its `model` option); null for a local stage with no API cost. */
  model: string | null;
  items: number;
  tokens: TokenCounts;
  /** All tokens (input + output + embedding) per 1,000 conversations. */
  tokensPer1k: number;
  /** Exact cost as a decimal USD string (tokens x price); absent when the model has no price. */
  usd?: string;
  usdPer1k?: number;
  /** Why there is no cost, or what it assumes. */
  note?: string;
}

/** results.sections.cost */
export interface CostSection {
  /** Date of the pricing table used. */
  asOf: string;
  pricingSources: string[];
  rows: StageCostRow[];
}

// ---- Section types (computed in harness/sweep/concurrency-sweep.ts) ----

/** One concurrency level of one stage. */
export interface ConcurrencyLevelResult {
  concurrency: number;
  status: CellStatus;
  reason?: string;
  /** Items this level ran on (see roundsPerLevel). */
  items: number;
  wallMs: number;
  /** Time from the first call to the last answer (the stage's callPhaseMs counter; wallMs when absent). */
  callPhaseMs: number;
  /** Successful items (conversations, or texts embedded) per second over callPhaseMs. */
  throughputPerSec: number;
  latencyMs?: Percentiles;
  ttfbMs?: Percentiles;
  tokensPerSec?: Percentiles;
  /** HTTP attempts, SDK retries, 429 answers, 5xx answers, failed items. */
  requests: number;
  retries: number;
  http429: number;
  http5xx: number;
  errors: number;
  /** What the in-process simulator saw during this level (api: simulated only). */
  simulator?: { requests: number; rateLimited: number; peakInFlight: number };
}

/** The sweep of one stage at one scale. */
export interface ConcurrencyStageResult {
  stage: string;
  method: string;
  scale: number;
  levels: ConcurrencyLevelResult[];
  /** The level beyond which throughput improves < kneeThreshold; null when it still improves at the top level. */
  knee: number | null;
  kneeNote: string;
}

/** results.json `sections.concurrency`. */
export interface ConcurrencySection {
  kneeThreshold: number;
  api: 'simulated' | 'env';
  /** Rate limits the simulator enforced (api: simulated). */
  simulator?: {
    rpm: number;
    tpm: number;
    burstSeconds: number;
    ttft: unknown;
    tokensPerSec: number;
    embeddingLatency: unknown;
  };
  stages: ConcurrencyStageResult[];
}

// ---- Section types (computed in harness/analysis/labeling-agreement.ts) ----
/** One labelling stage at one scale. */
export interface LabelingScore {
  stage: string;
  /** Against the ground truth (absent without truth). */
  ari?: number;
  nmi?: number;
  clusters: number;
}

/** Agreement of two labelling stages at one scale. */
export interface LabelingPair {
  a: string;
  b: string;
  ari: number;
  nmi: number;
}

/** `sections.labelings`: only written when at least two stages write labels. */
export interface LabelingsSection {
  scales: { scale: number; stages: LabelingScore[]; pairs: LabelingPair[] }[];
}

// ---- Section types (computed in harness/sweep/api-answer-sources.ts) ----
/** One API stage's answers over the whole run. */
export interface ApiAnswerSource {
  stage: string;
  /** "simulated", or "env:" + the base URL. */
  endpoint: string;
  fromCache: number;
  fromEndpoint: number;
  failed: number;
}
