/**
 * Waiting for an indexing job to end: DigitalOcean's SDK waiter's schedule, less its GET right after
 * the start (the start's answer is our first look), and one poll just after the end the knowledge
 * base's past runs make likely. Jobs waited for at once share their looks (job-board.ts).
 *
 * That is all the API lets a poller know. The spec (November 2025) dropped the job-level item counts,
 * and data sources may report theirs only once each ends, so progress rarely predicts an end; a
 * reindex of the same data, though, takes about as long as the last ones did. A wrong guess costs that
 * one call, never a later end than the SDK's: every poll of the SDK's schedule stays.
 */
import type { IndexingJob } from "../api/types";
import { hasStatus, isOutage } from "../client/errors";
import type { Clock } from "../clock";
import { JobBoard, type WaitResult, type Watch } from "./job-board";
import { outcomeOf } from "./outcome";

export type { WaitResult } from "./job-board";

/** The poller's knobs; a resource's `poll` input sets the first three (indexing-job/poll-input.ts). */
export interface PollPolicy {
  /**
   * DigitalOcean's SDK waiter's schedule, counted from the start: polls this long apart
   * `firstDelayRepeats` times, then each wait doubles up to `maxDelayMs`.
   */
  firstDelayMs: number;
  /** How many waits of `firstDelayMs` come before the waits grow. */
  firstDelayRepeats: number;
  /** The schedule's longest wait. */
  maxDelayMs: number;
  /** Internal: the shortest wait between two looks (the start's rechecks, a poll placed by past runs). */
  minDelayMs: number;
  /**
   * Internal: how long the API may take to show a job just started (read-after-write lag): a 404 for
   * it, or a refused start that the job list does not explain, is waited out that long.
   */
  apiLagMs: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = {
  firstDelayMs: 5_000,
  firstDelayRepeats: 3,
  maxDelayMs: 30_000,
  minDelayMs: 1_000,
  apiLagMs: 60_000,
};

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
   * knowledge base's past jobs did (past-runs.ts). Its age counts from its own timestamps, both
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
    // Spent by the first look at or after it (a listing of the account's jobs counts: job-board.ts).
    if (this.pastRunsPollAt !== undefined && at >= this.pastRunsPollAt) this.pastRunsPollAt = undefined;
    if (this.pastRunsPollAt === undefined) return byAge;
    const wait = this.pastRunsPollAt - at;
    return wait < byAge ? Math.max(wait, this.policy.minDelayMs) : byAge;
  }

  /** The wait until the SDK schedule's next poll at least `minDelayMs` after `now`. */
  private ageBasedDelay(now: number): number {
    return this.sdkPoll(now + this.policy.minDelayMs).at - now;
  }

  /** The gap between the SDK schedule's two polls around `now`: how often it polls at the job's age. */
  stepAt(now: number): number {
    return this.sdkPoll(now + 1).step;
  }

  /** The SDK schedule's first poll at or after `time`, and the gap before it. */
  private sdkPoll(time: number): { at: number; step: number } {
    const { firstDelayMs, firstDelayRepeats, maxDelayMs } = this.policy;
    let step = Math.max(firstDelayMs, 1);
    let at = (this.origin ?? time) + step;
    for (let n = 1; at < time; n++) {
      if (n >= firstDelayRepeats) step = Math.min(step * 2, Math.max(maxDelayMs, 1));
      at += step;
    }
    return { at, step };
  }
}

export interface WaitOptions {
  /**
   * Clock time by which the job must have ended. The wait returns then, whatever the API does: its GET
   * in flight is stopped (at most 2 s later for one sent just before it, job-board.ts's LAST_LOOK_MS).
   */
  deadline: number;
  clock?: Clock;
  policy?: Partial<PollPolicy>;
  /** Shares looks with the process's other waits (jobBoardOf); the clock is then the board's. */
  board?: JobBoard;
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

/**
 * Polls `fetchJob` until the job ends or the deadline passes, on `board` beside the process's other
 * waits (default: a board of its own). `fetchJob` gets a signal that aborts when the wait ends: pass it
 * to the client (`api.getIndexingJob(uuid, { signal })`), so a GET that hangs at the deadline is
 * stopped; the wait itself ends on time either way. `initial` is the state already known (the answer that started
 * the job), so no poll is spent on it. Errors that a retry may cure (no answer, 5xx, malformed body,
 * rate limit) are waited out, and so is a 404 within `notFoundGraceUntil`; others (404, 401, 403) are
 * thrown.
 */
export function waitForJob(
  initial: IndexingJob,
  fetchJob: (signal: AbortSignal) => Promise<IndexingJob>,
  options: WaitOptions,
): Promise<WaitResult> {
  const board = options.board ?? new JobBoard(undefined, options.clock);
  const now = board.clock.now();
  const schedule = new PollSchedule(options.policy);
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  options.onObserve?.(initial);
  if (outcomeOf(initial) !== "running") return Promise.resolve({ ended: true, job: initial });
  if (options.typicalRunMs !== undefined) schedule.expectRun(options.typicalRunMs, now, initial);
  let errors = 0;
  return new Promise((resolve, reject) => {
    const watch: Watch = {
      job: initial,
      stepAt: (at) => schedule.stepAt(at),
      dueAt: Math.min(now + schedule.next(now), options.deadline),
      deadline: options.deadline,
      fetch: fetchJob,
      observe: (job, at) => {
        watch.job = job;
        errors = 0;
        options.onObserve?.(job);
        watch.dueAt = Math.min(at + schedule.next(at), options.deadline);
      },
      failed: (error, at) => {
        // Not found yet, so soon after the start, is the API's lag rather than a failure.
        const lagging = hasStatus(error, 404) && at < (options.notFoundGraceUntil ?? -Infinity);
        if (!lagging && (!isOutage(error) || ++errors > maxErrors)) throw error;
        watch.dueAt = Math.min(at + schedule.next(at), options.deadline);
      },
      settle: (result) => (result instanceof Error ? reject(result) : resolve(result)),
    };
    board.watch(watch);
  });
}
