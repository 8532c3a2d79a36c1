/**
 * Waiting for an indexing job to end, with as few API calls as the job allows, and no later than
 * DigitalOcean's own SDK waiter would notice it (but for one bounded guess, below).
 *
 * Two schedules meet here. The age-based one is the SDK waiter's (`firstDelayMs` apart a few times, then
 * doubling up to `maxDelayMs`), counted from when we first saw the job, minus its GET right after the
 * start (the start's answer is our first look): it decides while progress predicts nothing — pending, no
 * counts, or counts too uneven to trust. Where progress is steady, the predicted end (provider/predict.ts)
 * decides instead, and may skip the age-based polls up to just after that end. A single count moves
 * one age-based poll at most, to the end it makes likely if that is at most 3 s past it: were the
 * guess wrong, an end just before that poll is noticed at most those seconds later than the SDK would.
 */
import type { IndexingJob } from "./api/types";
import { hasStatus, isApiError } from "./client";
import { systemClock, type Clock } from "./clock";
import { outcomeOf } from "./job-state";
import { DEFAULT_POLL_POLICY, type PollPolicy } from "./poll-policy";
import { EndPredictor, type Prediction } from "./predict";

export { DEFAULT_POLL_POLICY, type PollPolicy } from "./poll-policy";

/** How far past an age-based poll a single count may move it: what a wrong guess may cost. */
const ONE_COUNT_REACH_MS = 3_000;

/** Past runs' timestamps are whole seconds: one poll this long after the end they place. */
const PAST_RUN_MARGIN_MS = 1_000;

/** Decides when to poll next from what the job has shown so far and how long we have watched it. */
export class PollSchedule {
  private readonly policy: PollPolicy;
  private readonly predictor: EndPredictor;
  /** When the job was first seen, on our clock: the age-based schedule counts from there. */
  private origin: number | undefined;
  /** Where the knowledge base's past jobs place this one's end, on our clock, until polled there. */
  private endByPastRuns: number | undefined;

  constructor(policy: Partial<PollPolicy> = {}, random: () => number = Math.random) {
    this.policy = { ...DEFAULT_POLL_POLICY, ...policy };
    this.predictor = new EndPredictor(this.policy, random);
  }

  /** Records what a poll (or the answer that started the job) at `at` showed; returns the wait before the next poll. */
  next(at: number, job: IndexingJob): number {
    if (this.origin === undefined) this.origin = at;
    const prediction = this.predictor.next(at, job);
    const delay = this.plannedDelay(at, prediction);
    return prediction?.steady ? delay : this.pastRunsPoll(at, delay);
  }

  /**
   * Expects the job, seen at `at`, to take about as long as the knowledge base's past jobs did from
   * creation to finish (provider/history.ts). One poll goes just after that end, unless another comes
   * first: the age-based schedule keeps every poll of its own, so a wrong guess costs that one call —
   * which the SDK waiter spends on its GET right after the start.
   */
  expectRun(typicalRunMs: number, at: number, job: IndexingJob): void {
    const created = Date.parse(job.created_at ?? "");
    const updated = Date.parse(job.updated_at ?? "");
    const age = Number.isFinite(created) && updated >= created ? updated - created : 0;
    this.endByPastRuns = at - age + typicalRunMs;
  }

  private plannedDelay(at: number, prediction: Prediction | undefined): number {
    const byAge = this.ageBasedDelay(at);
    if (!prediction?.steady) return this.oneCountDelay(prediction, byAge, at);
    // On two counts, a predicted end just past the age-based poll is too close to call (erratic counts
    // can look steady that early): that poll stays. Only a prediction well beyond it skips it.
    const stepAfter = this.ageBasedDelay(at + byAge);
    const justPast =
      prediction.counts < 3 && prediction.delayMs > byAge && prediction.delayMs <= byAge + stepAfter;
    return justPast ? byAge : prediction.delayMs;
  }

  /** The wait until just after the end past runs make likely, if that comes before `delay`; once. */
  private pastRunsPoll(at: number, delay: number): number {
    if (this.endByPastRuns === undefined) return delay;
    // Both timestamps of a past run are whole seconds: it may have taken up to a second longer.
    const wait = this.endByPastRuns + PAST_RUN_MARGIN_MS - at;
    if (wait >= delay) return delay;
    this.endByPastRuns = undefined;
    return wait < 0 ? delay : Math.max(wait, this.policy.minDelayMs);
  }

  /**
   * One count cannot prove progress steady, but with the start the job's timestamps give it places the
   * likely end. Where that lies shortly past the age-based poll, that poll would most likely bring only a
   * second count and need a third call: one poll just after the likely end replaces both. Too early, it
   * is that second count (no call lost); too late, it notices an end just before the age-based poll
   * at most half a step (and `ONE_COUNT_REACH_MS`) after that poll would have.
   */
  private oneCountDelay(prediction: Prediction | undefined, byAge: number, at: number): number {
    const likely = prediction?.counts === 1 ? prediction.likelyDelayMs : undefined;
    if (likely === undefined || likely <= byAge) return byAge;
    const reach = Math.min(this.ageBasedDelay(at + byAge) / 2, ONE_COUNT_REACH_MS);
    return likely <= byAge + reach ? likely : byAge;
  }

