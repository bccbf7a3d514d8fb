/**
 * The API side of a sweep. With `api: simulated` it starts the simulator in-process (main thread) before the
 * pools and stops it after, and hands its URL to the API stages through their options (stages run in piscina
 * workers, so an in-memory handle would not reach them). With `api: env` (the default) the workers read
 * OPENAI_BASE_URL / OPENAI_API_KEY themselves. It also runs the profile's concurrency sweep after an API stage
 * finished at the chosen scale, and puts `sections.concurrency` and `sections.apiSimulator` into the results.
 */
import type { PipelineData, RunSections } from '../types.js';
import type { StageSpec, SweepProfile } from '../profile/profile-schema.js';
import type { ProgressReporter } from './progress-reporter.js';
import { loadStage } from '../../pipeline/stage-registry.js';
import { startSimulator, type RunningSimulator } from '../api-simulator/simulator-server.js';
import { sweepStageConcurrency, type ConcurrencySection } from './concurrency-sweep.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** The API key handed to stages for the in-process simulator (it accepts any). */
export const SIMULATOR_API_KEY = 'sk-clusterbench-simulated';

/** What runSweep holds for the API side of one sweep. */
export interface SweepApi {
  /** The profile with the simulator's baseURL/apiKey in each API stage's options (the input profile when none). */
  profile: SweepProfile;
  /** After stage `index` finished at `scale` with merged `data`: run the concurrency sweep if this is its cell. */
  afterStage(index: number, spec: StageSpec, scale: number, data: PipelineData): Promise<void>;
  /** Add this sweep's sections (concurrency, apiSimulator) to the results' sections. */
  addSections(sections: RunSections): void;
  stop(): Promise<void>;
}

const label = (s: { stage: string; method: string }): string => `${s.stage}/${s.method}`;

/** Prepare the API side of a sweep; throws a clear error for a profile that cannot reach any API. */
export async function startSweepApi(profile: SweepProfile, progress: ProgressReporter): Promise<SweepApi> {
  const defs = await Promise.all(profile.stages.map((s) => loadStage(s.stage, s.method)));
  const apiIdx = defs.flatMap((d, i) => (d.usesApi ? [i] : []));
  const mode = profile.api?.mode ?? 'env';
  const conc = profile.concurrency;
  const sweepIdx = new Set(
    conc ? apiIdx.filter((i) => !conc.stages || conc.stages.includes(label(profile.stages[i]))) : [],
  );
  if (conc) {
    const bad = conc.stages?.find((s) => !apiIdx.some((i) => label(profile.stages[i]) === s));
    if (bad)
      throw new UserError(
        `profile: concurrency.stages: "${bad}" is not an API stage of this profile (API stages: ${apiIdx.map((i) => label(profile.stages[i])).join(', ') || 'none'})`,
      );
    if (conc.scale !== undefined && !profile.scales.includes(conc.scale))
      throw new UserError(
        `profile: concurrency.scale: ${conc.scale} is not one of scales [${profile.scales.join(', ')}]`,
      );
  }
  const sweepScale = conc?.scale ?? Math.max(...profile.scales);
  let sim: RunningSimulator | undefined;
  let prepared = profile;
  if (apiIdx.length > 0 && mode === 'simulated') {
    sim = await startSimulator(profile.api!.simulator);
    const { baseURL } = sim;
    progress.log(
      `api: simulator listening at ${baseURL} (rpm ${sim.config.rateLimits.rpm || '∞'}, tpm ${sim.config.rateLimits.tpm || '∞'})`,
    );
    prepared = {
      ...profile,
      stages: profile.stages.map((s, i) =>
        defs[i].usesApi
          ? {
              ...s,
              options: {
                baseURL,
                apiKey: SIMULATOR_API_KEY,
                ...(s.options.baseURL === undefined ? { answeredBy: 'simulated' } : {}),
                ...s.options,
              },
            }
          : s,
      ),
    };
  } else if (
    apiIdx.length > 0 &&
    !process.env.OPENAI_API_KEY &&
    apiIdx.some((i) => profile.stages[i].options.apiKey === undefined)
  ) {
    throw new UserError(
      `profile uses ${apiIdx.map((i) => label(profile.stages[i])).join(', ')} but OPENAI_API_KEY is not set: set it (and OPENAI_BASE_URL for a compatible server), or add \`api: simulated\` to the profile`,
    );
  }
  const section: ConcurrencySection | undefined = conc
    ? {
        kneeThreshold: conc.kneeThreshold,
        api: mode,
        stages: [],
        ...(sim
          ? {
              simulator: {
                ...sim.config.rateLimits,
                ttft: sim.config.ttft,
                tokensPerSec: sim.config.tokensPerSec,
                embeddingLatency: sim.config.embeddingLatency,
              },
            }
          : {}),
      }
    : undefined;
  return {
    profile: prepared,
    async afterStage(index, spec, scale, data) {
      if (!conc || !section || scale !== sweepScale || !sweepIdx.has(index)) return;
      progress.log(`concurrency sweep of ${label(spec)} at n=${scale}: levels ${conc.levels.join(', ')}`);
      section.stages.push(
        await sweepStageConcurrency(spec, prepared, data, scale, conc.levels, conc.kneeThreshold, conc.roundsPerLevel, {
          beforeLevel: sim
            ? () => {
                sim.resetRateLimits();
                sim.resetPeakInFlight();
              }
            : undefined,
          stats: sim ? () => sim.stats() : undefined,
          log: (line) => progress.log(line),
        }),
      );
    },
    addSections(sections) {
      if (section) sections.concurrency = section;
      if (sim) sections.apiSimulator = sim.stats();
    },
    async stop() {
      await sim?.close();
    },
  };
}
