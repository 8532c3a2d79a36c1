/**
 * Waiting for an indexing job to end, with as few API calls as the job's own progress allows.
 *
 * A job reports how far it is (items processed of the files to index, per data source) and when it
 * started. Each pair of observations (the start, finished data sources, polls) bounds the rate, hence
 * a window in which steady progress must end. While all pairs agree, the poller sleeps to that window,
 * no further ahead than the agreement has been seen to hold, and approaching a far end in steps; once
 * the window is narrow it polls once, just after it. When they disagree (counts that stall or jump), the
 * progress is uneven: finished data sources still pace the job (batching within a source does not blur
 * them), else the average rate does, with a wide margin; the poller sleeps to the earliest end these
 * allow and then looks in at short intervals. While progress says nothing (pending, no counts yet),
 * waits back off with jitter up to a cap, as an age-based waiter's would.
 */
import type { IndexingJob } from "./api/types";
import { hasStatus, isApiError } from "./client";
import { systemClock, type Clock } from "./clock";
import { outcomeOf, progressOf } from "./job-state";

export interface PollPolicy {
  /**
   * First poll after a job was seen pending. Late enough for a ten-second job to be half done, so that
   * one sample and the job's start (whole seconds only) place its end to within a second or so.
   */
  firstDelayMs: number;
  /** Never poll sooner than this after the previous poll. */
  minDelayMs: number;
  /** Longest wait while progress tells nothing (pending, no counts yet); also caps `nearEndDelayMs`. */
  maxDelayMs: number;
  /** Longest wait towards an end that progress predicts. */
  maxPredictedDelayMs: number;
  /** Longest wait once the end may come any moment but uneven progress cannot say exactly when. */
  nearEndDelayMs: number;
  /** Growth of the wait while nothing can be predicted. */
  backoffFactor: number;
  /**
   * Random spread of waits that no prediction fixes (0.2 = 20%), so that many jobs do not poll in
   * lockstep: backoff ±, the first delay only upwards, short steps near the end only downwards.
   */
  jitter: number;
  /** Steady progress is followed at most this many times as far ahead as it was seen to hold. */
  horizonFactor: number;
  /** A predicted end further than this is approached in steps rather than in one leap. */
  longestLeapMs: number;
  /** Each step towards a far predicted end covers this share of the way. */
  approach: number;
  /** Relative error of progress counts still taken as steady progress (0.03 = 3%). */
  tolerance: number;
  /** Least share of the job by which uneven counts are assumed to lag or lead the time actually elapsed. */
  unevenness: number;
  /** When the end is known to within this, poll once just after it instead of probing before it. */
  precisionMs: number;
  /** Poll this long after the latest plausible end, so that the end has been written by then. */
  marginMs: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = {
  firstDelayMs: 8_000,
  minDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxPredictedDelayMs: 10 * 60_000,
  nearEndDelayMs: 10_000,
  backoffFactor: 1.5,
  jitter: 0.2,
  horizonFactor: 6,
  longestLeapMs: 30_000,
  approach: 0.85,
  tolerance: 0.03,
  unevenness: 0.2,
  precisionMs: 1_500,
  marginMs: 250,
};

/** The API's timestamps have whole seconds. */
const TIMESTAMP_RESOLUTION_MS = 1_000;
/** Uneven progress is followed at most as far ahead as the job has run. */
const UNEVEN_REACH = 1;
/** Steady progress counts as seen to hold once the counts moved by this many steps between polls. */
const CONFIRMING_STEPS = 5;
/** Samples kept: the first and the latest ones (a job polled for hours need not weigh every poll). */
const MAX_SAMPLES = 64;
/** Near an end that cannot be told exactly, polls come at most this share of the job's age apart. */
const NEAR_END_SHARE = 0.2;

interface Sample {
  at: number;
  /** Progress as reported, rounded down to whole items. */
  fraction: number;
}

/** A point of the job's progress known only within bounds: when, and how far. */
interface Point {
  atLo: number;
  atHi: number;
  fractionLo: number;
  fractionHi: number;
}

interface Window {
  lo: number;
  hi: number;
}

/** Where the job must end, if its progress is steady, from one earlier and one later point. */
function endBetween(earlier: Point, later: Point): Window {
  // Points whose times may coincide bound the rate from below only.
  const shortest = later.atLo - earlier.atHi;
  const rateMax = shortest > 0 ? (later.fractionHi - earlier.fractionLo) / shortest : Infinity;
  const rateMin = (later.fractionLo - earlier.fractionHi) / Math.max(1, later.atHi - earlier.atLo);
  return {
    lo: rateMax > 0 ? later.atLo + (1 - later.fractionHi) / rateMax : Infinity,
    hi: rateMin > 0 ? later.atHi + (1 - later.fractionLo) / rateMin : Infinity,
  };
}

/**
 * Where the windows of every pair of points (oldest first) overlap: all of them must agree on the end.
 * Empty (lo > hi) if they do not.
 */
function endWindow(points: readonly Point[]): Window {
  let lo = -Infinity;
  let hi = Infinity;
  points.forEach((later, j) => {
    for (const earlier of points.slice(0, j)) {
      const window = endBetween(earlier, later);
      lo = Math.max(lo, window.lo);
      hi = Math.min(hi, window.hi);
    }
  });
  return { lo, hi };
}

/**
 * Decides when to poll next from what the job has shown so far. Pure apart from `random`, so that tests
 * and the benchmark can replay it against simulated jobs.
 */
export class PollSchedule {
  private readonly policy: PollPolicy;
  private readonly random: () => number;
  private samples: Sample[] = [];
  /** Ends of finished data sources, when they ran one after another. */
  private milestones: Point[] = [];
  /** Resolution of the reported progress: one item (or one data source) of the whole. */
  private quantum = 0;
  /** When the job started running, on our clock, within these bounds. */
  private startLo = -Infinity;
  private startHi = Infinity;
  private lastPendingAt: number | undefined;
  /** Set once observations disagree with steady progress; it stays set. */
  private uneven = false;
  private backoff: number;
  private started = false;