  /** The wait after a poll that failed at `at`: nothing new was learnt. */
  afterError(at: number): number {
    if (this.origin === undefined) this.origin = at;
    return this.ageBasedDelay(at);
  }

  /** The wait until the age-based schedule's next poll at least `minDelayMs` after `now`. */
  ageBasedDelay(now: number): number {
    const { firstDelayMs, firstDelayRepeats, maxDelayMs, minDelayMs } = this.policy;
    const origin = this.origin ?? now;
    let step = Math.max(firstDelayMs, minDelayMs, 1);
    let at = origin + step;
    for (let n = 1; at < now + minDelayMs; n++) {
      if (n >= firstDelayRepeats) step = Math.min(step * 2, Math.max(maxDelayMs, minDelayMs, 1));
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
  /** Source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /** Called with every state of the job seen, the first one included. */
  onObserve?: (job: IndexingJob) => void;
  /** Consecutive failed polls tolerated before giving up. Default 5. */
  maxConsecutiveErrors?: number;
  /**
   * How long the knowledge base's past jobs took from creation to finish: one poll may go just after
   * the end that makes likely (see PollSchedule.expectRun).
   */
  typicalRunMs?: number;
  /**
   * Until this clock time a 404 is waited out like a failed poll: right after a start the API may not
   * show the job yet (read-after-write lag). After it, a 404 means the job is gone.
   */
  notFoundGraceUntil?: number;
  /** A request budget shared with other waits: no poll comes sooner than this wait's fair share of it. */
  share?: { joinWait(): () => void; fairPollIntervalMs(): number };
}

export type WaitResult = { ended: true; job: IndexingJob } | { ended: false; job: IndexingJob };

/**
 * Polls `fetchJob` until the job ends or the deadline passes. `initial` is the state already known
 * (e.g. the answer that started the job), so no poll is spent on it. Errors that a retry may cure
 * (no answer, 5xx, malformed body, rate limit) are waited out, and so is a 404 within
 * `notFoundGraceUntil`; others (404, 401, 403) are thrown.
 */
export async function waitForJob(
  initial: IndexingJob,
  fetchJob: () => Promise<IndexingJob>,
  options: WaitOptions,
): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const schedule = new PollSchedule(options.policy, options.random);
  options.onObserve?.(initial);
  if (options.typicalRunMs !== undefined) schedule.expectRun(options.typicalRunMs, clock.now(), initial);
  // A job already running (resumed, or found in the way) may be predictable from its first sight.
  const delay = schedule.next(clock.now(), initial);
  const leave = outcomeOf(initial) === "running" ? options.share?.joinWait() : undefined;
  try {
    return await pollUntilEnd(initial, delay, schedule, fetchJob, options, clock);
  } finally {
    leave?.();
  }
}

async function pollUntilEnd(
  initial: IndexingJob,
  firstDelay: number,
  schedule: PollSchedule,
  fetchJob: () => Promise<IndexingJob>,
  options: WaitOptions,
  clock: Clock,
): Promise<WaitResult> {
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  let job = initial;
  let delay = firstDelay;
  let errors = 0;
  while (outcomeOf(job) === "running") {
    const now = clock.now();
    if (now >= options.deadline) return { ended: false, job };
    await clock.sleep(Math.min(delay, options.deadline - now));
    // Waits that joined since (jobs started after this one) shrink this one's share of the budget.
    for (let due = fairShareDue(now, options); due > clock.now() && clock.now() < options.deadline;) {
      await clock.sleep(Math.min(due, options.deadline) - clock.now());
      due = fairShareDue(now, options);
    }
    try {
      job = await fetchJob();
      errors = 0;
    } catch (error) {
      // Not found yet, so soon after the start, is the API's lag rather than a failure.
      const lagging = hasStatus(error, 404) && clock.now() < (options.notFoundGraceUntil ?? -Infinity);
      if (!lagging && (!isTransient(error) || ++errors > maxErrors)) throw error;
      delay = schedule.afterError(clock.now());
      continue;
    }
    options.onObserve?.(job);
    delay = schedule.next(clock.now(), job);
  }
  return { ended: true, job };
}

/** When this wait's share of a shared budget allows its next poll, the previous one at `since`. */
function fairShareDue(since: number, options: WaitOptions): number {
  return since + (options.share?.fairPollIntervalMs() ?? 0);
}

function isTransient(error: unknown): boolean {
  if (!isApiError(error)) return false;
  if (error.kind !== "http") return true;
  return hasStatus(error, 408, 429, 500, 502, 503, 504);
}
