/**
 * Stage checkpoints and resume. After each completed cell (scale x stage) the stage's output fields are written as
 * an Arrow IPC file under runs/<id>/checkpoints/n<scale>/, then results.json is rewritten (atomically) with the
 * records so far and `sections.checkpoints` (a CheckpointManifest). `clusterbench sweep --resume RUN_DIR` reads
 * both back and continues from the first cell not listed: the input is regenerated from the seed (deterministic)
 * and the completed stages' outputs are loaded from their checkpoints, so the results match an uninterrupted run.
 *
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckpointCell, CheckpointManifest, RunResults, RunSections } from '../types.js';
import type { SweepHooks, SweepResume } from './sweep-hooks.js';
import type { SweepOutcome } from '../types.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { isShuttingDown, trackWrite } from '../io/write-guard.js';
import { readResults } from './run-directory.js';
import { readPipelineFieldsFile, pipelineFieldsToTable, writeTableFileAtomic } from '../io/arrow-pipeline-data.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { buildRunResults, type RunHeader } from './run-results.js';
import { UserError } from '../../pipeline/support/user-error.js';
export type { RunHeader } from './run-results.js';

/** Options for the checkpoint hooks. */
export interface CheckpointHooksOptions {
  runDir: string;
  header: RunHeader;
  /** Live sections object (other hooks add to it, e.g. storage); written into every partial results.json. */
  sections: RunSections;
  /** Live manifest; a resumed run passes the one it read. */
  manifest: CheckpointManifest;
  /** Write Arrow checkpoints (profile `checkpoints.enabled`); partial results.json is written either way. */
  writeCheckpoints: boolean;
  /** Delete a scale's checkpoint files once the scale is complete (profile `checkpoints.keep: resume`). */
  dropCompletedScales?: boolean;
}

/** The section key of the manifest. */
export const CHECKPOINTS_SECTION = 'checkpoints';

/** A fresh manifest. */
export function newManifest(): CheckpointManifest {
  return { complete: false, cells: [], resumedAt: [] };
}

/** Relative path of a cell's checkpoint file. */
export function checkpointPath(scale: number, stageIndex: number, stage: string, method: string): string {
  return join('checkpoints', `n${scale}`, `${String(stageIndex).padStart(2, '0')}-${stage}-${method}.arrow`);
}

/** Build the results.json content for the outcome so far. */
export function partialResults(o: CheckpointHooksOptions, outcome: SweepOutcome): RunResults {
  return buildRunResults(o.header, outcome, { ...o.sections, checkpoints: o.manifest });
}

/** Hooks that checkpoint every cell and keep a partial results.json up to date. */
export function createCheckpointHooks(o: CheckpointHooksOptions): SweepHooks {
  const writePartial = (outcome: SweepOutcome): void =>
    writeFileAtomic(
      join(o.runDir, 'results.json'),
      JSON.stringify(partialResults(o, outcome), null, 1),
      'results.json after a cell',
    );
  return {
    // Tracked as one write (harness/io/write-guard.ts): an interrupt waits for the checkpoint and results.json both.
    cellDone: (e) =>
      trackWrite(async () => {
        if (isShuttingDown()) return; // interrupted: this cell may have died of the same signal; resume re-runs it
        const { spec, scale, stageIndex, data } = e;
        const cellRecords = e.outcome.records.filter(
          (r) => r.scale === scale && r.stage === spec.stage && r.method === spec.method,
        );
        const cell: CheckpointCell = {
          scale,
          stageIndex,
          stage: spec.stage,
          method: spec.method,
          outcome: data ? 'ok' : cellRecords.some((r) => r.status !== 'skipped') ? 'failed' : 'skipped',
        };
        if (data && o.writeCheckpoints) {
          const def = await loadStage(spec.stage, spec.method);
          const written = def.writes.filter((f) => data[f] !== undefined);
          cell.file = checkpointPath(scale, stageIndex, spec.stage, spec.method);
          cell.bytes = await writeTableFileAtomic(
            join(o.runDir, cell.file),
            pipelineFieldsToTable(data, written, { 'clusterbench.stage': `${spec.stage}/${spec.method}` }),
            'none',
            'checkpoint',
          );
        }
        o.manifest.cells.push(cell);
        writePartial(e.outcome);
      }),
    scaleDone(e) {
      if (isShuttingDown()) return;
      if (o.dropCompletedScales) {
        for (const c of o.manifest.cells) if (c.scale === e.scale && c.file) delete c.file; // bytes stay as a record
      }
      writePartial(e.outcome);
      // After results.json says the scale is done: a kill in between leaves files that are merely unused.
      if (o.dropCompletedScales) rmSync(join(o.runDir, 'checkpoints', `n${e.scale}`), { recursive: true, force: true });
    },
  };
}

/** What `sweep --resume` needs from a run directory. */
export interface LoadedResume {
  prior: RunResults;
  manifest: CheckpointManifest;
  resume: SweepResume;
}

/** Read an interrupted run back; errors say what is wrong with the directory. */
export function loadSweepResume(runDirArg: string): LoadedResume {
  const runDir = resolve(runDirArg);
  const prior = readResults(runDir);
  const manifest = prior.sections.checkpoints;
  if (!manifest) {
    throw new UserError(
      `${join(runDir, 'results.json')}: no sections.checkpoints, so this run cannot be resumed (it was written before checkpoints existed)`,
    );
  }
  if (manifest.complete) throw new UserError(`${runDir}: the sweep already finished; nothing to resume`);
  const cellAt = (scale: number, i: number): CheckpointCell | undefined =>
    manifest.cells.find((c) => c.scale === scale && c.stageIndex === i);
  // Sections written before the kill (e.g. the cluster map of a finished scale) carry over; fresh ones replace them.
  const outcome: SweepOutcome = {
    records: prior.records,
    scales: prior.scales,
    breakingPoints: prior.breakingPoints,
    sections: { ...prior.sections },
  };
  const resume: SweepResume = {
    outcome,
    isScaleDone: (scale) => prior.scales.some((s) => s.scale === scale),
    isCellDone: (scale, i) => cellAt(scale, i) !== undefined,
    restoreStageState(stages) {
      for (const c of manifest.cells) {
        const st = stages[c.stageIndex];
        if (!st) continue;
        if (c.outcome === 'failed' && st.brokeAt === undefined) st.brokeAt = c.scale;
        if (c.outcome === 'ok') st.lastPassed = c.scale;
      }
    },
    async restoreCell(scale, i, data) {
      const c = cellAt(scale, i);
      if (!c || c.outcome !== 'ok' || !data) return undefined;
      if (!c.file)
        throw new UserError(
          `${runDir}: cell n=${scale} ${c.stage}/${c.method} has no checkpoint file (checkpoints were disabled), so it cannot be resumed`,
        );
      let read: Awaited<ReturnType<typeof readPipelineFieldsFile>>;
      try {
        read = await readPipelineFieldsFile(join(runDir, c.file));
      } catch (err) {
        throw new UserError(`${join(runDir, c.file)}: cannot read checkpoint (${(err as Error).message})`);
      }
      const { n, fields } = read;
      if (n !== data.n)
        throw new UserError(`${join(runDir, c.file)}: checkpoint has ${n} rows, the regenerated input has ${data.n}`);
      return { ...data, ...fields, n };
    },
  };
  return { prior, manifest, resume };
}
