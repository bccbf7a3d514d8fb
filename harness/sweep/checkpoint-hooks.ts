/**
 * Wires the measurement extras into a sweep: checkpoints + partial results.json after every cell, storage
 * accounting after every scale (profile `storage:`), and after the sweep the leak check, pipelines at once and
 * worker scaling (profile `leakCheck:`, `concurrentPipelines:`, `workerScaling:`). sweep-command.ts calls
 * createSweepMeasurement before runSweep and finish() after it.
 */
import type { CheckpointManifest, RunResults, StorageSection } from '../types.js';
import type { SweepProfile } from '../profile/profile-schema.js';
import type { ProgressReporter } from './progress-reporter.js';
import { combineHooks, type SweepHooks } from './sweep-hooks.js';
import { join } from 'node:path';
import { CHECKPOINTS_SECTION, createCheckpointHooks, newManifest, partialResults, type LoadedResume, type RunHeader } from './sweep-checkpoint.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { createStorageHooks, STORAGE_SECTION } from '../analysis/storage-accounting.js';
import { runLeakCheck, LEAK_CHECK_SECTION } from '../analysis/leak-check.js';
import { runConcurrentPipelines, CONCURRENT_PIPELINES_SECTION } from '../analysis/concurrent-pipelines.js';
import { runWorkerScaling, WORKER_SCALING_SECTION } from '../analysis/worker-scaling.js';
import { createLabelingHooks, LABELINGS_SECTION } from '../analysis/labeling-agreement.js';

/** What the sweep command gets back. */
export interface SweepMeasurement {
  hooks: SweepHooks;
  /** Write results.json with no records yet (a fresh run), so an interrupt before the first cell leaves a resumable run. */
  writeInitial(): void;
  /** Run the post-sweep measurements and return every section this module owns, final. */
  finish(progress: ProgressReporter): Promise<Record<string, unknown>>;
}

/** Set up hooks for one sweep (fresh or resumed). */
export function createSweepMeasurement(runDir: string, header: RunHeader, profile: SweepProfile, resumed?: LoadedResume, initialSections: Record<string, unknown> = {}): SweepMeasurement {
  const priorSections = resumed?.prior.sections ?? {};
  const manifest: CheckpointManifest = resumed ? resumed.manifest : newManifest();
  if (resumed) manifest.resumedAt.push(new Date().toISOString());
  // initialSections (the resume guard) ride in every partial results.json and in the final one.
  const sections: Record<string, unknown> = { ...initialSections };
  // Sections measured per scale before an interruption are kept; later scales append to them.
  if (priorSections[STORAGE_SECTION]) sections[STORAGE_SECTION] = priorSections[STORAGE_SECTION] as StorageSection;
  if (priorSections[LABELINGS_SECTION]) sections[LABELINGS_SECTION] = priorSections[LABELINGS_SECTION];
  const hooks = combineHooks(
    createLabelingHooks(profile, sections), // several labelling stages: each scored, and their agreement (issue 12)
    profile.storage?.enabled ? createStorageHooks(runDir, profile, sections) : undefined,
    createCheckpointHooks({ runDir, header, sections, manifest, writeCheckpoints: profile.checkpoints?.enabled ?? true, dropCompletedScales: profile.checkpoints?.keep === 'resume' }),
  );
  return {
    hooks,
    writeInitial() {
      // A run is resumable from its first record on: results.json exists before the first stage starts.
      writeFileAtomic(join(runDir, 'results.json'), JSON.stringify(partialResults({ runDir, header, sections, manifest, writeCheckpoints: false }, { records: [], scales: [], breakingPoints: [], sections: {} }), null, 1), 'results.json at the start');
    },
    async finish(progress) {
      manifest.complete = true;
      const out: Record<string, unknown> = { ...sections, [CHECKPOINTS_SECTION]: manifest };
      if (profile.leakCheck?.enabled) {
        progress.log('leak check: same cell repeated in one worker, heap after forced GC');
        out[LEAK_CHECK_SECTION] = await runLeakCheck(profile, progress);
      }
      if (profile.concurrentPipelines?.enabled) {
        progress.log('pipelines at once: P copies of the pipeline concurrently');
        out[CONCURRENT_PIPELINES_SECTION] = await runConcurrentPipelines(profile, progress);
      }
      if (profile.workerScaling?.enabled) {
        progress.log('worker scaling: stages with 1..C workers');
        out[WORKER_SCALING_SECTION] = await runWorkerScaling(profile, progress);
      }
      return out;
    },
  };
}

/** The header of results.json for a run (constant while it runs). */
export function runHeader(results: Pick<RunResults, 'id' | 'tool' | 'startedAt' | 'machine' | 'profilePath' | 'profile'>): RunHeader {
  return { schemaVersion: 1, ...results };
}
