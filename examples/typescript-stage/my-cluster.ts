/**
 * A user's own stage, type-checked against the package's public types (`import type ... from 'clusterbench'`).
 * "Nearest seed" clustering: k rows picked with the stage's seed become centres; every row joins the centre with the
 * largest dot product (the embeddings are L2-normalised, so that is cosine similarity). One pass, O(n·k·d).
 *
 * Build: npx tsc -p examples/typescript-stage/tsconfig.json; use from a profile as
 *   - { stage: cluster, method: "module:./my-cluster.js", options: { k: 12 } }
 * Its options are a zod/v4 schema, so `zod` must resolve from where the built file lies (as in any project that
 * depends on clusterbench, which depends on zod).
 */
import type { Matrix, PipelineData, StageContext, StageDefinition } from 'clusterbench';
import { z } from 'zod/v4';

interface NearestSeedOptions {
  k: number;
  /** Throw above this many rows (to show a breaking point being bisected); 0 = never. */
  failAbove: number;
}

/** mulberry32: small seeded generator, so the same seed picks the same centres. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nearestSeed: StageDefinition<NearestSeedOptions> = {
  kind: 'cluster',
  method: 'nearest-seed',
  reads: ['embeddings'],
  writes: ['labels'],
  // The profile loader checks the options against this schema (unknown keys refused, with file, line and key).
  options: z.strictObject({
    k: z.number().int().min(1, 'must be at least 1').default(8),
    failAbove: z.number().int().min(0, 'must be a non-negative integer').default(0),
  }),
  run(input: PipelineData, { k, failAbove }, ctx: StageContext): Partial<PipelineData> {
    const m: Matrix | undefined = input.embeddings;
    if (!m) throw new Error('nearest-seed needs embeddings');
    if (failAbove > 0 && m.rows > failAbove)
      throw new Error(`nearest-seed refuses ${m.rows} rows (failAbove ${failAbove})`);
    const next = random(ctx.seed);
    const centres: number[] = [];
    while (centres.length < Math.min(k, m.rows)) {
      const r = Math.floor(next() * m.rows);
      if (!centres.includes(r)) centres.push(r);
    }
    const labels = new Int32Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let best = -Infinity;
      for (let c = 0; c < centres.length; c++) {
        let dot = 0;
        const a = i * m.cols;
        const b = centres[c] * m.cols;
        for (let j = 0; j < m.cols; j++) dot += m.data[a + j] * m.data[b + j];
        if (dot > best) {
          best = dot;
          labels[i] = c;
        }
      }
      if (i % 1000 === 999) ctx.sample(`row ${i + 1}`);
    }
    ctx.count('nearestSeed.comparisons', m.rows * centres.length);
    return { labels };
  },
};

export default nearestSeed;
