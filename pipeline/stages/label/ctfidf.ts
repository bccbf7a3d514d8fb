/**
 * label/ctfidf: top terms per cluster by class-based TF-IDF (Grootendorst 2022, BERTopic), computed locally. All
 * texts of a cluster form one document; tf is the term count over the cluster's total count, idf = log(1 + A / f_t)
 * with A the average word count per cluster and f_t the term's count over all clusters. Noise (-1) is a class too,
 * as BERTopic's topic -1, and gets its own ClusterInfo. Writes `clusterInfo` (id, size, terms, name = top 3 terms).
 */
import type { ClusterInfo, PipelineData, StageContext, StageDefinition, TextColumn } from '../../contracts.js';
import { textAt, textCount } from '../../support/text-column.js';
import { booleanOption, integerOption, textFieldOption } from '../../stage-options.js';
import { z } from 'zod/v4';

/** Options for c-TF-IDF labelling. */
export interface CtfidfOptions {
  /** Terms kept per cluster. */
  topTerms: number;
  field: 'summaries' | 'conversations';
  /** Drop common English function words and chat role names. */
  stopWords: boolean;
}

// Short English stop list plus the role prefixes of flattened conversations ("user: ...").
const STOP = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this to too was we were what when where ' +
    "which who why will with would you your yours user assistant system tool just also about can't don't i'm it's"
  ).split(' '),
);

/** Per-cluster top terms by c-TF-IDF. Exported for tests. */
export function ctfidfTopTerms(
  texts: TextColumn,
  labels: ArrayLike<number>,
  o: Omit<CtfidfOptions, 'field'>,
): ClusterInfo[] {
  const n = textCount(texts);
  if (labels.length !== n) throw new Error(`labels has ${labels.length} entries but there are ${n} texts`);
  const vocab = new Map<string, number>();
  const classOf = new Map<number, number>();
  const classIds: number[] = [];
  const classCounts: Map<number, number>[] = [];
  const classSizes: number[] = [];
  const classWords: number[] = [];
  const termTotals: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    let c = classOf.get(l);
    if (c === undefined) {
      c = classIds.length;
      classOf.set(l, c);
      classIds.push(l);
      classCounts.push(new Map());
      classSizes.push(0);
      classWords.push(0);
    }
    classSizes[c]++;
    const words =
      textAt(texts, i)
        .toLowerCase()
        .match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? [];
    const counts = classCounts[c];
    for (const w of words) {
      if (w.length < 2 || (o.stopWords && STOP.has(w))) continue;
      let t = vocab.get(w);
      if (t === undefined) {
        t = vocab.size;
        vocab.set(w, t);
        termTotals.push(0);
      }
      counts.set(t, (counts.get(t) ?? 0) + 1);
      termTotals[t]++;
      classWords[c]++;
    }
  }
  const terms = new Array<string>(vocab.size);
  for (const [w, t] of vocab) terms[t] = w;
  const avgWords = classWords.reduce((a, b) => a + b, 0) / Math.max(classIds.length, 1);
  const out: ClusterInfo[] = [];
  for (let c = 0; c < classIds.length; c++) {
    const scored: [number, number][] = [];
    for (const [t, cnt] of classCounts[c])
      scored.push([t, (cnt / Math.max(classWords[c], 1)) * Math.log(1 + avgWords / termTotals[t])]);
    // Highest score first; ties broken by term text so the output is deterministic.
    scored.sort((a, b) => b[1] - a[1] || (terms[a[0]] < terms[b[0]] ? -1 : 1));
    const top = scored.slice(0, o.topTerms).map(([t]) => terms[t]);
    out.push({
      id: classIds[c],
      size: classSizes[c],
      terms: top,
      name: top.slice(0, 3).join(' / ') || `cluster ${classIds[c]}`,
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

export const ctfidfLabeller: StageDefinition<CtfidfOptions> = {
  kind: 'label',
  method: 'ctfidf',
  reads: ['labels', 'summaries', 'conversations'],
  writes: ['clusterInfo'],
  options: z.strictObject({
    topTerms: integerOption(1).default(10),
    field: textFieldOption(),
    stopWords: booleanOption().default(true),
  }),
  run(input: PipelineData, opts: CtfidfOptions, ctx: StageContext) {
    if (!input.labels) throw new Error('label/ctfidf needs labels; put a cluster stage before it');
    const texts = opts.field === 'summaries' ? (input.summaries ?? input.conversations) : input.conversations;
    if (!texts) throw new Error(`label/ctfidf needs ${opts.field} (or conversations)`);
    const info = ctfidfTopTerms(texts, input.labels, opts);
    ctx.count('clusters', info.length);
    return { clusterInfo: info };
  },
};
