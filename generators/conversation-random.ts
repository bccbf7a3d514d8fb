/**
 * Per-conversation random streams. Conversation i of a run draws from its own stream, keyed by (seed, i), so any
 * conversation can be built alone, runs are nested (the first n of N equal a run of n), and batches could be split
 * across workers. sfc32 has 128 bits of state: the index goes into the state as is, so two conversations of one
 * run never share a stream (a 32-bit mulberry32 state would give ~100 identical pairs at 1M by the birthday bound).
 */

/** A source of floats in [0, 1). */
export type Rand = () => number;

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The random stream of conversation `index` in a run with `seed`. */
export function conversationRandom(seed: number, index: number): Rand {
  let a = mix32(seed ^ 0x9e3779b9);
  let b = index >>> 0;
  let c = mix32((seed + 0x632be5ab) ^ Math.floor(index / 4294967296));
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Pick one element uniformly. */
export function pick<T>(rand: Rand, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}
