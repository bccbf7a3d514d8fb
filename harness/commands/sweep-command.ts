/** `clusterbench sweep`: run a profile's scales through its stages and write runs/<id>/. */
import { dirname, resolve, join } from 'node:path';
import { loadProfile, validateProfile } from '../profile/profile-loader.js';
import { runSweep } from '../sweep/sweep-runner.js';
import { machineInfo } from '../io/machine-info.js';
import { createRunFolder } from '../sweep/run-folder.js';
import { FileWriteError } from '../io/errno-words.js';
import { installInterruptHandler, resumeHint } from '../sweep/interrupt-handler.js';
import { computeResumeGuard, verifyResumeGuard } from '../sweep/resume-guard.js';
import { refuseImpossibleScales } from '../sweep/scale-estimate.js';
import { memoryLimitNote, memoryLimitsSection } from '../workers/rss-ceiling.js';
import { apiAnswerSources, describeAnswerSource } from '../sweep/api-answer-sources.js';
import { writeRunReports } from '../../reports/run-reports.js';
import { createProgressReporter } from '../sweep/progress-reporter.js';
import type { RunResults, WorkersSection } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import { toolVersion } from '../io/tool-version.js';
import { loadPricingTable } from '../../pipeline/cost/pricing-table.js';
import { computeRunCost, withResolvedModels } from '../analysis/stage-cost.js';
import { loadSweepResume } from '../sweep/sweep-checkpoint.js';
import { createSweepMeasurement } from '../sweep/checkpoint-hooks.js';
import type { SweepHooks } from '../sweep/sweep-hooks.js';
import { buildRunResults, runHeader } from '../sweep/run-results.js';
import { inputDedupe, openProfileInputFile, prepareSweepInput } from '../sweep/sweep-input.js';
import { inputFractionScales } from '../sweep/input-scales.js';
import { duplicateWarning, firstCopies } from '../sweep/input-duplicates.js';
import { streamingRefusal } from '../sweep/streaming-scale.js';
import { displayPath } from '../../pipeline/support/display-path.js';
import { parseCountList } from '../profile/count-flag.js';
import { openDistributedSweep, type DistributedSweep } from '../queue/distributed-sweep.js';
import type { ProgressReporter } from '../sweep/progress-reporter.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Parse "200,1000,5000" into scales; throws naming the flag. */
export function parseScalesFlag(text: string): number[] {
  return parseCountList('--scales', text, '200,1000,5k');
}

/** Options of the sweep command. */
export interface SweepCommandOptions {
  /** Profile name or path; default quick, or input with --input. */
  profile?: string;
  scales?: string;
  seed?: string;
  /** Override the profile's `isolation`: process (a child process per cell) or thread (in this process). */
  isolation?: string;
  /** Parent folder of run folders (default runs). */
  out?: string;
  quiet?: boolean;
  /** Continue the interrupted run in this directory (its results.json and checkpoints/) instead of starting one. */
  resume?: string;
  /** A pricing YAML merged over the shipped table (pipeline/data/pricing.yaml); overrides the profile's `pricing`. */
  pricing?: string;
  /** Sweep over this conversation file instead of the profile's input (scales are nested seeded samples of it). */
  input?: string;
  /** Format of --input: auto (default), openai, kura, sharegpt, arrow, jsonl. */
  format?: string;
  /** Skip invalid records of --input (counted, first 10 line numbers in results.json sections.input). */
  skipInvalid?: boolean;
  /** Sample only the first copy of each distinct conversation of --input (profile `input.options.dedupe`). */
  dedupe?: boolean;
  /** Largest accepted conversation in --input, bytes. */
  maxConversationBytes?: string;
  /** Install SIGINT/SIGTERM handlers that print the resume command and exit 130/143 (the CLI sets this). */
  handleInterrupts?: boolean;
  /** Run the cells on `clusterbench worker`s through this Redis queue (redis:// or rediss://) instead of here. */
  queue?: string;
  /** With --queue: the shared directory for cell inputs and outputs (default <out>/cells). */
  store?: string;
  /** With an s3:// store: the S3-compatible endpoint (default $CLUSTERBENCH_S3_ENDPOINT). */
  s3Endpoint?: string;
  /** With --queue: the Redis key prefix shared with the workers (default clusterbench). */
  queuePrefix?: string;
  /** With --queue: the id that names the sweep's jobs (default the run id); the same id re-uses finished cells. */
  sweepId?: string;
  /** Last change to the resolved profile before the run (the breaking-point command sets its escalation scales here). */
  adjustProfile?: (profile: SweepProfile, file: string) => Promise<SweepProfile>;
  /** Hooks called after the harness's own for every cell and scale (tests inject a simulated kill here). */
  observers?: SweepHooks;
}

