/**
 * DigitalOcean's per-token rate limits as sliding windows over the clock: a request counts for the
 * minute and the hour after it was accepted. Refused requests are not counted.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** What `ratelimit-limit` shows when the hourly limit is disabled: DO's documented hourly limit. */
const DOCUMENTED_HOURLY_LIMIT = 5000;

// A type alias, not an interface, so that it fits `Record<string, string>` header maps.
export type RateLimitHeaders = {
  "ratelimit-limit": string;
  "ratelimit-remaining": string;
  "ratelimit-reset": string;
};

export interface RateLimitDecision {
  allowed: boolean;
  headers: RateLimitHeaders;
}

interface Window {
  limit: number;
  lengthMs: number;
}

export class SlidingWindowRateLimiter {
  /** Accepted request times per token, oldest first, kept for an hour. */
  readonly #accepted = new Map<string, number[]>();
  readonly #windows: Window[];
  readonly #hourlyLimit: number;

  constructor(perMinute: number, perHour: number) {
    const enabled = (limit: number) => Number.isFinite(limit) && limit > 0;
    this.#windows = [
      { limit: perMinute, lengthMs: MINUTE_MS },
      { limit: perHour, lengthMs: HOUR_MS },
    ].filter((window) => enabled(window.limit));
    this.#hourlyLimit = enabled(perHour) ? perHour : DOCUMENTED_HOURLY_LIMIT;
  }

  /** Counts the request if every window has room; otherwise refuses it and says when a slot frees. */
  tryConsume(key: string, now: number): RateLimitDecision {
    const accepted = this.#history(key, now);
    let freesAt: number | undefined;
    for (const window of this.#windows) {
      const inWindow = accepted.filter((at) => at > now - window.lengthMs);
      if (inWindow.length >= window.limit) {
        // The window has room again once enough of its oldest requests have aged out.
        const expiring = inWindow[inWindow.length - window.limit] ?? now;
        freesAt = Math.max(freesAt ?? 0, expiring + window.lengthMs);
      }
    }
    if (freesAt !== undefined) {
      return { allowed: false, headers: this.#headers(0, freesAt) };
    }
    accepted.push(now);
    this.#accepted.set(key, accepted);
    return { allowed: true, headers: this.peek(key, now) };
  }

  /** The headers for an answer that does not count against the limit (401, injected faults). */
  peek(key: string, now: number): RateLimitHeaders {
    const inHour = this.#history(key, now);
    const oldest = inHour[0];
    return this.#headers(
      Math.max(0, this.#hourlyLimit - inHour.length),
      oldest === undefined ? now : oldest + HOUR_MS,
    );
  }

  /** The token's accepted requests of the last hour; kept only for tokens that made one. */
  #history(key: string, now: number): number[] {
    const accepted = this.#accepted.get(key) ?? [];
    if (accepted.length === 0) return accepted;
    const firstKept = accepted.findIndex((at) => at > now - HOUR_MS);
    accepted.splice(0, firstKept === -1 ? accepted.length : firstKept);
    return accepted;
  }

  #headers(remaining: number, resetMs: number): RateLimitHeaders {
    return {
      "ratelimit-limit": String(this.#hourlyLimit),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(Math.ceil(resetMs / 1000)),
    };
  }
}
