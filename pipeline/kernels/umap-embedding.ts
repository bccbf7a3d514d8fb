/**
 * UMAP through umap-js (McInnes et al.; nearest-neighbour descent, then SGD on the fuzzy graph), shared by
 * project/umap (2-D cluster map) and reduce/umap (pre-cluster reduction, as BERTopic does). umap-js works on arrays
 * of float64 arrays and is single-threaded, so it is for maps of up to tens of thousands of points; larger inputs
 * run until the stage's time budget, which the sweep records as a breaking point.
 */
import { UMAP } from 'umap-js';
import type { Matrix } from '../contracts.js';
import { matrixToRows, rowsToMatrix } from './matrix-rows.js';
import { mulberry32 } from '../support/seeded-random.js';
import { vectorFieldOption, type VectorField } from '../stages/vector-input.js';
import { integerOption, numberOption } from '../stage-options.js';
import { z } from 'zod/v4';

/** Options for a UMAP stage. */
export interface UmapOptions {
  components: number;
  nNeighbors: number;
  minDist: number;
  /** SGD epochs; 0 = umap-js' default (by n). */
  nEpochs: number;
  field: VectorField;
}

/** The option keys of a UMAP stage (a zod shape); `components` and `field` default per stage. */
export function umapOptionShape(defaultComponents: number, defaultField: VectorField) {
  return {
    components: integerOption(1).default(defaultComponents),
    nNeighbors: integerOption(2).default(15),
    minDist: numberOption(0).default(0.1),
    nEpochs: integerOption(0, undefined, 'must be an integer >= 0 (0 = default)').default(0),
    field: vectorFieldOption(defaultField),
  };
}

/** UMAP options with every default (for benches and tests that call umapEmbed directly). */
export function defaultUmapOptions(components: number): UmapOptions {
  return z.strictObject(umapOptionShape(components, 'auto')).parse({});
}

/** Embed x with UMAP into `components` dimensions, seeded. */
export async function umapEmbed(
  x: Matrix,
  o: UmapOptions,
  seed: number,
  onEpoch?: (epoch: number) => void,
): Promise<Matrix> {
  if (x.rows < 3) throw new Error(`UMAP needs at least 3 points, got ${x.rows}`);
  const umap = new UMAP({
    nComponents: o.components,
    nNeighbors: Math.min(o.nNeighbors, x.rows - 1),
    minDist: o.minDist,
    ...(o.nEpochs > 0 ? { nEpochs: o.nEpochs } : {}),
    random: mulberry32(seed),
  });
  const out = await umap.fitAsync(matrixToRows(x), (epoch) => {
    if (onEpoch && epoch % 50 === 0) onEpoch(epoch);
  });
  return rowsToMatrix(out, o.components);
}
