/**
 * Waiting for an indexing job to end, with as few API calls as the job's own progress allows.
 *
 * A job reports how far it is (items processed of the files to index, per data source). From two
 * observations of steady progress the end can be predicted, and the next poll is placed just after it;
 * while progress says nothing useful (pending, stalled, jumping), polls back off with jitter up to a cap,
 * as an age-based waiter would.
 */
import type { IndexingJob } from "./api/types";
import { hasStatus, isApiError } from "./client";
import { systemClock, type Clock } from "./clock";
import { outcomeOf, progressOf } from "./job-state";

export interface PollPolicy {
  /** First poll after the job was started. */
  firstDelayMs: number;
  /** Never poll sooner than this after the previous poll. */
  minDelayMs: number;
  /** Longest wait while progress gives no trustworthy prediction. */
  maxDelayMs: number;
  /** Longest wait for a prediction confirmed by two observations. */
  maxPredictedDelayMs: number;
  /** Growth of the wait while nothing can be predicted. */
  backoffFactor: number;
  /** Random spread of backoff waits (0.2 = ±20%), so that many jobs do not poll in lockstep. */
  jitter: number;
  /** Two predictions of the end that differ by at most this share of the time left confirm each other. */
  agreement: number;
  /** Poll this long after the predicted end, so that the end has been written by then. */
  marginMs: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = {
  firstDelayMs: 2_000,
  minDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxPredictedDelayMs: 10 * 60_000,
  backoffFactor: 1.5,
  jitter: 0.2,
  agreement: 0.15,
  marginMs: 250,
};

interface Sample {
  at: number;
  fraction: number;
}

/**
 * Decides when to poll next from what the job has shown so far. Pure apart from `random`, so the
 * benchmark can replay it against simulated jobs.
 */
export class PollSchedule {
  private readonly policy: PollPolicy;
  private readonly random: () => number;
  private samples: Sample[] = [];
  private backoff: number;
  private previousEnd: number | undefined;
  private serverElapsedMs: number | undefined;

  constructor(policy: Partial<PollPolicy> = {}, random: () => number = Math.random) {
    this.policy = { ...DEFAULT_POLL_POLICY, ...policy };
    this.random = random;
    this.backoff = this.policy.firstDelayMs;
  }

  /** The wait before the first poll. */
  firstDelay(): number {
    return this.policy.firstDelayMs;
  }

  /** Records what a poll at `at` showed, and returns the wait before the next poll. */
  next(at: number, job: IndexingJob): number {
    const { fraction } = progressOf(job);
    if (job.phase === "BATCH_JOB_PHASE_RUNNING" && fraction !== undefined) {
      this.samples.push({ at, fraction });
      // The job's own timestamps give its running time without our clock's skew.
      const started = Date.parse(job.started_at ?? "");
      const updated = Date.parse(job.updated_at ?? "");
      if (updated > started) this.serverElapsedMs = updated - started;
    }
    const predicted = this.predictEnd(at);
    if (predicted === undefined) return this.backOff();
    const { end, trusted } = predicted;
    const { minDelayMs, maxDelayMs, maxPredictedDelayMs, marginMs } = this.policy;
    const untilEnd = end - at + marginMs;
    // A prediction not yet confirmed is probed halfway, unless the end is close anyway.
    const delay = trusted || untilEnd <= 2 * minDelayMs ? untilEnd : untilEnd / 2;
    return clamp(delay, minDelayMs, trusted ? maxPredictedDelayMs : maxDelayMs);
  }

  /** The wait after a poll that failed: nothing new was learnt. */
  afterError(): number {
    return this.backOff();
  }

  private predictEnd(at: number): { end: number; trusted: boolean } | undefined {
    const latest = this.samples.at(-1);
    if (!latest || latest.at !== at) return undefined;
    if (latest.fraction >= 1) return { end: at, trusted: true };
    const first = this.samples.find((s) => s.fraction < latest.fraction);
    let end: number | undefined;
    if (first) {
      const rate = (latest.fraction - first.fraction) / (latest.at - first.at);
      end = at + (1 - latest.fraction) / rate;
    } else if (this.samples.length === 1 && latest.fraction > 0 && this.serverElapsedMs) {
      end = at + ((1 - latest.fraction) / latest.fraction) * this.serverElapsedMs;
    }
    if (end === undefined || !Number.isFinite(end)) return undefined;
    const previous = this.previousEnd;
    this.previousEnd = end;
    const trusted = previous !== undefined && Math.abs(end - previous) <= this.policy.agreement * (end - at);
    this.backoff = this.policy.firstDelayMs;
    return { end, trusted };
  }

  private backOff(): number {
    const { jitter, backoffFactor, maxDelayMs, minDelayMs } = this.policy;
    const delay = this.backoff * (1 - jitter + 2 * jitter * this.random());
    this.backoff = Math.min(this.backoff * backoffFactor, maxDelayMs);
    return clamp(delay, minDelayMs, maxDelayMs);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
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
}

export type WaitResult = { ended: true; job: IndexingJob } | { ended: false; job: IndexingJob };

/**
 * Polls `fetchJob` until the job ends or the deadline passes. `initial` is the state already known
 * (e.g. the answer that started the job), so no poll is spent on it. Errors that a retry may cure
 * (no answer, 5xx, malformed body, rate limit) are waited out; others (404, 401, 403) are thrown.
 */
export async function waitForJob(
  initial: IndexingJob,
  fetchJob: () => Promise<IndexingJob>,
  options: WaitOptions,
): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const schedule = new PollSchedule(options.policy);
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  let job = initial;
  let errors = 0;
  options.onObserve?.(job);
  let delay = schedule.firstDelay();
  while (outcomeOf(job) === "running") {
    const now = clock.now();
    if (now >= options.deadline) return { ended: false, job };
    await clock.sleep(Math.min(delay, options.deadline - now));
    try {
      job = await fetchJob();
      errors = 0;
    } catch (error) {
      if (!isTransient(error) || ++errors > maxErrors) throw error;
      delay = schedule.afterError();
      continue;
    }
    options.onObserve?.(job);
    delay = schedule.next(clock.now(), job);
  }
  return { ended: true, job };
}

function isTransient(error: unknown): boolean {
  if (!isApiError(error)) return false;
  if (error.kind !== "http") return true;
  return hasStatus(error, 408, 429, 500, 502, 503, 504);
}