  constructor(policy: Partial<PollPolicy> = {}, random: () => number = Math.random) {
    this.policy = { ...DEFAULT_POLL_POLICY, ...policy };
    this.random = random;
    this.backoff = this.policy.firstDelayMs;
  }

  /** The wait before the first poll of a job seen pending: never sooner than `firstDelayMs`. */
  firstDelay(): number {
    this.started = true;
    this.backoff = this.policy.firstDelayMs * this.policy.backoffFactor;
    return this.policy.firstDelayMs * (1 + this.policy.jitter * this.random());
  }

  /** Records what a poll (or the answer that started the job) at `at` showed; returns the wait before the next poll. */
  next(at: number, job: IndexingJob): number {
    this.observe(at, job);
    const latest = this.samples.at(-1);
    if (!latest || latest.at !== at || latest.fraction <= 0) return this.backOff();
    return (this.uneven ? this.unevenDelay(latest) : this.steadyDelay(latest)) ?? this.backOff();
  }

  /** The wait after a poll that failed: nothing new was learnt. */
  afterError(): number {
    return this.backOff();
  }

  private observe(at: number, job: IndexingJob): void {
    if (job.phase === "BATCH_JOB_PHASE_PENDING") {
      this.lastPendingAt = at;
      return;
    }
    const progress = progressOf(job);
    if (job.phase !== "BATCH_JOB_PHASE_RUNNING" || progress.fraction === undefined) return;
    // Running at last: a short job may end soon, so waits start over from the first delay.
    if (!Number.isFinite(this.startLo)) this.backoff = this.policy.firstDelayMs;
    this.noteStart(at, job);
    this.noteMilestones(at, job);
    const steps = progress.itemsTotal || progress.dataSourcesTotal;
    this.quantum = steps ? 1 / steps : 0;
    const previous = this.samples.at(-1);
    // Counts that say "all done" twice while the job still runs: the end is not where they point.
    if (previous && previous.fraction >= 1 && progress.fraction >= 1) this.uneven = true;
    this.samples.push({ at, fraction: progress.fraction });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(1, 1);
  }

  /**
   * Narrows when the job started running, on our clock: the job's own timestamps give its running time
   * to within a second either way, and every poll gives another such bound.
   */
  private noteStart(at: number, job: IndexingJob): void {
    const started = Date.parse(job.started_at ?? "");
    const updated = Date.parse(job.updated_at ?? "");
    let lo = this.lastPendingAt ?? -Infinity;
    let hi = at;
    if (Number.isFinite(started) && updated >= started) {
      lo = at - (updated - started) - TIMESTAMP_RESOLUTION_MS;
      hi = Math.min(at, at - (updated - started) + TIMESTAMP_RESOLUTION_MS);
    }
    const narrowedLo = Math.max(lo, this.startLo);
    const narrowedHi = Math.min(hi, this.startHi);
    // Bounds that contradict earlier ones (a clock jumped, a job restarted): trust the newest.
    [this.startLo, this.startHi] = narrowedLo <= narrowedHi ? [narrowedLo, narrowedHi] : [lo, hi];
  }

