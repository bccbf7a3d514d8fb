/**
 * Duplicate conversations in an input file: counted once before the sweep over every valid conversation (8 bytes of
 * digest each, as the generator's --stats), so a file that is mostly copies (a load-test export, say) is reported
 * and warned about instead of being embedded and extrapolated as if every row were new.
 */
import type { ConversationFile } from '../../generators/import/conversation-file.js';
import { conversationToText } from '../../generators/conversation-text.js';
import { countDistinct, textDigest48 } from '../../generators/generation-stats.js';

/** Above this duplicate fraction the sweep warns and the report says so. */
export const DUPLICATE_WARN_FRACTION = 0.1;

/** Duplicates over every valid conversation of f: count (rows beyond the first copy of a text) and fraction. */
export async function countFileDuplicates(f: ConversationFile): Promise<{ count: number; fraction: number }> {
  const n = f.summary.valid;
  const digests = new Float64Array(n);
  let i = 0;
  await f.forEachInSample(n, 0, (c) => void (digests[i++] = textDigest48(conversationToText(c))));
  const count = i - countDistinct(digests, i);
  return { count, fraction: i ? count / i : 0 };
}

/** The warning line, or undefined when duplicates are at most DUPLICATE_WARN_FRACTION. */
export function duplicateWarning(d: { count: number; fraction: number } | undefined): string | undefined {
  if (!d || d.fraction <= DUPLICATE_WARN_FRACTION) return undefined;
  return `${(d.fraction * 100).toFixed(1)}% of the input's conversations (${d.count.toLocaleString('en-US')}) are exact duplicates of another: throughput and extrapolations count every copy as new work`;
}