/** Run a sweep from CLI options; returns the run directory. */
export async function sweepCommand(opts: SweepCommandOptions): Promise<{ runDir: string; results: RunResults }> {
  // --input without --profile: the offline profile that chooses k itself (profiles/input.yaml).
  const profileName = opts.profile ?? (opts.input !== undefined ? 'input' : 'quick');
  const resumed = opts.resume !== undefined ? loadSweepResume(opts.resume) : undefined;
  if (
    resumed &&
    (opts.scales !== undefined || opts.seed !== undefined || opts.input !== undefined || opts.isolation !== undefined)
  )
    throw new UserError(
      '--resume continues a run with its own profile and input; drop --scales, --seed, --isolation and --input',
    );
  const { path, profile: loaded } = resumed
    ? {
        path: resolve(resumed.prior.profilePath),
        profile: await validateProfile(resumed.prior.profile, `${join(opts.resume!, 'results.json')}: profile`),
      }
    : await loadProfile(profileName);
  let profile: SweepProfile = loaded;
  if (opts.scales !== undefined || opts.seed !== undefined) {
    const seed = opts.seed !== undefined ? Number(opts.seed) : profile.seed;
    if (!Number.isInteger(seed)) throw new UserError(`--seed: "${opts.seed}" is not an integer`);
    profile = await validateProfile(
      { ...profile, seed, scales: opts.scales !== undefined ? parseScalesFlag(opts.scales) : profile.scales },
      `${displayPath(path)} (with flags)`,
    );
  }
  if (opts.isolation !== undefined) {
    if (opts.isolation !== 'process' && opts.isolation !== 'thread')
      throw new UserError(`--isolation: "${opts.isolation}" is not process or thread`);
    if (opts.queue !== undefined && opts.isolation === 'thread')
      throw new UserError(
        '--isolation thread: with --queue every cell runs in a child process of its worker; drop --isolation or --queue',
      );
    profile = { ...profile, isolation: opts.isolation };
  }
  if (opts.input !== undefined) {
    const maxBytes = opts.maxConversationBytes !== undefined ? Number(opts.maxConversationBytes) : undefined;
    if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes > 0))
      throw new UserError(`--max-conversation-bytes: "${opts.maxConversationBytes}" is not a positive integer`);
    const input = {
      kind: 'file',
      path: resolve(opts.input),
      format: opts.format ?? 'auto',
      options: {
        skipInvalid: opts.skipInvalid ?? false,
        ...(opts.dedupe ? { dedupe: true } : {}),
        ...(maxBytes !== undefined ? { maxConversationBytes: maxBytes } : {}),
      },
    };
    profile = await validateProfile({ ...profile, input }, `${displayPath(path)} (with --input)`);
    // No --scales, and the default profile or scales the file cannot fill: nested fractions of the file, up to all of it.
    if (opts.scales === undefined) {
      const file = await openProfileInputFile(profile);
      // With dedupe the file's size is its distinct conversations.
      const valid = inputDedupe(profile) ? (await firstCopies(file)).length : file.summary.valid;
      if (opts.profile === undefined || profile.scales.some((s) => s > valid))
        profile = { ...profile, scales: inputFractionScales(valid) };
    }
  } else if (opts.format !== undefined || opts.skipInvalid || opts.dedupe || opts.maxConversationBytes !== undefined) {
    throw new UserError(
      '--format, --skip-invalid, --dedupe and --max-conversation-bytes apply to --input FILE; pass --input too',
    );
  }
  if (opts.adjustProfile) profile = await opts.adjustProfile(profile, displayPath(path));
  // Refused before any work: a resumed run whose input or profile changed, and scales that cannot fit.
  if (resumed)
    await verifyResumeGuard(
      resumed.prior.sections.resumeGuard,
      resumed.prior.profile,
      displayPath(resolve(opts.resume!)),
    );
  refuseImpossibleScales(profile, displayPath(path));
  const noStreaming = streamingRefusal(profile, displayPath(path), {
    input: opts.input !== undefined,
    queue: opts.queue !== undefined || resumed?.prior.sections.workers !== undefined,
  });
  if (noStreaming) throw new UserError(noStreaming);
  // Load prices before the sweep so a bad pricing file fails fast; the profile's path is relative to the profile.
  const pricing = loadPricingTable(
    opts.pricing ?? (profile.pricing !== undefined ? resolve(dirname(path), profile.pricing) : undefined),
  );
  const progress = createProgressReporter(process.stderr, opts.quiet);
  const startedAt = resumed ? new Date(resumed.prior.startedAt) : new Date();
  // A fresh run gets its own folder, created exclusively (never shared with a sweep started at the same moment).
  const { id, runDir } = resumed
    ? { id: resumed.prior.id, runDir: resolve(opts.resume!) }
    : createRunFolder(opts.out ?? 'runs', profile.name, startedAt);
  const profilePath = resumed?.prior.profilePath ?? displayPath(path);
  const guard = resumed ? resumed.prior.sections.resumeGuard : await computeResumeGuard(profile, path);
  // A distributed sweep: its section rides in every partial results.json, so a resume finds the store and sweep id.
  const distributed = await openQueueFor(
    opts,
    resumed?.prior.sections.workers,
    id,
    displayPath(runDir),
    profile,
    progress,
  );
  // Checkpoints, partial results.json after each cell, storage, leak check, pipelines at once, worker scaling.
  const header = runHeader({
    id,
    tool: { name: 'clusterbench', version: toolVersion() },
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    profilePath,
    profile,
  });
  const measurement = createSweepMeasurement(
    runDir,
    header,
    profile,
    resumed,
    { ...(guard ? { resumeGuard: guard } : {}), ...(distributed ? { workers: distributed.section } : {}) },
    opts.observers,
  );
  if (!resumed) measurement.writeInitial();
  const removeInterruptHandler = opts.handleInterrupts ? installInterruptHandler(displayPath(runDir)) : () => {};
  try {
    return await runInFolder();
  } catch (err) {
    // A full disk or a lost folder mid-run leaves a resumable run: say so with the error.
    if (err instanceof FileWriteError)
      err.message += `; free the space and ${resumeHint(displayPath(runDir)).replace(/^run folder [^;]*; if interrupted, /, '')}`;
    throw err;
  } finally {
    removeInterruptHandler();
    await distributed?.close();
  }
  async function runInFolder(): Promise<{ runDir: string; results: RunResults }> {
    progress.log(resumeHint(displayPath(runDir)));
    if (resumed) progress.log(`resuming ${runDir}: ${resumed.manifest.cells.length} cells already done`);
    const memoryNote = memoryLimitNote(profile);
    if (memoryNote) progress.log(memoryNote);
    progress.log(
      `clusterbench sweep "${profile.name}": scales ${profile.scales.join(', ')}; stages ${profile.stages.map((s) => `${s.stage}/${s.method}`).join(' -> ')}`,
    );
    // A file input is read and validated once before the sweep; scales above its size are refused here.
    const inputSection = await prepareSweepInput(profile);
    if (inputSection)
      progress.log(
        `input ${inputSection.path}: ${inputSection.valid} valid conversations (${inputSection.format}, ${inputSection.formatSource})${inputSection.invalid.count ? `, ${inputSection.invalid.count} invalid ${inputSection.invalid.unit}s skipped (first: ${inputSection.invalid.firstLines.join(', ')})` : ''}`,
      );
    const dupWarning = duplicateWarning(inputSection?.duplicates);
    if (dupWarning)
      progress.log(
        `warning: ${dupWarning}${inputSection?.duplicates?.dropped ? ' (--dedupe: only first copies are sampled)' : '; --dedupe samples only first copies'}`,
      );
    process.env.CLUSTERBENCH_RUN_ID = id; // API stages' failure lines name the run (worker threads inherit it)
    const outcome = await runSweep(profile, {
      progress,
      hooks: measurement.hooks,
      resume: resumed?.resume,
      ...(distributed ? { executor: distributed.executor } : {}),
    });
    await distributed?.close();
    const answers = await apiAnswerSources(profile, outcome.records);
    for (const a of answers) progress.log(`api answers: ${describeAnswerSource(a)}`);
    const finished = await measurement.finish(progress);
    const cost = computeRunCost(outcome.records, await withResolvedModels(profile.stages), pricing);
    const results = buildRunResults(header, outcome, {
      ...finished,
      ...(inputSection ? { input: inputSection } : {}),
      ...(answers.length ? { apiAnswers: answers } : {}),
      memoryLimits: memoryLimitsSection(profile),
      cost,
    });
    const files = await writeRunReports(runDir, results);
    progress.log(
      `wrote ${displayPath(runDir)}/: report.md, report.html, results.json and ${files.length - 3} more files`,
    );
    return { runDir, results };
  }
}