  /**
   * A data source that finished while no other one ran is a milestone: at its `completed_at` the job had
   * done exactly the items of the sources finished so far, however unevenly the counts moved within it.
   */
  private noteMilestones(at: number, job: IndexingJob): void {
    const updated = Date.parse(job.updated_at ?? "");
    const sources = (job.data_source_jobs ?? []).map((source) => ({
      items: source.total_file_count,
      started: Date.parse(source.started_at ?? ""),
      completed: Date.parse(source.completed_at ?? ""),
    }));
    const total = sources.reduce((sum, source) => sum + (source.items ?? 0), 0);
    this.milestones = [];
    if (!Number.isFinite(updated) || total <= 0 || sources.some((s) => s.items === undefined)) return;
    // Our clock minus the API's, to within a second.
    const offset = at - updated;
    const finished = sources
      .filter((s) => Number.isFinite(s.completed))
      .sort((a, b) => a.completed - b.completed);
    let done = 0;
    for (const source of finished) {
      done += source.items ?? 0;
      const alongside = sources.some(
        (other) =>
          other !== source &&
          other.started < source.completed - TIMESTAMP_RESOLUTION_MS &&
          !(other.completed <= source.completed),
      );
      if (alongside || done >= total) continue;
      const at = source.completed + offset;
      this.milestones.push({
        atLo: at - TIMESTAMP_RESOLUTION_MS,
        atHi: at + TIMESTAMP_RESOLUTION_MS,
        fractionLo: done / total,
        fractionHi: done / total,
      });
    }
  }

  /** A sample as a point known within bounds: its count is rounded down, and may be off by `tolerance`. */
  private point(sample: Sample, tolerance: number): Point {
    return {
      atLo: sample.at,
      atHi: sample.at,
      fractionLo: sample.fraction * (1 - tolerance),
      fractionHi: Math.min(1, sample.fraction * (1 + tolerance) + this.quantum),
    };
  }

  private startPoint(): Point[] {
    if (!Number.isFinite(this.startLo)) return [];
    return [{ atLo: this.startLo, atHi: this.startHi, fractionLo: 0, fractionHi: 0 }];
  }

  /** Where steady progress ends, as the start, the milestones and the samples agree. */
  private steadyWindow(tolerance: number): Window | undefined {
    // Every sample counts, a stalled one too: its windows then lie far beyond the others.
    const points = [
      ...this.startPoint(),
      ...this.milestones,
      ...this.samples.map((s) => this.point(s, tolerance)),
    ].sort((a, b) => a.atLo + a.atHi - (b.atLo + b.atHi));
    return points.length > 1 ? endWindow(points) : undefined;
  }

  /**
   * Steady so far: the end lies in the window all observations agree on, followed no further ahead than
   * steady progress has been seen to hold. A window that is empty even with `tolerance` means uneven
   * progress, from now on.
   */
  private steadyDelay(latest: Sample): number | undefined {
    const loose = this.steadyWindow(this.policy.tolerance);
    if (!loose) return undefined;
    if (loose.lo > loose.hi) {
      this.uneven = true;
      return this.unevenDelay(latest);
    }
    const exact = this.steadyWindow(0);
    const window = exact && exact.lo <= exact.hi ? exact : loose;
    if (!Number.isFinite(window.hi)) return this.unevenDelay(latest);
    // Follow the agreement no further ahead than it has been seen to hold since counting began; and
    // until the counts have moved by a few items (not just the start and one count), only as far back.
    const start = Number.isFinite(this.startLo) ? this.startLo : (this.samples[0]?.at ?? latest.at);
    const since = Math.max(start, ...this.samples.filter((s) => s.fraction <= 0).map((s) => s.at));
    const firstCount = this.samples.find((s) => s.fraction > 0) ?? latest;
    const confirmed = latest.fraction - firstCount.fraction >= CONFIRMING_STEPS * this.quantum;
    const reach = (confirmed && latest !== firstCount ? this.policy.horizonFactor : 1) * (latest.at - since);
    return this.toward(latest.at, window, latest.at - start, reach);
  }

