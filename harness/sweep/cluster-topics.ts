/**
 * The clusters as a person reads them. After each scale that produced labels: one line per conversation in
 * runs/<id>/clusters/<scale>.jsonl (its id, cluster, membership, outlier score, hierarchy path, topic, true intent),
 * written atomically; and `sections.topics` for the largest such scale: each topic's name or c-TF-IDF terms, size,
 * share, three example conversations (first user turn, truncated) and parent topic, plus the parent topics of the
 * meta-cluster hierarchy, named by pooling their children's terms (the hierarchy stage names nothing itself).
 */
import { join } from 'node:path';
import type { ClusterRow, ParentTopic, PipelineData, RunSections, TopicRow, TopicsSection } from '../types.js';
import type { ClusterInfo } from '../../pipeline/contracts.js';
import type { SweepHooks } from './sweep-hooks.js';
import { textAt, textCount } from '../../pipeline/support/text-column.js';
import { writeLinesAtomic } from '../io/atomic-write.js';

/** Topics kept in results.json (largest first); every row is in the per-row file whatever this is. */
export const TOPICS_LIMIT = 200;
const EXAMPLE_CHARS = 120;
/** First user turns considered per cluster when picking its three examples. */
const EXAMPLE_CANDIDATES = 40;

/** The first user turn of a flattened conversation ("role: content" lines), whitespace collapsed and truncated. */
export function firstUserTurn(text: string, maxChars = EXAMPLE_CHARS): string {
  const line = text.split('\n').find((l) => l.startsWith('user:'));
  const s = (line ? line.slice(5) : text).replace(/\s+/g, ' ').trim();
  return s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s;
}

/** The id of row i: the input's own, else its row number as text. */
const idOf = (data: PipelineData, i: number): string =>
  data.conversationIds ? textAt(data.conversationIds, i) : String(i);

/** The hierarchy path of every base cluster id: [id, level-1 parent, ...]; [id] without a hierarchy. */
function pathOf(hierarchy: Int32Array[] | undefined, id: number): number[] {
  const path = [id];
  if (!hierarchy || id < 0) return path;
  let c = id;
  for (const level of hierarchy) {
    c = c >= 0 && c < level.length ? level[c] : -1;
    if (c < 0) break;
    path.push(c);
  }
  return path;
}

/** Name parents by their children's terms, weighted by size and rank (first term counts most). */
function parentTopics(
  hierarchy: Int32Array[],
  sizes: Map<number, number>,
  terms: Map<number, string[]>,
): ParentTopic[] {
  const out: ParentTopic[] = [];
  let childSizes = sizes;
  let childTerms = terms;
  for (let l = 0; l < hierarchy.length; l++) {
    const level = hierarchy[l];
    const next = new Map<number, { size: number; children: number[]; score: Map<string, number> }>();
    for (const [c, size] of childSizes) {
      const p = c >= 0 && c < level.length ? level[c] : -1;
      if (p < 0) continue;
      let e = next.get(p);
      if (!e) next.set(p, (e = { size: 0, children: [], score: new Map() }));
      e.size += size;
      e.children.push(c);
      (childTerms.get(c) ?? []).forEach((t, r) => e.score.set(t, (e.score.get(t) ?? 0) + size / (r + 1)));
    }
    const up = hierarchy[l + 1];
    const nextTerms = new Map<number, string[]>();
    const nextSizes = new Map<number, number>();
    for (const [p, e] of [...next.entries()].sort((a, b) => a[0] - b[0])) {
      const top = [...e.score.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 10)
        .map(([t]) => t);
      nextTerms.set(p, top);
      nextSizes.set(p, e.size);
      const parent = up && p < up.length && up[p] >= 0 ? up[p] : undefined;
      out.push({
        level: l + 1,
        id: p,
        name: top.slice(0, 3).join(' / ') || `topic ${l + 1}.${p}`,
        size: e.size,
        ...(parent !== undefined ? { parent } : {}),
        children: e.children.sort((a, b) => a - b),
      });
    }
    childSizes = nextSizes;
    childTerms = nextTerms;
  }
  return out;
}

/** One row's line of clusters/<scale>.jsonl. */
function clusterRow(
  data: PipelineData,
  info: Map<number, ClusterInfo>,
  intentName: (t: number) => string,
  i: number,
): ClusterRow {
  const c = data.labels![i];
  const ci = info.get(c);
  const truth = data.truth?.[i];
  return {
    conversationId: idOf(data, i),
    row: i,
    cluster: c,
    ...(data.membership ? { membership: round(data.membership[i]) } : {}),
    ...(data.outlierScores ? { outlierScore: round(data.outlierScores[i]) } : {}),
    path: pathOf(data.hierarchy, c),
    ...(ci?.name ? { topic: ci.name } : {}),
    ...(ci?.terms ? { terms: ci.terms } : {}),
    ...(truth !== undefined && truth >= 0 ? { intent: intentName(truth) } : {}),
  };
}

