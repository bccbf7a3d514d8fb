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
import { createCheckpointHooks, newManifest, type LoadedResume } from './sweep-checkpoint.js';
import type { RunHeader } from './run-results.js';
import { createStorageHooks } from '../analysis/storage-accounting.js';
import { runLeakCheck } from '../analysis/leak-check.js';
import { runConcurrentPipelines } from '../analysis/concurrent-pipelines.js';
import { runWorkerScaling } from '../analysis/worker-scaling.js';
export { runHeader } from './run-results.js';
import { createLabelingHooks } from '../analysis/labeling-agreement.js';

/** What the sweep command gets back. */
export interface SweepMeasurement {
  hooks: SweepHooks;
  /** Run the post-sweep measurements and return every section this module owns, final. */
  finish(progress: ProgressReporter): Promise<RunSections>;
}

/** Set up hooks for one sweep (fresh or resumed). */
export function createSweepMeasurement(runDir: string, header: RunHeader, profile: SweepProfile, resumed?: LoadedResume): SweepMeasurement {
  const manifest: CheckpointManifest = resumed ? resumed.manifest : newManifest();
  if (resumed) manifest.resumedAt.push(new Date().toISOString());
  const sections: RunSections = {};
  // Sections measured per scale before an interruption are kept; later scales append to them.
  if (resumed?.prior.sections.storage) sections.storage = resumed.prior.sections.storage;
  if (resumed?.prior.sections.labelings) sections.labelings = resumed.prior.sections.labelings;
  const hooks = combineHooks(
    createLabelingHooks(profile, sections), // several labelling stages: each scored, and their agreement (issue 12)
    profile.storage?.enabled ? createStorageHooks(runDir, profile, sections) : undefined,
    createCheckpointHooks({ runDir, header, sections, manifest, writeCheckpoints: profile.checkpoints?.enabled ?? true, dropCompletedScales: profile.checkpoints?.keep === 'resume' }),
  );
  return {
    hooks,
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
