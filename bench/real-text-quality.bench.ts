/**
 * Clustering quality on real, human-written, labelled text (bench/data/ATTRIBUTION.md: CLINC150, CC BY 3.0;
 * BANKING77, CC BY 4.0). Per dataset, computed in this run:
 *   - the baseline: scikit-learn's TfidfVectorizer() + KMeans given the true number of intents (tfidf-kmeans-baseline.ts);
 *   - the default offline pipeline exactly as `clusterbench sweep --input FILE` runs it with no other flag (it chooses
 *     k itself), scored on the full-file scale, with its embed stage's conversations per CPU-second;
 *   - each offline embedder (hashing, tfidf, static, use-lite) + k-means at the true k and at k: auto.
 * CLINC150 val is the tuning set; CLINC150 test and BANKING77 test are verification only.
 * Then the synthetic generator at its default difficulty through the default pipeline (reconstruction accuracy),
 * beside Clio's published 94%. BENCH_SKIP_USE_LITE=1 leaves out use-lite (about 5 ms of CPU per text).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sweepCommand } from '../harness/commands/sweep-command.js';
import { renderTextTable } from '../harness/io/text-table.js';
import { packageRoot } from '../pipeline/support/package-root.js';
import { packTexts } from '../pipeline/support/text-column.js';
import { hashEmbed } from '../pipeline/stages/embed/hashing.js';
import { tfidfEmbed, tfidfEmbedder } from '../pipeline/stages/embed/tfidf.js';
import { centreRows, loadStaticModel, staticEmbed, staticEmbedder } from '../pipeline/stages/embed/static.js';
import { parseStageOptions } from '../pipeline/stage-options.js';
import { useLiteEmbed } from '../pipeline/stages/embed/use-lite.js';
import { kmeans } from '../pipeline/stages/cluster/kmeans.js';
import { chooseK } from '../pipeline/kernels/choose-k.js';
import { normalizedMutualInfo } from '../pipeline/metrics/normalized-mutual-info.js';
import { adjustedRandIndex } from '../pipeline/metrics/adjusted-rand-index.js';
import { tfidfKMeansBaseline } from './tfidf-kmeans-baseline.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Matrix, TextColumn } from '../harness/types.js';

const skipUseLite = process.env.BENCH_SKIP_USE_LITE === '1';
const DATASETS = [
  { name: 'CLINC150 val (tuning)', file: 'clinc150-val.jsonl' },
  { name: 'CLINC150 test', file: 'clinc150-test.jsonl' },
  { name: 'BANKING77 test', file: 'banking77-test.jsonl' },
];

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function load(file: string): { texts: string[]; truth: Int32Array; k: number } {
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { messages: { content: string }[]; truth: { intent: string } });
  const ids = new Map<string, number>();
  const truth = Int32Array.from(
    rows.map((r) => {
      if (!ids.has(r.truth.intent)) ids.set(r.truth.intent, ids.size);
      return ids.get(r.truth.intent)!;
    }),
  );
  return { texts: rows.map((r) => r.messages[0].content), truth, k: ids.size };
}

function bestOf(x: Matrix, k: number, nInit: number): Int32Array {
  let best: { labels: Int32Array; inertia: number } | undefined;
  for (let r = 0; r < nInit; r++) {
    const run = kmeans(x, k, { maxIterations: 100, tolerance: 1e-4, seed: 42 + r });
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!.labels;
}

const f3 = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));
const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}`;

const embedders: { name: string; run: (col: TextColumn) => Promise<Matrix> | Matrix }[] = [
  { name: 'hashing 256', run: (col) => hashEmbed(col, { dims: 256, field: 'summaries', bigrams: true }) },
  { name: 'tfidf (defaults)', run: (col) => tfidfEmbed(col, parseStageOptions(tfidfEmbedder, {})) },
  {
    name: 'static (defaults)',
    run: async (col) => {
      const o = parseStageOptions(staticEmbedder, {});
      const m = staticEmbed(col, await loadStaticModel(o));
      if (o.centre) centreRows(m);
      return m;
    },
  },
  ...(skipUseLite ? [] : [{ name: 'use-lite', run: (col: TextColumn) => useLiteEmbed(col, { batchSize: 64 }) }]),
];

// Load the static table once (built at first use) so its build is not timed as embedding.
await loadStaticModel(parseStageOptions(staticEmbedder, {}));
const out = mkdtempSync(join(tmpdir(), 'clusterbench-quality-'));
const summary: string[][] = [];
try {
  for (const ds of DATASETS) {
    const path = join(packageRoot(), 'bench', 'data', ds.file);
    const { texts, truth, k } = load(path);
    const rows: string[][] = [];
    let c0 = cpuMs();
    const base = tfidfKMeansBaseline(texts, k, 10);
    const baseNmi = normalizedMutualInfo(truth, base);
    rows.push([
      'sklearn-style TF-IDF + k-means (baseline)',
      `${k} (true)`,
      f3(baseNmi),
      f3(adjustedRandIndex(truth, base)),
      '-',
      `${((cpuMs() - c0) / 1000).toFixed(1)} s`,
    ]);

    // The default pipeline, as a user runs it.
    c0 = cpuMs();
    const t0 = performance.now();
    const { results } = await sweepCommand({ input: path, out, quiet: true });
    const last = results.scales[results.scales.length - 1];
    const embed = results.records.find((r) => r.scale === last.scale && r.stage === 'embed');
    const cluster = results.records.find((r) => r.scale === last.scale && r.stage === 'cluster');
    const embedCpu = embed ? embed.cpuUserMs + embed.cpuSystemMs : NaN;
    const chosenK = cluster?.counters.k ?? last.quality.clusterCount ?? 0;
    rows.push([
      `default: sweep --input (${results.records
        .filter((r) => r.scale === last.scale)
        .map((r) => r.method)
        .join(' > ')})`,
      `${chosenK} (auto)`,
      f3(last.quality.nmi),
      f3(last.quality.ari),
      embed ? rate(last.scale, embedCpu) : '-',
      `${((performance.now() - t0) / 1000).toFixed(0)} s wall`,
    ]);
    const atChosen = tfidfKMeansBaseline(texts, chosenK, 10);
    rows.push([
      'sklearn-style TF-IDF + k-means at the chosen k',
      `${chosenK}`,
      f3(normalizedMutualInfo(truth, atChosen)),
      f3(adjustedRandIndex(truth, atChosen)),
      '-',
      '-',
    ]);
    summary.push([
      ds.name,
      f3(baseNmi),
      f3(last.quality.nmi),
      `${last.quality.nmi !== undefined ? (last.quality.nmi - baseNmi >= 0 ? '+' : '') + (last.quality.nmi - baseNmi).toFixed(3) : '-'}`,
      embed ? rate(last.scale, embedCpu) : '-',
    ]);

    const col = packTexts(texts);
    for (const e of embedders) {
      c0 = cpuMs();
      const x = await e.run(col);
      const ms = cpuMs() - c0;
      const exact = bestOf(x, k, 10);
      rows.push([
        `${e.name} + k-means`,
        `${k} (true)`,
        f3(normalizedMutualInfo(truth, exact)),
        f3(adjustedRandIndex(truth, exact)),
        rate(texts.length, ms),
        '',
      ]);
      const auto = chooseK(x, (kk) => kmeans(x, kk, { maxIterations: 100, tolerance: 1e-4, seed: 42 }).labels, 42);
      const autoLabels = bestOf(x, auto.k, 10);
      rows.push([
        `${e.name} + k-means`,
        `${auto.k} (auto)`,
        f3(normalizedMutualInfo(truth, autoLabels)),
        f3(adjustedRandIndex(truth, autoLabels)),
        '',
        '',
      ]);
    }
    console.log(`\n${ds.name}: ${texts.length} utterances, ${k} intents`);
    console.log(renderTextTable(['pipeline', 'k', 'NMI', 'ARI', 'embed texts/CPU-s', 'cost'], rows));
  }
  console.log('\nTarget: default pipeline NMI >= baseline + 0.05, embed >= 10,000 conversations/s on one core');
  console.log(
    renderTextTable(
      ['dataset', 'baseline NMI (true k)', 'default NMI (own k)', 'difference', 'embed conv/CPU-s'],
      summary,
    ),
  );

  // The synthetic generator at its default difficulty, through the quick profile's pipeline (the README's default).
  const profile = join(out, 'synthetic.yaml');
  const quick = readFileSync(join(packageRoot(), 'profiles', 'quick.yaml'), 'utf8');
  writeFileSync(
    profile,
    quick
      .replace(/options: \{ intents: 12, languages: \[en\], zipf: 0\.5, difficulty: 0\.1 \}/, 'options: {}')
      .replace(/scales: .*/, 'scales: [5000]')
      .replace(/storage:\n {2}enabled: true/, ''),
  );
  const syn = await sweepCommand({ profile, out, quiet: true });
  const q = syn.results.scales[0].quality;
  console.log(
    `\nSynthetic generator, default difficulty, quick profile's pipeline at 5,000: reconstruction accuracy ${(100 * (q.reconstructionAccuracy ?? NaN)).toFixed(1)}% (NMI ${f3(q.nmi)}, ARI ${f3(q.ari)}); Clio's reference on its own synthetic data: 94%`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
