/**
 * The input of one stage at one scale, for profiling it alone: the scale's conversations are regenerated from the
 * profile's seed (deterministic), and each earlier stage's output is read from the run's Arrow checkpoint when one
 * is given and has it, or recomputed in this thread otherwise. Seeds are derived exactly as in the sweep, so the
 * profiled stage sees the same data it saw there.
 */
import { join, resolve } from 'node:path';
import type { PipelineData, StageDefinition } from '../types.js';
import type { SweepProfile, StageSpec } from '../profile/profile-schema.js';
import { buildScaleInput } from '../sweep/sweep-input.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { parseStageOptions } from '../../pipeline/stage-options.js';
import { pickFields } from '../../pipeline/pipeline-fields.js';
import { deriveSeed } from '../../pipeline/support/seeded-random.js';
import { stageLabel } from '../sweep/stage-run.js';
import { readPipelineFieldsFile } from '../io/arrow-pipeline-data.js';
import { readResults } from '../sweep/run-directory.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** A stage ready to run on its input. */
export interface PreparedStage {
  spec: StageSpec;
  stageIndex: number;
  def: StageDefinition<unknown>;
  options: unknown;
  seed: number;
  /** Only the fields the stage reads, plus n. */
  input: PipelineData;
  /** How each earlier stage's output was obtained, e.g. "embed/hashing: checkpoint". */
  sources: string[];
}

/** Find a stage in the profile by "kind" or "kind/method"; the error lists the profile's stages. */
export function findStageSpec(profile: SweepProfile, stage: string): { spec: StageSpec; index: number } {
  const [kind, method] = stage.split('/');
  const index = profile.stages.findIndex((s) => s.stage === kind && (method === undefined || s.method === method));
  if (index < 0)
    throw new UserError(
      `--stage: profile "${profile.name}" has no stage "${stage}"; its stages are ${profile.stages.map(stageLabel).join(', ')} (pick another with --profile)`,
    );
  return { spec: profile.stages[index], index };
}

const noopContext = (seed: number) => ({ seed, sample() {}, count() {}, observe() {} });

/** Build the input of `stage` at `scale`. `runDir` (optional) is a run whose checkpoints may hold earlier outputs. */
export async function prepareStageInput(
  profile: SweepProfile,
  stage: string,
  scale: number,
  opts: { runDir?: string; log?: (line: string) => void } = {},
): Promise<PreparedStage> {
  const { spec, index } = findStageSpec(profile, stage);
  const manifest = opts.runDir ? readResults(resolve(opts.runDir)).sections.checkpoints : undefined;
  let data: PipelineData = (await buildScaleInput(profile, scale)).data;
  const sources: string[] = [];
  for (let i = 0; i < index; i++) {
    const s = profile.stages[i];
    const cell = manifest?.cells?.find((c) => c.scale === scale && c.stageIndex === i && c.outcome === 'ok' && c.file);
    if (cell?.file) {
      const { n, fields } = await readPipelineFieldsFile(join(resolve(opts.runDir!), cell.file));
      if (n !== data.n)
        throw new UserError(`${cell.file}: checkpoint has ${n} rows, the regenerated input has ${data.n}`);
      data = { ...data, ...fields };
      sources.push(`${stageLabel(s)}: checkpoint ${cell.file}`);
      continue;
    }
    const def = await loadStage(s.stage, s.method);
    const options = parseStageOptions(def, s.options, `stages[${i}].options`);
    const t0 = performance.now();
    data = { ...data, ...(await def.run(data, options, noopContext(deriveSeed(profile.seed, stageLabel(s))))) };
    sources.push(`${stageLabel(s)}: recomputed in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    opts.log?.(`prepared ${stageLabel(s)} at n=${scale}`);
  }
  const def = await loadStage(spec.stage, spec.method);
  const input = pickFields(data, def.reads);
  return {
    spec,
    stageIndex: index,
    def,
    options: parseStageOptions(def, spec.options, `stages[${index}].options`),
    seed: deriveSeed(profile.seed, stageLabel(spec)),
    input,
    sources,
  };
}
