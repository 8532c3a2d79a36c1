/**
 * A rate limiter per token, shared by every client in the process: a `pulumi up` of a large stack runs
 * many IndexingJobs in one provider process, and DigitalOcean counts their requests together (250 a
 * minute, 5,000 an hour per token). A request waits for a slot in a sliding one-minute window kept
 * below the limit, for one of a few slots in flight, and for the pause a 429 (or an exhausted hour)
 * names. Beyond that, one rule, measured in the benchmark's ablation table:
 *
 * - tokenWide: other processes using the token (stacks deployed at once) show only in the fall of the
 *   API's `ratelimit-remaining`; how far it fell within the last minute counts the token's requests
 *   there, and the window honours that count too. Requests in flight are invisible to the others, hence
 *   the cap on them. (Three stacks of 40 jobs at once: 3 answers 429 without it, none with it.)
 */
import { systemClock, type Clock } from "../clock";

const MINUTE_MS = 60_000;
/** How long before the window an answer may be to serve as the baseline of the token-wide count. */
const BASELINE_SLACK_MS = 5_000;
/** Below the API's 250 a minute, leaving room for other tools using the same token. */
export const DEFAULT_REQUESTS_PER_MINUTE = 200;
/** Requests one process has in flight at most (three processes overshoot by at most 2 x 8 together). */
const DEFAULT_MAX_IN_FLIGHT = 8;

export type BudgetRule = "tokenWide";
const RULES: readonly BudgetRule[] = ["tokenWide"];

export interface BudgetStats {
  /** Requests let through. */
  granted: number;
  /** Most requests let through in any one-minute window. */
  peakPerMinute: number;
  /** 429 answers seen. */
  throttled: number;
}

interface RemainingSeen {
  /** When the answer arrived, on our clock. */
  at: number;
  remaining: number;
}

export class RateLimiter {
  /** Requests a minute; only ever lowered (`lowerTo`). */
  private limit: number;
  readonly maxInFlight: number;
  private readonly clock: Clock;
  private readonly rules: readonly BudgetRule[];
  /** Send times of our requests in the current window, oldest first. */
  private window: number[] = [];
  private blockedUntil = 0;
  private inFlight = 0;
  /** The `ratelimit-*` headers of the last minute's answers (and the one before it), oldest first. */
  private seen: RemainingSeen[] = [];
  /** Waiters are served in order, so that no job starves behind others. */
  private queue: Promise<void> = Promise.resolve();
  private onRelease: (() => void) | undefined;
  private counters: BudgetStats = { granted: 0, peakPerMinute: 0, throttled: 0 };

  constructor(
    options: { perMinute?: number; maxInFlight?: number; clock?: Clock; rules?: readonly BudgetRule[] } = {},
  ) {
    this.limit = options.perMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.clock = options.clock ?? systemClock;
    this.rules = options.rules ?? RULES;
    if (!(this.limit > 0)) throw new RangeError("perMinute must be positive");
    if (!(this.maxInFlight >= 1)) throw new RangeError("maxInFlight must be at least 1");
  }

  get perMinute(): number {
    return this.limit;
  }

  /**
   * Lowers the limit to `perMinute` if that is lower; a higher value leaves it. Waiting requests
   * honour the new limit from their next look.
   */
  lowerTo(perMinute: number): void {
    if (!(perMinute > 0)) throw new RangeError("perMinute must be positive");
    this.limit = Math.min(this.limit, perMinute);
  }

  /** Resolves when one more request may be sent; it counts as in flight until `release`. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Makes a request `acquire` let through, learns from its answer, then releases it, answered or not. */
  async send(request: () => Promise<Response>): Promise<Response> {
    try {
      const response = await request();
      this.observe(response.status, response.headers);
      return response;
    } finally {
      this.release();
    }
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const wake = this.onRelease;
    this.onRelease = undefined;
    wake?.();
  }

