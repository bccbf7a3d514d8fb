/**
 * When a profile has several stages that write labels (our k-means beside scikit-learn's, say), the per-scale
 * quality scores only the last. This keeps each labelling stage's labels per scale and scores each against the
 * ground truth (ARI, NMI) and against each other (ARI, NMI between the two labelings): `sections.labelings`.
 */
import type { SweepProfile } from '../profile/profile-schema.js';
import type { SweepHooks } from '../sweep/sweep-hooks.js';
import type { LabelingPair, LabelingScore, RunSections } from '../types.js';
export type { LabelingScore, LabelingPair, LabelingsSection } from '../types.js';
import { adjustedRandIndex } from '../../pipeline/metrics/adjusted-rand-index.js';
import { normalizedMutualInfo } from '../../pipeline/metrics/normalized-mutual-info.js';
import { loadStage } from '../../pipeline/stage-registry.js';

/** The key of the section in RunResults.sections. */
export const LABELINGS_SECTION = 'labelings';

const clusterCount = (labels: Int32Array): number => new Set(Array.from(labels).filter((l) => l >= 0)).size;

/** Hooks that fill `sections.labelings` as scales finish; they do nothing for profiles with fewer than two labelling stages. */
export function createLabelingHooks(profile: SweepProfile, sections: RunSections): SweepHooks {
  let labelling: Set<number> | undefined;
  const current = new Map<number, Int32Array>();
  let truth: Int32Array | undefined;
  return {
    async cellDone(e) {
      if (!labelling) {
        const defs = await Promise.all(profile.stages.map((s) => loadStage(s.stage, s.method)));
        labelling = new Set(defs.flatMap((d, i) => (d.writes.includes('labels') ? [i] : [])));
      }
      if (labelling.size < 2 || !labelling.has(e.stageIndex) || !e.data?.labels) return;
      // Copies: a later stage may take these buffers to a worker by transfer.
      current.set(e.stageIndex, e.data.labels.slice());
      if (e.data.truth) truth = e.data.truth.slice();
    },
    scaleDone(e) {
      const name = (i: number): string => `${profile.stages[i].stage}/${profile.stages[i].method}`;
      const entries = [...current.entries()].sort((x, y) => x[0] - y[0]);
      const known = truth && truth.some((t) => t >= 0) ? truth : undefined;
      const stages = entries.map(([i, l]): LabelingScore => ({
        stage: name(i),
        clusters: clusterCount(l),
        ...(known && known.length === l.length
          ? { ari: adjustedRandIndex(known, l), nmi: normalizedMutualInfo(known, l) }
          : {}),
      }));
      const pairs: LabelingPair[] = [];
      for (let x = 0; x < entries.length; x++) {
        for (let y = x + 1; y < entries.length; y++) {
          const [a, la] = entries[x];
          const [b, lb] = entries[y];
          if (la.length === lb.length)
            pairs.push({ a: name(a), b: name(b), ari: adjustedRandIndex(la, lb), nmi: normalizedMutualInfo(la, lb) });
        }
      }
      if (stages.length > 0) {
        const section = (sections.labelings ??= { scales: [] });
        section.scales.push({ scale: e.scale, stages, pairs });
      }
      current.clear();
      truth = undefined;
    },
  };
}
