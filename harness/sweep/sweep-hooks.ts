/**
 * What runSweep tells observers as it goes (checkpoints, partial results, storage accounting), and what it needs
 * to resume an interrupted run. Kept out of sweep-runner.ts so the runner only calls them.
 */
import type { PipelineData } from '../types.js';
import type { StageSpec } from '../profile/profile-schema.js';
import type { SweepOutcome } from '../types.js';

/** A stage finished all its repeats at one scale (or was skipped there). */
export interface SweepCellEvent {
  scale: number;
  stageIndex: number;
  spec: StageSpec;
  /** The pipeline data after the stage; undefined when it failed or was skipped. */
  data?: PipelineData;
  /** Everything measured so far (live arrays). */
  outcome: SweepOutcome;
}

/** A scale finished: its ScaleSummary is in outcome.scales. */
export interface SweepScaleEvent {
  scale: number;
  /** The pipeline data after the last stage; undefined when a stage failed. */
  data?: PipelineData;
  outcome: SweepOutcome;
  /** Intent names by truth id, when the input has them. */
  intents?: string[];
}

/** Observers of a sweep; each is awaited, and an error from one ends the sweep (as a crash would). */
export interface SweepHooks {
  cellDone?(e: SweepCellEvent): Promise<void> | void;
  scaleDone?(e: SweepScaleEvent): Promise<void> | void;
}

/** An interrupted sweep's state, from runs/<id>/results.json and runs/<id>/checkpoints/. */
export interface SweepResume {
  /** Records, scale summaries and breaking points of the completed cells. */
  outcome: SweepOutcome;
  isScaleDone(scale: number): boolean;
  isCellDone(scale: number, stageIndex: number): boolean;
  /** Set each stage's first failing and last passing scale (index = stage index) from the completed cells. */
  restoreStageState(stages: { brokeAt?: number; lastPassed?: number }[]): void;
  /** Merge a completed cell's checkpointed output into data; undefined when that cell failed or was skipped. */
  restoreCell(scale: number, stageIndex: number, data: PipelineData | undefined): Promise<PipelineData | undefined>;
}

/** Call several hook sets in order. */
export function combineHooks(...sets: (SweepHooks | undefined)[]): SweepHooks {
  const hs = sets.filter((h): h is SweepHooks => h !== undefined);
  return {
    async cellDone(e) {
      for (const h of hs) await h.cellDone?.(e);
    },
    async scaleDone(e) {
      for (const h of hs) await h.scaleDone?.(e);
    },
  };
}