  /** Learns from an answer's `ratelimit-*` headers (and from a 429) when the API wants us to pause. */
  observe(status: number, headers: Headers): void {
    const header = (name: string) => Number(headers.get(name) ?? Number.NaN);
    const remaining = header("ratelimit-remaining");
    const reset = header("ratelimit-reset") * 1000;
    const now = this.clock.now();
    // `ratelimit-reset` is a time on the API's clock: read it against the answer's own `Date`.
    const serverNow = Date.parse(headers.get("date") ?? "");
    const resetIn = reset - (Number.isFinite(serverNow) ? serverNow : now);
    if (status === 429) this.counters.throttled++;
    // A 429's remaining speaks of the refused minute, not of how many requests were counted.
    else if (Number.isFinite(remaining)) {
      this.seen.push({ at: now, remaining });
      if (remaining > 0) return;
    } else return;
    const retryAfter = header("retry-after") * 1000;
    const resumeAt =
      now + (Number.isFinite(retryAfter) ? retryAfter : Number.isFinite(resetIn) ? resetIn : 0);
    // Never less than a second nor more than a minute: the reset may name the hour's end.
    this.blockedUntil = Math.max(
      this.blockedUntil,
      Math.min(Math.max(resumeAt, now + 1000), now + MINUTE_MS),
    );
  }

  stats(): BudgetStats {
    return { ...this.counters };
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      if (this.inFlight >= this.maxInFlight) {
        await new Promise<void>((resolve) => (this.onRelease = resolve));
        continue;
      }
      const now = this.clock.now();
      while ((this.window[0] ?? now) <= now - MINUTE_MS) this.window.shift();
      const ownFreesAt = this.window.length >= this.perMinute ? (this.window[0] ?? now) + MINUTE_MS : now;
      const wait = Math.max(this.blockedUntil, ownFreesAt, this.tokenFreesAt(now)) - now;
      if (wait <= 0) {
        this.window.push(now);
        this.inFlight++;
        this.counters.granted++;
        this.counters.peakPerMinute = Math.max(this.counters.peakPerMinute, this.window.length);
        return;
      }
      await this.clock.sleep(wait);
    }
  }

  /** When the token's requests of the last minute, by anyone, leave room for one more. */
  private tokenFreesAt(now: number): number {
    let freesAt = now;
    const seen = this.seen;
    // Keep the newest answer from before the window as the baseline the fall is counted from, unless
    // it is so old that it would count much of what came before the window.
    while (seen.length > 1 && (seen[1]?.at ?? 0) <= now - MINUTE_MS) seen.shift();
    if ((seen[0]?.at ?? now) <= now - MINUTE_MS - BASELINE_SLACK_MS) seen.shift();
    const baseline = seen[0];
    const newest = seen.reduce<RemainingSeen | undefined>(
      (a, b) => (a && a.remaining <= b.remaining ? a : b),
      undefined,
    );
    if (this.rules.includes("tokenWide") && baseline && newest) {
      // Ours in flight count too; some may be in the fall already, which only errs on the safe side.
      const ownAnswer = baseline.at > now - MINUTE_MS ? 1 : 0;
      const count = baseline.remaining - newest.remaining + ownAnswer + this.inFlight;
      // The count falls when the baseline leaves the window, or when the next answer replaces it.
      const leaving = baseline.at > now - MINUTE_MS ? baseline : (seen[1] ?? baseline);
      if (count >= this.perMinute) freesAt = leaving.at + MINUTE_MS;
    }
    return freesAt;
  }
}

/**
 * The budget shared by every client of this process that talks to `baseUrl` with `token`, at the
 * lowest `perMinute` any of them asked for (the default counting for those that asked none):
 * DigitalOcean counts a token's requests together, so the most careful resource sets the pace for all.
 * The benchmark switches the rule off in provider hosts with GRADIENT_INDEXING_ABLATE=tokenWide.
 */
export function sharedRateLimiter(baseUrl: string, token: string, perMinute?: number): RateLimiter {
  // On globalThis, so that every copy of the library loaded in this process shares the token's budget.
  const registry = Symbol.for("pulumi-gradient-indexing.request-budgets");
  const scope = globalThis as { [registry]?: Map<string, RateLimiter> };
  const budgets = (scope[registry] ??= new Map<string, RateLimiter>());
  const key = `${baseUrl}\n${token}`;
  let budget = budgets.get(key);
  if (!budget) {
    const off = (process.env.GRADIENT_INDEXING_ABLATE ?? "").split(",");
    budget = new RateLimiter({ perMinute, rules: RULES.filter((rule) => !off.includes(rule)) });
    budgets.set(key, budget);
  } else budget.lowerTo(perMinute ?? DEFAULT_REQUESTS_PER_MINUTE);
  return budget;
}
