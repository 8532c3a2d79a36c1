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
 * count as well as its own. That count only sees requests already answered, so a process never has many
 * in flight at once: were three stacks to send their starts all together, each would see room that the
 * others' unanswered requests had already taken.
 */
import { createHash } from "node:crypto";
import { systemClock, type Clock } from "../clock";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** `ratelimit-reset` is in whole seconds, and our clock may differ a little from the API's. */
const RESET_SLACK_MS = 2_000;
/** How long before the token-wide window an answer may be to serve as its baseline. */
const BASELINE_SLACK_MS = 5_000;
/** Below the API's 250 a minute, leaving room for other tools using the same token. */
export const DEFAULT_REQUESTS_PER_MINUTE = 200;
/**
 * Requests one process has in flight at most. Each is invisible to other processes sharing the token
 * until answered, so this bounds how far they can overshoot together (three processes: 2 x 8 over).
 */
export const DEFAULT_MAX_IN_FLIGHT = 8;

export interface BudgetStats {
  /** Requests let through. */
  granted: number;
  /** Most requests let through in any one-minute window. */
  peakPerMinute: number;
  /** 429 answers seen. */
  throttled: number;
}

interface RateLimitSeen {
  /** When the answer arrived, on our clock. */
  at: number;
  remaining: number;
  /** The token's requests within the API's hour (`ratelimit-limit` less `remaining`). */
  hourCount?: number;
  /** When the oldest of those was made: `ratelimit-reset` (when it expires) less an hour. */
  oldestAt?: number;
}

export class RequestBudget {
  readonly perMinute: number;
  readonly maxInFlight: number;
  private readonly clock: Clock;
  /** Send times of the requests in the current window, oldest first. */
  private window: number[] = [];
  private blockedUntil = 0;
  /** Jobs being waited for with this budget. */
  private waits = 0;
  /** The `ratelimit-*` headers of the answers of the last minute, oldest first. */
  private remainingSeen: RateLimitSeen[] = [];
  /** Waiters are served in order, so that no job starves behind others. */
  private queue: Promise<void> = Promise.resolve();
  private counters: BudgetStats = { granted: 0, peakPerMinute: 0, throttled: 0 };
  /** When the first answer with a `ratelimit-remaining` came. */
  private firstAnswerAt: number | undefined;
  /** Sends let through and not yet released. */
  private inFlight = 0;
  /** Wakes the waiter at the head of the queue when a send in flight ends. */
  private onRelease: (() => void) | undefined;

  constructor(options: { perMinute?: number; maxInFlight?: number; clock?: Clock } = {}) {
    this.perMinute = options.perMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.clock = options.clock ?? systemClock;
    if (!(this.perMinute > 0)) throw new RangeError("perMinute must be positive");
    if (!(this.maxInFlight >= 1)) throw new RangeError("maxInFlight must be at least 1");
  }

  /**
   * Resolves when one more request may be sent now; it counts as in flight until `release` is called.
   */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Makes a request that `acquire` let through, learns from its answer, and ends it, answered or not:
   * the answer is counted before the slot is given up, so that no wait sees neither.
   */
  async send(request: () => Promise<Response>): Promise<Response> {
    try {
      const response = await request();
      this.observe(response.status, response.headers);
      return response;
    } finally {
      this.release();
    }
  }

