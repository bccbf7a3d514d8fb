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
import { parseVectorField, type VectorField } from '../stages/vector-input.js';

/** Options for a UMAP stage. */
export interface UmapOptions {
  components: number;
  nNeighbors: number;
  minDist: number;
  /** SGD epochs; 0 = umap-js' default (by n). */
  nEpochs: number;
  field: VectorField;
}

/** Validate UMAP options; `components` defaults per stage. */
export function parseUmapOptions(raw: Record<string, unknown>, defaultComponents: number): UmapOptions {
  const components = raw.components ?? defaultComponents;
  const nNeighbors = raw.nNeighbors ?? 15;
  const minDist = raw.minDist ?? 0.1;
  const nEpochs = raw.nEpochs ?? 0;
  if (!Number.isInteger(components) || (components as number) < 1) throw new Error('components: must be a positive integer');
  if (!Number.isInteger(nNeighbors) || (nNeighbors as number) < 2) throw new Error('nNeighbors: must be an integer >= 2');
  if (typeof minDist !== 'number' || minDist < 0) throw new Error('minDist: must be a number >= 0');
  if (!Number.isInteger(nEpochs) || (nEpochs as number) < 0) throw new Error('nEpochs: must be an integer >= 0 (0 = default)');
  return { components: components as number, nNeighbors: nNeighbors as number, minDist, nEpochs: nEpochs as number, field: parseVectorField(raw.field) };
}

/** Embed x with UMAP into `components` dimensions, seeded. */
export async function umapEmbed(x: Matrix, o: UmapOptions, seed: number, onEpoch?: (epoch: number) => void): Promise<Matrix> {
  if (x.rows < 3) throw new Error(`UMAP needs at least 3 points, got ${x.rows}`);
  const umap = new UMAP({
    nComponents: o.components,
    nNeighbors: Math.min(o.nNeighbors, x.rows - 1),
    minDist: o.minDist,
    ...(o.nEpochs > 0 ? { nEpochs: o.nEpochs } : {}),
    random: mulberry32(seed),
  });
  const out = await umap.fitAsync(matrixToRows(x), (epoch) => { if (onEpoch && epoch % 50 === 0) onEpoch(epoch); });
  return rowsToMatrix(out, o.components);
}
