/**
 * RPM/TPM rate limiting for the simulator: one pair of token buckets per model, refilled continuously at the
 * per-minute rate, holding at most `burstSeconds` worth of it. A request that does not fit gets a 429 with how
 * long to wait, and every response carries OpenAI's x-ratelimit-* headers.
 */

/** A continuously refilled token bucket. */
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    readonly perMinute: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.level = capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.capacity, this.level + ((t - this.last) * this.perMinute) / 60_000);
    this.last = t;
  }

  /** Milliseconds until `cost` tokens are available (0 = now). Costs above capacity are clamped to it. */
  waitMs(cost: number): number {
    this.refill();
    const need = Math.min(cost, this.capacity) - this.level;
    return need <= 0 ? 0 : (need * 60_000) / this.perMinute;
  }

  take(cost: number): void {
    this.refill();
    this.level -= Math.min(cost, this.capacity);
  }

  remaining(): number {
    this.refill();
    return Math.max(0, Math.floor(this.level));
  }

  /** Milliseconds until the bucket is full again. */
  resetMs(): number {
    this.refill();
    return ((this.capacity - this.level) * 60_000) / this.perMinute;
  }
}

/** Result of admitting one request. */
export interface Admission {
  ok: boolean;
  /** When not ok: how long to wait before retrying. */
  retryAfterMs: number;
  /** Which limit refused it. */
  limitedBy?: 'requests' | 'tokens';
  headers: Record<string, string>;
}

const fmtReset = (ms: number): string => (ms < 1000 ? `${Math.ceil(ms)}ms` : `${(ms / 1000).toFixed(3)}s`);

/**
 * Per-model RPM and TPM buckets; a limit of 0 is off. Refused requests are told staggered retry times (each 429
 * hands out the next free request slot), so N clients refused together do not all come back in the same
 * millisecond and N-1 of them get refused again (the openai SDK sleeps exactly retry-after-ms, without jitter).
 */
export class RateLimiter {
  private buckets = new Map<string, { rpm?: TokenBucket; tpm?: TokenBucket; nextSlot: number }>();

  constructor(
    private readonly rpm: number,
    private readonly tpm: number,
    private readonly burstSeconds: number,
  ) {}

  private for(model: string): { rpm?: TokenBucket; tpm?: TokenBucket; nextSlot: number } {
    let b = this.buckets.get(model);
    if (!b) {
      const cap = (perMin: number): number => Math.max(1, (perMin * this.burstSeconds) / 60);
      b = {
        rpm: this.rpm > 0 ? new TokenBucket(this.rpm, cap(this.rpm)) : undefined,
        tpm: this.tpm > 0 ? new TokenBucket(this.tpm, cap(this.tpm)) : undefined,
        nextSlot: 0,
      };
      this.buckets.set(model, b);
    }
    return b;
  }

  /** Admit a request costing one request and `tokens` tokens, or say how long to wait. */
  admit(model: string, tokens: number): Admission {
    const b = this.for(model);
    const waitReq = b.rpm?.waitMs(1) ?? 0;
    const waitTok = b.tpm?.waitMs(tokens) ?? 0;
    const ok = waitReq === 0 && waitTok === 0;
    if (ok) {
      b.rpm?.take(1);
      b.tpm?.take(tokens);
    }
    const headers: Record<string, string> = {};
    if (b.rpm) {
      headers['x-ratelimit-limit-requests'] = String(this.rpm);
      headers['x-ratelimit-remaining-requests'] = String(b.rpm.remaining());
      headers['x-ratelimit-reset-requests'] = fmtReset(b.rpm.resetMs());
    }
    if (b.tpm) {
      headers['x-ratelimit-limit-tokens'] = String(this.tpm);
      headers['x-ratelimit-remaining-tokens'] = String(b.tpm.remaining());
      headers['x-ratelimit-reset-tokens'] = fmtReset(b.tpm.resetMs());
    }
    let retryAfterMs = 0;
    if (!ok) {
      const now = performance.now();
      const at = Math.max(now + Math.max(waitReq, waitTok), b.nextSlot);
      b.nextSlot = at + (this.rpm > 0 ? 60_000 / this.rpm : 0) + (this.tpm > 0 ? (tokens * 60_000) / this.tpm : 0);
      retryAfterMs = Math.ceil(at - now);
    }
    return { ok, retryAfterMs, limitedBy: ok ? undefined : waitReq >= waitTok ? 'requests' : 'tokens', headers };
  }

  /** Forget all bucket state (full buckets again), e.g. between concurrency levels. */
  reset(): void {
    this.buckets.clear();
  }
}
