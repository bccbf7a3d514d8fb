/**
 * RPM/TPM rate limiting for the simulator: one pair of token buckets per model, refilled continuously at the
 * per-minute rate, holding at most `burstSeconds` worth of it. A request that does not fit gets a 429 with how
 * long to wait, and every response carries OpenAI's x-ratelimit-* headers.
 */

/** A continuously refilled token bucket. */
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(readonly perMinute: number, readonly capacity: number, private readonly now: () => number = () => performance.now()) {
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

/** Per-model RPM and TPM buckets; a limit of 0 is off. */
export class RateLimiter {
  private buckets = new Map<string, { rpm?: TokenBucket; tpm?: TokenBucket }>();

  constructor(private readonly rpm: number, private readonly tpm: number, private readonly burstSeconds: number) {}

  private for(model: string): { rpm?: TokenBucket; tpm?: TokenBucket } {
    let b = this.buckets.get(model);
    if (!b) {
      const cap = (perMin: number): number => Math.max(1, (perMin * this.burstSeconds) / 60);
      b = {
        rpm: this.rpm > 0 ? new TokenBucket(this.rpm, cap(this.rpm)) : undefined,
        tpm: this.tpm > 0 ? new TokenBucket(this.tpm, cap(this.tpm)) : undefined,
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
    const retryAfterMs = Math.ceil(Math.max(waitReq, waitTok));
    return { ok, retryAfterMs, limitedBy: ok ? undefined : waitReq >= waitTok ? 'requests' : 'tokens', headers };
  }

  /** Forget all bucket state (full buckets again), e.g. between concurrency levels. */
  reset(): void {
    this.buckets.clear();
  }
}