  /**
   * Uneven: milestones, where there are any, still pace the job; else the average rate since the start
   * does, give or take how far the counts strayed from it. Either gives a window for the end.
   */
  private unevenDelay(latest: Sample): number | undefined {
    const origin = Number.isFinite(this.startLo) ? (this.startLo + this.startHi) / 2 : this.samples[0]?.at;
    if (origin === undefined || latest.at <= origin) return undefined;
    const age = latest.at - origin;
    const byMilestones = this.milestoneWindow(origin);
    if (byMilestones) return this.toward(latest.at, byMilestones, age, UNEVEN_REACH * age);
    // The average rate of uneven counts is a weak guide: never leap further than an age-based waiter would.
    const reach = Math.min(UNEVEN_REACH * age, this.policy.maxDelayMs);
    return this.toward(latest.at, this.averageWindow(latest, origin), age, reach);
  }

  /** The end as the milestones place it; one milestone alone (an assumption unchecked) gets `unevenness` of slack. */
  private milestoneWindow(origin: number): Window | undefined {
    const points = [...this.startPoint(), ...this.milestones];
    if (points.length < 2) return undefined;
    const window = endWindow(points);
    if (window.lo > window.hi) return undefined;
    if (this.milestones.length > 1) return window;
    const { unevenness } = this.policy;
    return {
      lo: origin + (window.lo - origin) * (1 - unevenness),
      hi: origin + (window.hi - origin) * (1 + unevenness),
    };
  }

  /** The end as the average rate places it, widened by how far the counts strayed from that rate. */
  private averageWindow(latest: Sample, origin: number): Window {
    const elapsed = latest.at - origin;
    const fractionAt = (at: number) => (latest.fraction * (at - origin)) / elapsed;
    const strayed = Math.max(0, ...this.samples.map((s) => Math.abs(s.fraction - fractionAt(s.at))));
    const spread = Math.max(this.policy.unevenness, 1.5 * strayed) + this.quantum;
    // A stall lowers the average rate, but the job may catch up at any moment: judge by the pace it had
    // when the count last moved.
    const lastMove = this.samples.find((s) => s.fraction >= latest.fraction) ?? latest;
    // All items done but the job still runs: the end was due when the counts completed.
    if (latest.fraction >= 1) return { lo: lastMove.at, hi: lastMove.at };
    const lo = Math.min(
      ...[lastMove, latest].map((s) => origin + (s.at - origin) / Math.min(1, s.fraction + spread)),
    );
    const hi = latest.fraction > spread ? origin + elapsed / (latest.fraction - spread) : Infinity;
    return { lo, hi };
  }

  /**
   * The wait, given a window for the end: just past it when it is narrow; else to its start (in steps if
   * far, never beyond `reach`), and from there at short intervals until the end shows. Past the window
   * without an end, the prediction failed: the intervals grow with the overrun, up to `maxDelayMs`.
   */
  private toward(now: number, window: Window, age: number, reach: number): number {
    const { minDelayMs, maxDelayMs, maxPredictedDelayMs, nearEndDelayMs, precisionMs, marginMs, jitter } =
      this.policy;
    const untilEnd = window.hi + marginMs - now;
    // Short jobs are looked at more often: a step is also at most a share of the job's age.
    const longest = Math.min(nearEndDelayMs, maxDelayMs, Math.max(minDelayMs, NEAR_END_SHARE * age));
    const step = longest * (1 - jitter * this.random());
    if (untilEnd <= 0) return clamp(Math.max(step, -untilEnd / 2), minDelayMs, maxDelayMs);
    const narrow = window.hi - window.lo <= precisionMs;
    if (!narrow && window.lo - now <= step) return clamp(Math.min(step, untilEnd), minDelayMs, maxDelayMs);
    const target = this.approached(now, narrow ? window.hi + marginMs : window.lo);
    return clamp(Math.min(target, now + reach) - now, minDelayMs, maxPredictedDelayMs);
  }

  /** Where to poll on the way to `target`: there if near, else `approach` of the way, but at least `longestLeapMs` short of it. */
  private approached(now: number, target: number): number {
    const { longestLeapMs, approach } = this.policy;
    if (target - now <= longestLeapMs) return target;
    return Math.max(now + approach * (target - now), target - longestLeapMs);
  }

  private backOff(): number {
    if (!this.started) return this.firstDelay();
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
  /** Source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
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
  const schedule = new PollSchedule(options.policy, options.random);
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  let job = initial;
  let errors = 0;
  options.onObserve?.(job);
  // A job already running (resumed, or found in the way) may be predictable from its first sight.
  let delay = schedule.next(clock.now(), job);
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