  /** Ends a send that `acquire` let through (`send` does this itself). */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const wake = this.onRelease;
    this.onRelease = undefined;
    wake?.();
  }

  /** Learns from an answer's `ratelimit-*` headers (and from a 429) when the API wants us to pause. */
  observe(status: number, headers: Headers): void {
    const remaining = Number(headers.get("ratelimit-remaining") ?? Number.NaN);
    const resetSeconds = Number(headers.get("ratelimit-reset") ?? Number.NaN);
    if (status === 429) this.counters.throttled++;
    const now = this.clock.now();
    // A 429's remaining speaks of the refused minute, not of how many requests were counted.
    if (status !== 429 && Number.isFinite(remaining)) {
      this.firstAnswerAt ??= now;
      const limit = Number(headers.get("ratelimit-limit") ?? Number.NaN);
      this.remainingSeen.push({
        at: now,
        remaining,
        ...(Number.isFinite(limit) && { hourCount: limit - remaining }),
        ...(Number.isFinite(resetSeconds) && { oldestAt: resetSeconds * 1000 - HOUR_MS }),
      });
    }
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
      if (this.inFlight >= this.maxInFlight) {
        await new Promise<void>((resolve) => (this.onRelease = resolve));
        continue;
      }
      const now = this.clock.now();
      while (this.window.length > 0 && (this.window[0] ?? 0) <= now - MINUTE_MS) this.window.shift();
      const windowFreesAt = this.window.length >= this.perMinute ? (this.window[0] ?? now) + MINUTE_MS : now;
      const wait = Math.max(this.blockedUntil, windowFreesAt, this.tokenWindowFreesAt(now)) - now;
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

  /**
   * When the token's requests of the last minute, by this process and others, leave room for one
   * more: now, or once what counted them ages out of the window. Two counts, the larger wins: how far
   * `ratelimit-remaining` fell within the minute, and, while the API's oldest counted request is
   * younger than a minute, everything the API counted. The first misses what others sent before our
   * first answer (a stack deployed while another's first minute runs); the second sees it.
   * (The hourly count also rises as hour-old requests expire; that only makes the first count short
   * of the truth by those, rare within one deployment.)
   */
  private tokenWindowFreesAt(now: number): number {
    let freesAt = now;
    if (this.tokenRequestsInWindow(now) >= this.perMinute) {
      const [baseline, next] = this.remainingSeen;
      // The count falls when the baseline leaves the window, or when the next answer replaces it.
      const leaving = baseline && baseline.at > now - MINUTE_MS ? baseline : (next ?? baseline);
      if (leaving) freesAt = leaving.at + MINUTE_MS;
    }
    const recent = this.recentHour(now);
    if (recent && recent.count >= this.perMinute) freesAt = Math.max(freesAt, recent.leavesWindowAt);
    return freesAt;
  }

  /**
   * Every request the API counted for the token, and ours in flight, when the oldest it counted is
   * within the last minute (so all of them are); undefined otherwise, or when the API does not say.
   * Only needed, and so only trusted, in our own first minute: later a baseline from before the
   * window lets the fall of `remaining` count everything.
   */
  private recentHour(now: number): { count: number; leavesWindowAt: number } | undefined {
    if (this.firstAnswerAt === undefined || this.firstAnswerAt <= now - MINUTE_MS) return undefined;
    const newest = this.newestCount();
    if (newest?.hourCount === undefined || newest.oldestAt === undefined) return undefined;
    const leavesWindowAt = newest.oldestAt + MINUTE_MS + RESET_SLACK_MS;
    return leavesWindowAt > now ? { count: newest.hourCount + this.inFlight, leavesWindowAt } : undefined;
  }

  /** Answers overtake one another: the one with the lowest remaining is the API's newest count. */
  private newestCount(): RateLimitSeen | undefined {
    let newest: RateLimitSeen | undefined;
    for (const seen of this.remainingSeen) if (!newest || seen.remaining < newest.remaining) newest = seen;
    return newest;
  }

  /**
   * The token's requests within the last minute, by anyone: how far `ratelimit-remaining` fell since a
   * baseline (the newest answer from just before the window, so that requests by others early in the
   * window count too; else the oldest in it, whose own request came before it), and ours still in
   * flight, which no answer may have counted yet.
   */
  private tokenRequestsInWindow(now: number): number {
    const seen = this.remainingSeen;
    const windowStart = now - MINUTE_MS;
    while (seen.length > 1 && (seen[1]?.at ?? 0) <= windowStart) seen.shift();
    // A baseline long before the window would count too much of what came before it: then only what
    // is in the window.
    if (seen.length > 0 && (seen[0]?.at ?? 0) <= windowStart - BASELINE_SLACK_MS) seen.shift();
    const baseline = seen[0];
    if (!baseline) return 0;
    const lowest = this.newestCount()?.remaining ?? baseline.remaining;
    const ownRequest = baseline.at > windowStart ? 1 : 0;
    // Ours still unanswered; some may be in that count already, which only errs on the safe side.
    return baseline.remaining - lowest + ownRequest + this.inFlight;
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
