/**
 * Waiting for an indexing job to end: DigitalOcean's SDK waiter's schedule, less its GET right after
 * the start (the start's answer is our first look), and one poll just after the end the knowledge
 * base's past runs make likely.
 *
 * That is all the API lets a poller know. The spec (November 2025) dropped the job-level item counts,
 * and data sources may report theirs only once each ends, so progress rarely predicts an end; a
 * reindex of the same data, though, takes about as long as the last ones did. A wrong guess costs that
 * one call, never a later end than the SDK's: every poll of the SDK's schedule stays.
 */
import type { IndexingJob } from "../api/types";
import { hasStatus, isApiError } from "../client";
import { systemClock, type Clock } from "../clock";
import { outcomeOf } from "./outcome";
import { DEFAULT_POLL_POLICY, type PollPolicy } from "./poll-policy";

export { DEFAULT_POLL_POLICY, type PollPolicy } from "./poll-policy";

/** How long after the end past runs make likely their poll goes. */
const PAST_RUNS_MARGIN_MS = 1_000;

/** Decides when to poll next. */
export class PollSchedule {
  private readonly policy: PollPolicy;
  /** When the job was first seen, on our clock: the SDK's schedule counts from there. */
  private origin: number | undefined;
  /** Just after the end past runs make likely, on our clock, until a poll went there. */
  private pastRunsPollAt: number | undefined;

  constructor(policy: Partial<PollPolicy> = {}) {
    this.policy = { ...DEFAULT_POLL_POLICY, ...policy };
  }

  /**
   * Expects the job, first seen at `at`, to take about `typicalRunMs` from creation to finish, as the
   * knowledge base's past jobs did (provider/history.ts). Its age counts from its own timestamps, both
   * on the API's clock; a job that shows none is taken as just created.
   */
  expectRun(typicalRunMs: number, at: number, job: IndexingJob): void {
    const created = Date.parse(job.created_at ?? "");
    const updated = Date.parse(job.updated_at ?? "");
    const age = updated > created ? updated - created : 0;
    // A second past it: a run of the same data differs by that much from the last ones (and
    // whole-second timestamps may each be a second short).
    this.pastRunsPollAt = at - age + typicalRunMs + PAST_RUNS_MARGIN_MS;
  }

  /** The wait before the next poll, after a look at `at`. */
  next(at: number): number {
    this.origin ??= at;
    const byAge = this.ageBasedDelay(at);
    if (this.pastRunsPollAt === undefined) return byAge;
    const wait = this.pastRunsPollAt - at;
    if (wait >= byAge) return byAge;
    this.pastRunsPollAt = undefined;
    return wait < 0 ? byAge : Math.max(wait, this.policy.minDelayMs);
  }

  /** The wait until the SDK schedule's next poll at least `minDelayMs` after `now`. */
  private ageBasedDelay(now: number): number {
    const { firstDelayMs, firstDelayRepeats, maxDelayMs, minDelayMs } = this.policy;
    const origin = this.origin ?? now;
    let step = Math.max(firstDelayMs, 1);
    let at = origin + step;
    for (let n = 1; at < now + minDelayMs; n++) {
      if (n >= firstDelayRepeats) step = Math.min(step * 2, Math.max(maxDelayMs, 1));
      at += step;
    }
    return at - now;
  }
}

export interface WaitOptions {
  /** Clock time by which the job must have ended. */
  deadline: number;
  clock?: Clock;
  policy?: Partial<PollPolicy>;
  /** Called with every state of the job seen, the first one included. */
  onObserve?: (job: IndexingJob) => void;
  /** Consecutive failed polls tolerated before giving up. Default 5. */
  maxConsecutiveErrors?: number;
  /** How long the knowledge base's past jobs took from creation to finish (PollSchedule.expectRun). */
  typicalRunMs?: number;
  /**
   * Until this clock time a 404 is waited out like a failed poll: right after a start the API may not
   * show the job yet (read-after-write lag). After it, a 404 means the job is gone.
   */
  notFoundGraceUntil?: number;
}

export type WaitResult = { ended: boolean; job: IndexingJob };

/**
 * Polls `fetchJob` until the job ends or the deadline passes. `initial` is the state already known
 * (the answer that started the job), so no poll is spent on it. Errors that a retry may cure (no
 * answer, 5xx, malformed body, rate limit) are waited out, and so is a 404 within `notFoundGraceUntil`;
 * others (404, 401, 403) are thrown.
 */
export async function waitForJob(
  initial: IndexingJob,
  fetchJob: () => Promise<IndexingJob>,
  options: WaitOptions,
): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const schedule = new PollSchedule(options.policy);
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  options.onObserve?.(initial);
  if (options.typicalRunMs !== undefined) schedule.expectRun(options.typicalRunMs, clock.now(), initial);
  let job = initial;
  let delay = schedule.next(clock.now());
  let errors = 0;
  while (outcomeOf(job) === "running") {
    const polledAt = clock.now();
    if (polledAt >= options.deadline) return { ended: false, job };
    await clock.sleep(Math.min(delay, options.deadline - polledAt));
    try {
      job = await fetchJob();
      errors = 0;
    } catch (error) {
      // Not found yet, so soon after the start, is the API's lag rather than a failure.
      const lagging = hasStatus(error, 404) && clock.now() < (options.notFoundGraceUntil ?? -Infinity);
      if (!lagging && (!isTransient(error) || ++errors > maxErrors)) throw error;
      delay = schedule.next(clock.now());
      continue;
    }
    options.onObserve?.(job);
    delay = schedule.next(clock.now());
  }
  return { ended: true, job };
}

function isTransient(error: unknown): boolean {
  if (!isApiError(error)) return false;
  if (error.kind !== "http") return true;
  return hasStatus(error, 408, 429, 500, 502, 503, 504);
}
