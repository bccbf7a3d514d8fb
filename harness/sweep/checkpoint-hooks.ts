/**
 * Wires the measurement extras into a sweep: checkpoints + partial results.json after every cell, storage
 * accounting after every scale (profile `storage:`), and after the sweep the leak check, pipelines at once and
 * worker scaling (profile `leakCheck:`, `concurrentPipelines:`, `workerScaling:`). sweep-command.ts calls
 * createSweepMeasurement before runSweep and finish() after it.
 */
import type { CheckpointManifest, RunSections } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { ProgressReporter } from './progress-reporter.js';
import { combineHooks, type SweepHooks } from './sweep-hooks.js';
import { join } from 'node:path';
import { createCheckpointHooks, newManifest, partialResults, type LoadedResume } from './sweep-checkpoint.js';
import type { RunHeader } from './run-results.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { createStorageHooks } from '../analysis/storage-accounting.js';
import { runLeakCheck } from '../analysis/leak-check.js';
import { runConcurrentPipelines } from '../analysis/concurrent-pipelines.js';
import { runWorkerScaling } from '../analysis/worker-scaling.js';
import { createLabelingHooks } from '../analysis/labeling-agreement.js';
import { createClusterOutputHooks } from './cluster-topics.js';
export { runHeader } from './run-results.js';

/** What the sweep command gets back. */
export interface SweepMeasurement {
  hooks: SweepHooks;
  /** Write results.json with no records yet (a fresh run), so an interrupt before the first cell leaves a resumable run. */
  writeInitial(): void;
  /** Run the post-sweep measurements and return every section this module owns, final. */
  finish(progress: ProgressReporter): Promise<RunSections>;
}

/** Set up hooks for one sweep (fresh or resumed). */
/** `observers` run last, after the checkpoint of each cell is written (tests use them to simulate a kill). */
export function createSweepMeasurement(
  runDir: string,
  header: RunHeader,
  profile: SweepProfile,
  resumed?: LoadedResume,
  initialSections: RunSections = {},
  observers?: SweepHooks,
): SweepMeasurement {
  const manifest: CheckpointManifest = resumed ? resumed.manifest : newManifest();
  if (resumed) manifest.resumedAt.push(new Date().toISOString());
  // initialSections (the resume guard) ride in every partial results.json and in the final one.
  const sections: RunSections = { ...initialSections };
  // Sections measured per scale before an interruption are kept; later scales append to them.
  if (resumed?.prior.sections.storage) sections.storage = resumed.prior.sections.storage;
  if (resumed?.prior.sections.labelings) sections.labelings = resumed.prior.sections.labelings;
  if (resumed?.prior.sections.topics) sections.topics = resumed.prior.sections.topics;
  const hooks = combineHooks(
    createClusterOutputHooks(runDir, sections), // clusters/<scale>.jsonl and sections.topics (issue 14)
    createLabelingHooks(profile, sections), // several labelling stages: each scored, and their agreement (issue 12)
    profile.storage?.enabled ? createStorageHooks(runDir, profile, sections) : undefined,
    createCheckpointHooks({
      runDir,
      header,
      sections,
      manifest,
      writeCheckpoints: profile.checkpoints?.enabled ?? true,
      dropCompletedScales: profile.checkpoints?.keep === 'resume',
    }),
    observers,
  );
  return {
    hooks,
    writeInitial() {
      // A run is resumable from its first record on: results.json exists before the first stage starts.
      writeFileAtomic(
        join(runDir, 'results.json'),
        JSON.stringify(
          partialResults(
            { runDir, header, sections, manifest, writeCheckpoints: false },
            { records: [], scales: [], breakingPoints: [], sections: {} },
          ),
          null,
          1,
        ),
        'results.json at the start',
      );
    },
    async finish(progress) {
      manifest.complete = true;
      const out: RunSections = { ...sections, checkpoints: manifest };
      if (profile.leakCheck?.enabled) {
        progress.log('leak check: same cell repeated in one worker, heap after forced GC');
        out.leakCheck = await runLeakCheck(profile, progress);
      }
      if (profile.concurrentPipelines?.enabled) {
        progress.log('pipelines at once: P copies of the pipeline concurrently');
        out.concurrentPipelines = await runConcurrentPipelines(profile, progress);
      }
      if (profile.workerScaling?.enabled) {
        progress.log('worker scaling: stages with 1..C workers');
        out.workerScaling = await runWorkerScaling(profile, progress);
      }
      return out;
    },
  };
}