/**
 * `--queue`: open the distributed sweep. A resumed run that went through a queue goes through one again, with its
 * store, prefix and sweep id unless the flags name others; its queue URL must be given again (no password is stored).
 */
async function openQueueFor(
  opts: SweepCommandOptions,
  prior: WorkersSection | undefined,
  runId: string,
  runDir: string,
  profile: SweepProfile,
  progress: ProgressReporter,
): Promise<DistributedSweep | undefined> {
  if (!opts.queue) {
    if (prior)
      throw new UserError(
        `${runDir} ran its cells through the queue ${prior.queue} (sweep id ${prior.sweepId}); pass --queue URL again to resume it (the password is never stored)`,
      );
    if (opts.store !== undefined || opts.queuePrefix !== undefined || opts.sweepId !== undefined)
      throw new UserError('--store, --queue-prefix and --sweep-id apply to a distributed sweep; pass --queue too');
    return undefined;
  }
  return openDistributedSweep(
    profile,
    {
      queue: opts.queue,
      store: opts.store ?? prior?.store ?? join(opts.out ?? 'runs', 'cells'),
      prefix: opts.queuePrefix ?? prior?.prefix,
      ...(opts.s3Endpoint !== undefined ? { s3Endpoint: opts.s3Endpoint } : {}),
      sweepId: opts.sweepId ?? prior?.sweepId ?? runId,
      prior,
    },
    progress,
  );
}