/**
 * The section of one labelled scale, and its per-row lines as a lazy sequence (a million rows are never all objects
 * at once). Exported for tests.
 */
export function buildClusterOutput(
  data: PipelineData,
  scale: number,
  opts: { intents?: string[]; limit?: number } = {},
): { rows: () => Iterable<ClusterRow>; section: Omit<TopicsSection, 'files'> } {
  const labels = data.labels;
  if (!labels) throw new Error('cluster output needs labels');
  const n = labels.length;
  if (data.conversationIds && textCount(data.conversationIds) !== n)
    throw new Error(`conversationIds has ${textCount(data.conversationIds)} rows but labels has ${n}`);
  const info = new Map<number, ClusterInfo>((data.clusterInfo ?? []).map((c) => [c.id, c]));
  const sizes = new Map<number, number>();
  const examples = new Map<number, string[]>();
  const intentCounts = new Map<number, Map<number, number>>();
  const intentName = (t: number): string => opts.intents?.[t] ?? `intent ${t}`;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    sizes.set(c, (sizes.get(c) ?? 0) + 1);
    const ex = examples.get(c) ?? [];
    if (ex.length < EXAMPLE_CANDIDATES && data.conversations) {
      const t = firstUserTurn(textAt(data.conversations, i));
      if (t && !ex.includes(t)) ex.push(t);
      examples.set(c, ex);
    }
    const truth = data.truth?.[i];
    if (truth !== undefined && truth >= 0) {
      let m = intentCounts.get(c);
      if (!m) intentCounts.set(c, (m = new Map<number, number>()));
      m.set(truth, (m.get(truth) ?? 0) + 1);
    }
  }
  const rows = function* (): Iterable<ClusterRow> {
    for (let i = 0; i < n; i++) yield clusterRow(data, info, intentName, i);
  };
  const limit = opts.limit ?? TOPICS_LIMIT;
  const topics: TopicRow[] = [...sizes.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limit)
    .map(([id, size]) => {
      const ci = info.get(id);
      const terms = ci?.terms ?? [];
      const parent =
        data.hierarchy?.[0] && id >= 0 && id < data.hierarchy[0].length && data.hierarchy[0][id] >= 0
          ? data.hierarchy[0][id]
          : undefined;
      const intents = intentCounts.get(id);
      let topIntent: TopicRow['topIntent'];
      if (intents) {
        const [t, cnt] = [...intents.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
        topIntent = { name: intentName(t), fraction: round(cnt / size) };
      }
      return {
        id,
        name: ci?.name ?? (id < 0 ? 'noise' : terms.slice(0, 3).join(' / ') || `cluster ${id}`),
        terms,
        size,
        share: round(size / n),
        examples: pickExamples(examples.get(id) ?? [], terms),
        ...(parent !== undefined ? { parent } : {}),
        ...(topIntent ? { topIntent } : {}),
      };
    });
  const terms = new Map<number, string[]>([...info.values()].map((c) => [c.id, c.terms ?? []]));
  const baseSizes = new Map([...sizes.entries()].filter(([c]) => c >= 0));
  return {
    rows,
    section: {
      scale,
      total: n,
      clusters: baseSizes.size,
      noise: sizes.get(-1) ?? 0,
      topics,
      limit,
      parents: data.hierarchy?.length ? parentTopics(data.hierarchy, baseSizes, terms) : [],
    },
  };
}

/**
 * Three examples from a cluster's first candidates: those naming most of its top terms (first rows win ties), so an
 * off-topic opening line that landed in the cluster is not what a reader sees first.
 */
function pickExamples(candidates: string[], terms: string[]): string[] {
  if (terms.length === 0) return candidates.slice(0, 3);
  const top = terms.slice(0, 6);
  const score = (s: string): number => {
    const l = s.toLowerCase();
    return top.filter((t) => l.includes(t)).length;
  };
  return candidates
    .map((s, i) => ({ s, i, v: score(s) }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, 3)
    .map((x) => x.s);
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x);

/** Hooks that write clusters/<scale>.jsonl after each labelled scale and keep `sections.topics` at the largest one. */
export function createClusterOutputHooks(runDir: string, sections: RunSections): SweepHooks {
  return {
    scaleDone(e) {
      if (!e.data?.labels) return;
      const { rows, section } = buildClusterOutput(e.data, e.scale, { intents: e.intents });
      const file = join('clusters', `${e.scale}.jsonl`);
      writeLinesAtomic(
        join(runDir, file),
        (function* () {
          for (const r of rows()) yield JSON.stringify(r);
        })(),
        `cluster rows at scale ${e.scale}`,
      );
      const files = [
        ...(sections.topics?.files ?? []).filter((f) => f.scale !== e.scale),
        { scale: e.scale, file, rows: section.total },
      ];
      if (!sections.topics || e.scale >= sections.topics.scale) sections.topics = { ...section, files };
      else sections.topics.files = files;
    },
  };
}
