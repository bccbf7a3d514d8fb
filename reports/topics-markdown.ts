/**
 * The clusters a person reads, from `sections.topics`: a topics table (name or terms, size, share, three example
 * conversations, parent topic) and the meta-cluster hierarchy drawn as a nested list (a tree in report.html, where
 * marked renders it as nested <ul>). Where the per-row files are is said under the table.
 */
import type { ParentTopic, RunResults, TopicRow } from '../harness/types.js';

/** Topics shown in the table and leaves shown per parent in the tree; the rest are in results.json and the JSONL. */
const TABLE_ROWS = 30;
const TREE_LEAVES = 8;

// Table cells: pipes and newlines would break the Markdown row.
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function parentName(parents: ParentTopic[], level: number, id: number | undefined): string {
  if (id === undefined) return '—';
  const p = parents.find((x) => x.level === level && x.id === id);
  return p ? `${id}: ${p.name}` : String(id);
}

function topicRow(t: TopicRow, parents: ParentTopic[], hasIntent: boolean): string {
  const parent = parents.length ? ` | ${cell(parentName(parents, 1, t.parent))}` : '';
  const terms = t.terms.length ? t.terms.slice(0, 6).join(', ') : '—';
  const examples = t.examples.length ? t.examples.map((e) => `“${cell(e)}”`).join('<br>') : '—';
  const intent = !hasIntent ? '' : t.topIntent ? ` | ${cell(t.topIntent.name)} (${pct(t.topIntent.fraction)})` : ' | —';
  return `| ${t.id} | ${cell(t.name)} | ${cell(terms)} | ${t.size.toLocaleString('en-US')} | ${pct(t.share)} | ${examples}${parent}${intent} |`;
}

/** The hierarchy as a nested list, top level first; base clusters as leaves (largest first, at most TREE_LEAVES each). */
function treeLines(r: RunResults): string[] {
  const sec = r.sections.topics;
  if (!sec || sec.parents.length === 0) return [];
  const byKey = new Map(sec.parents.map((p) => [`${p.level}:${p.id}`, p]));
  const topics = new Map(sec.topics.map((t) => [t.id, t]));
  const top = Math.max(...sec.parents.map((p) => p.level));
  const out: string[] = ['### Topic hierarchy', ''];
  const walk = (p: ParentTopic, depth: number): void => {
    const indent = '  '.repeat(depth);
    out.push(
      `${indent}- **${cell(p.name)}** (level ${p.level}, topic ${p.id}; ${p.size.toLocaleString('en-US')} conversations, ${pct(p.size / sec.total)})`,
    );
    if (p.level > 1) {
      for (const c of p.children) {
        const child = byKey.get(`${p.level - 1}:${c}`);
        if (child) walk(child, depth + 1);
      }
      return;
    }
    const leaves = p.children
      .map((c) => topics.get(c))
      .filter((t): t is TopicRow => t !== undefined)
      .sort((a, b) => b.size - a.size);
    for (const t of leaves.slice(0, TREE_LEAVES))
      out.push(`${indent}  - ${t.id}: ${cell(t.name)} (${t.size.toLocaleString('en-US')})`);
    const hidden = p.children.length - Math.min(leaves.length, TREE_LEAVES);
    if (hidden > 0) out.push(`${indent}  - … ${hidden} more cluster${hidden === 1 ? '' : 's'}`);
  };
  for (const p of sec.parents.filter((x) => x.level === top).sort((a, b) => b.size - a.size)) walk(p, 0);
  out.push('');
  return out;
}

/** The topics section of report.md (and so of report.html); empty when no labels were produced. */
export function topicsLines(r: RunResults): string[] {
  const sec = r.sections.topics;
  if (!sec) return [];
  const hasIntent = sec.topics.some((t) => t.topIntent);
  const shown = sec.topics.slice(0, TABLE_ROWS);
  const out = [
    `## Topics at n = ${sec.scale.toLocaleString('en-US')}`,
    '',
    `${sec.clusters.toLocaleString('en-US')} clusters${sec.noise ? `, ${sec.noise.toLocaleString('en-US')} conversations as noise (${pct(sec.noise / sec.total)})` : ''}; the ${shown.length} largest below. Examples are first user turns.`,
    '',
    `| id | topic | terms | size | share | examples${sec.parents.length ? ' | parent topic' : ''}${hasIntent ? ' | top true intent' : ''} |`,
    `|---|---|---|---|---|---${sec.parents.length ? '|---' : ''}${hasIntent ? '|---' : ''}|`,
    ...shown.map((t) => topicRow(t, sec.parents, hasIntent)),
    '',
    `Every conversation's cluster, membership, outlier score and hierarchy path: ${sec.files.map((f) => `\`${f.file}\``).join(', ')} (one JSON line per conversation).`,
    '',
  ];
  return [...out, ...treeLines(r)];
}
