/**
 * One request budget per token, shared by every client in the process: a `pulumi up` of a large stack
 * runs many IndexingJobs in one provider process, and DigitalOcean counts their requests together
 * (250 a minute, 5,000 an hour per token). Each request waits for a slot in a sliding one-minute window
 * kept below the API's limit, and for the reset time the API names when its hourly quota runs out or
 * it answers 429.
 *
 * Other processes may use the same token (several stacks deployed at once): they show only in the
 * API's `ratelimit-remaining`, which falls with every request the token makes, whoever makes it. How
 * far it fell within the last minute counts the token's requests there, and the window honours that
 * count as well as its own.
 */
import { createHash } from "node:crypto";
import { systemClock, type Clock } from "../clock";

const MINUTE_MS = 60_000;
/** How long before the token-wide window an answer may be to serve as its baseline. */
const BASELINE_SLACK_MS = 5_000;
/** Below the API's 250 a minute, leaving room for other tools using the same token. */
export const DEFAULT_REQUESTS_PER_MINUTE = 200;

export interface BudgetStats {
  /** Requests let through. */
  granted: number;
  /** Most requests let through in any one-minute window. */
  peakPerMinute: number;
  /** 429 answers seen. */
  throttled: number;
}

export class RequestBudget {
  readonly perMinute: number;
  private readonly clock: Clock;
  /** Send times of the requests in the current window, oldest first. */
  private window: number[] = [];
  private blockedUntil = 0;
  /** Jobs being waited for with this budget. */
  private waits = 0;
  /** `ratelimit-remaining` of the answers of the last minute, oldest first. */
  private remainingSeen: { at: number; remaining: number }[] = [];
  /** Waiters are served in order, so that no job starves behind others. */
  private queue: Promise<void> = Promise.resolve();
  private counters: BudgetStats = { granted: 0, peakPerMinute: 0, throttled: 0 };

  constructor(options: { perMinute?: number; clock?: Clock } = {}) {
    this.perMinute = options.perMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
    this.clock = options.clock ?? systemClock;
    if (!(this.perMinute > 0)) throw new RangeError("perMinute must be positive");
  }

  /** Resolves when one more request may be sent now. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Learns from an answer's `ratelimit-*` headers (and from a 429) when the API wants us to pause. */
  observe(status: number, headers: Headers): void {
    const remaining = Number(headers.get("ratelimit-remaining") ?? Number.NaN);
    const resetSeconds = Number(headers.get("ratelimit-reset") ?? Number.NaN);
    if (status === 429) this.counters.throttled++;
    const now = this.clock.now();
    // A 429's remaining speaks of the refused minute, not of how many requests were counted.
    if (status !== 429 && Number.isFinite(remaining)) this.remainingSeen.push({ at: now, remaining });
    if (status !== 429 && !(remaining <= 0)) return;
    const resetAt = Number.isFinite(resetSeconds) ? resetSeconds * 1000 : now + 1000;
    // The reset has one-second resolution; never pause for less than a second nor more than a minute
    // past what the API said.
    this.blockedUntil = Math.max(this.blockedUntil, Math.min(Math.max(resetAt, now + 1000), now + MINUTE_MS));
  }

  /** Counts a job waited for with this budget until the returned function is called. */
  joinWait(): () => void {
    this.waits++;
    let left = false;
    return () => {
      if (!left) this.waits--;
      left = true;
    };
  }

  /**
   * The least time between two polls of one job that lets every job waited for have its share of the
   * budget: a hundred jobs at once under 200 a minute get a poll each every 30 s, rather than all of
   * them polling early and then none for a minute while the window is full. (Other processes using
   * the token are left to the token-wide count: guessing their share from it stalled waits.)
   */
  fairPollIntervalMs(): number {
    return (this.waits * MINUTE_MS) / this.perMinute;
  }

  stats(): BudgetStats {
    return { ...this.counters };
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.window.length > 0 && (this.window[0] ?? 0) <= now - MINUTE_MS) this.window.shift();
      const windowFreesAt = this.window.length >= this.perMinute ? (this.window[0] ?? now) + MINUTE_MS : now;
      const wait = Math.max(this.blockedUntil, windowFreesAt, this.tokenWindowFreesAt(now)) - now;
      if (wait <= 0) {
        this.window.push(now);
        this.counters.granted++;
        this.counters.peakPerMinute = Math.max(this.counters.peakPerMinute, this.window.length);
        return;
      }
      await this.clock.sleep(wait);
    }
  }

  /**
   * When the token's requests of the last minute, by this process and others, as the fall of
   * `ratelimit-remaining` counts them, leave room for one more: now, or once the oldest answer seen in
   * the window ages out of it. (The hourly count also rises as hour-old requests expire; that only
   * makes the count short of the truth by those, rare within one deployment.)
   */
  private tokenWindowFreesAt(now: number): number {
    if (this.tokenRequestsInWindow(now) < this.perMinute) return now;
    const [baseline, next] = this.remainingSeen;
    // The count falls when the baseline leaves the window, or when the next answer replaces it.
    const leaving = baseline && baseline.at > now - MINUTE_MS ? baseline : (next ?? baseline);
    return leaving ? leaving.at + MINUTE_MS : now;
  }

  /**
   * The token's requests within the last minute, by anyone: how far `ratelimit-remaining` fell since a
   * baseline (the newest answer from just before the window, so that requests by others early in the
   * window count too; else the oldest in it, whose own request came before it), and ours sent since
   * the latest answer, which no answer counted yet.
   */
  private tokenRequestsInWindow(now: number): number {
    const seen = this.remainingSeen;
    const windowStart = now - MINUTE_MS;
    while (seen.length > 1 && (seen[1]?.at ?? 0) <= windowStart) seen.shift();
    // A baseline long before the window would count too much of what came before it: then only what
    // is in the window.
    if (seen.length > 0 && (seen[0]?.at ?? 0) <= windowStart - BASELINE_SLACK_MS) seen.shift();
    const baseline = seen[0];
    const latest = seen[seen.length - 1];
    if (!baseline || !latest) return 0;
    const unanswered = this.window.filter((at) => at > latest.at).length;
    const ownRequest = baseline.at > windowStart ? 1 : 0;
    return baseline.remaining - latest.remaining + ownRequest + unanswered;
  }
}

/** The budget shared by every client of this process that talks to `baseUrl` with `token`. */
export function sharedBudget(baseUrl: string, token: string, perMinute?: number): RequestBudget {
  // Kept on globalThis, not in a module variable: Pulumi's closure serializer copies the module
  // variables a provider reaches into the serialized provider, and no token may end up there.
  const registry = Symbol.for("pulumi-gradient-indexing.request-budgets");
  const scope = globalThis as { [registry]?: Map<string, RequestBudget> };
  const budgets = (scope[registry] ??= new Map<string, RequestBudget>());
  const key = createHash("sha256").update(`${baseUrl}\n${token}`).digest("hex");
  let budget = budgets.get(key);
  if (!budget) {
    budget = new RequestBudget({ perMinute });
    budgets.set(key, budget);
  }
  return budget;
}
