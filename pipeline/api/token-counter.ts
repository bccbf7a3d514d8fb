/**
 * Token counting with OpenAI's real BPE encodings (gpt-tokenizer: a port of tiktoken that runs offline; it gives
 * tiktoken's exact token ids for o200k_base and cl100k_base, see test/unit/token-counter.test.ts). Also the counter names
 * every stage uses for tokens, so the cost code can find them in StageRecord.counters.
 */
import type { Message, TextColumn } from '../contracts.js';
import { textAt, textCount } from '../support/text-column.js';

/** StageRecord counter: prompt tokens sent to a chat model (ctx.count(TOKENS_INPUT, n)). */
export const TOKENS_INPUT = 'tokens.input';
/** StageRecord counter: completion tokens a chat model produced. */
export const TOKENS_OUTPUT = 'tokens.output';
/** StageRecord counter: tokens sent to an embedding model (for local embedders: what an API embedder would bill). */
export const TOKENS_EMBEDDING = 'tokens.embedding';
/** All token counters, in report order. */
export const TOKEN_COUNTERS = [TOKENS_INPUT, TOKENS_OUTPUT, TOKENS_EMBEDDING] as const;

/** The BPE encodings clusterbench counts with. */
export type EncodingName = 'o200k_base' | 'cl100k_base';
export const ENCODING_NAMES: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

/** A loaded encoding that counts tokens. Special-token strings in the text ("<|endoftext|>") count as plain text. */
export interface TokenCounter {
  encoding: EncodingName;
  /** Tokens in one string. */
  count(text: string): number;
  /** Token ids (for tests and debugging). */
  encode(text: string): number[];
  /**
   * Prompt tokens of a chat request, by OpenAI's documented formula (cookbook "How to count tokens with tiktoken"):
   * 3 per message + role + content (+ name + 1), + 3 to prime the reply.
   */
  countChat(messages: readonly (Message | { role: string; content: string; name?: string })[]): number;
}

// Treat special-token text as ordinary text, like tiktoken's encode_ordinary: user conversations may contain it.
const PLAIN = { disallowedSpecial: new Set<string>() };

const cache = new Map<EncodingName, Promise<TokenCounter>>();

/** Load an encoding (lazily: each rank table is several MB). */
export function loadTokenCounter(encoding: EncodingName): Promise<TokenCounter> {
  if (!ENCODING_NAMES.includes(encoding))
    throw new Error(`unknown encoding "${encoding}"; valid: ${ENCODING_NAMES.join(', ')}`);
  let p = cache.get(encoding);
  if (!p) {
    p = (
      encoding === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base')
        : import('gpt-tokenizer/encoding/cl100k_base')
    ).then((m) => {
      const count = (t: string): number => (t.length === 0 ? 0 : m.countTokens(t, PLAIN));
      return {
        encoding,
        count,
        encode: (t: string) => m.encode(t, PLAIN),
        countChat(messages) {
          let n = 3;
          for (const msg of messages) {
            n += 3 + count(msg.role) + count(msg.content);
            const name = (msg as { name?: string }).name;
            if (name !== undefined) n += count(name) + 1;
          }
          return n;
        },
      };
    });
    cache.set(encoding, p);
  }
  return p;
}

/**
 * The encoding a model uses (as tiktoken's encoding_for_model): gpt-4o, gpt-4.1, gpt-5, o1/o3/o4 -> o200k_base;
 * gpt-4, gpt-3.5 and the text-embedding models -> cl100k_base. Unknown models (e.g. claude via a compatible server)
 * get o200k_base, an estimate.
 */
export function encodingForModel(model: string): EncodingName {
  const m = model.toLowerCase().replace(/^[^/]+\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-|davinci-002|babbage-002)/.test(m)) return 'cl100k_base';
  return 'o200k_base';
}

/** Total tokens over a text column (no per-row allocation beyond decoding each string). */
export function countColumnTokens(
  counter: TokenCounter,
  col: TextColumn,
  rows?: { start: number; end: number },
): number {
  const start = rows?.start ?? 0;
  const end = rows?.end ?? textCount(col);
  let total = 0;
  for (let i = start; i < end; i++) total += counter.count(textAt(col, i));
  return total;
}
