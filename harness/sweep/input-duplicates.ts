/**
 * Duplicate conversations in an input file: counted once before the sweep over every valid conversation (8 bytes of
 * digest each, as the generator's --stats), so a file that is mostly copies (a load-test export, say) is reported
 * and warned about instead of being embedded and extrapolated as if every row were new.
 */
import { seededPermutation, type ConversationFile } from '../../generators/import/conversation-file.js';
import { conversationToText } from '../../generators/conversation-text.js';
import { textDigest48 } from '../../generators/generation-stats.js';
import { UserError } from '../../pipeline/support/user-error.js';

/** Above this duplicate fraction the sweep warns and the report says so. */
export const DUPLICATE_WARN_FRACTION = 0.1;

/** Duplicates over every valid conversation of f: count (rows beyond the first copy of a text) and fraction. */
export async function countFileDuplicates(f: ConversationFile): Promise<{ count: number; fraction: number }> {
  const firsts = await firstCopies(f);
  const n = f.summary.valid;
  const count = n - firsts.length;
  return { count, fraction: n ? count / n : 0 };
}

const firstCopyCache = new WeakMap<ConversationFile, Promise<Uint32Array>>();

/** Ranks (in file order) of the first copy of each distinct text: the file `dedupe: true` samples from. Cached per file. */
export function firstCopies(f: ConversationFile): Promise<Uint32Array> {
  let p = firstCopyCache.get(f);
  if (!p) {
    p = (async () => {
      const seen = new Set<number>();
      const keep: number[] = [];
      let rank = 0;
      // forEachInSample of all of it visits ranks in ascending order: rank i is the i-th valid conversation.
      await f.forEachInSample(f.summary.valid, 0, (c) => {
        const d = textDigest48(conversationToText(c));
        if (!seen.has(d)) {
          seen.add(d);
          keep.push(rank);
        }
        rank++;
      });
      return Uint32Array.from(keep);
    })();
    firstCopyCache.set(f, p);
  }
  return p;
}

/** The nested seeded sample of n distinct conversations: the first n of one permutation of the first copies, ascending. */
export async function dedupedRanks(f: ConversationFile, n: number, seed: number): Promise<Uint32Array> {
  const firsts = await firstCopies(f);
  if (n > firsts.length)
    throw new UserError(
      `${f.summary.path} holds ${firsts.length} distinct conversations (of ${f.summary.valid} valid; dedupe is on); scale ${n} is larger. Use scales up to ${firsts.length}, or drop --dedupe`,
    );
  const perm = seededPermutation(firsts.length, seed);
  return Uint32Array.from(perm.subarray(0, n), (i) => firsts[i]).sort();
}

/** The warning line, or undefined when duplicates are at most DUPLICATE_WARN_FRACTION. */
export function duplicateWarning(d: { count: number; fraction: number } | undefined): string | undefined {
  if (!d || d.fraction <= DUPLICATE_WARN_FRACTION) return undefined;
  return `${(d.fraction * 100).toFixed(1)}% of the input's conversations (${d.count.toLocaleString('en-US')}) are exact duplicates of another${'dropped' in d && d.dropped ? '' : ': throughput and extrapolations count every copy as new work'}`;
}
