/**
 * Predicting a job's end from what it shows: how far it is (items processed of the files to index, per
 * data source) and when it started. Each pair of observations (the start, finished data sources, polls)
 * bounds the rate, hence a window in which steady progress must end. While all pairs agree, the wait
 * reaches to that window, no further ahead than the agreement has been seen to hold, approaching a far
 * end in steps; once the window is narrow, one poll just after it. When they disagree (counts that stall
 * or jump), the progress is uneven: finished data sources still pace the job (batching within a source
 * does not blur them), else the average rate does, with a wide margin.
 */
import type { IndexingJob } from "./api/types";
import { progressOf } from "./job-state";
import type { PollPolicy } from "./poll-policy";

/** The API's timestamps have whole seconds. */
const TIMESTAMP_RESOLUTION_MS = 1_000;
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

/** Where the job's progress places its end, as a wait before the next poll. */
export interface Prediction {
  delayMs: number;
  /**
   * At least two counts, and every observation agreed with steady progress: the wait may skip the
   * age-based schedule's polls.
   */
  steady: boolean;
  /** How many counts (polls that showed progress) the prediction rests on. */
  counts: number;
  /**
   * On a single count and a start told by the job's timestamps: the wait until just after the most
   * likely end of steady progress, though the window it may end in is still wide.
   */
  likelyDelayMs?: number;
}

/**
 * Learns from each state of a job seen and predicts when it ends. Pure apart from `random`, so that
 * tests and the benchmark can replay it against simulated jobs.
 */
export class EndPredictor {
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

  constructor(policy: PollPolicy, random: () => number) {
    this.policy = policy;
    this.random = random;
  }

  /**
   * Records what a poll (or the answer that started the job) at `at` showed; returns the wait its
   * progress suggests, or undefined when progress says nothing (pending, no counts yet).
   */
  next(at: number, job: IndexingJob): Prediction | undefined {
    this.observe(at, job);
    const latest = this.samples.at(-1);
    if (!latest || latest.at !== at || latest.fraction <= 0) return undefined;
    const delayMs = this.uneven ? undefined : this.steadyDelay(latest);
    // One count alone cannot tell steady from erratic progress: a second one must agree first.
    const counted = this.samples.filter((s) => s.fraction > 0).length;
    if (delayMs === undefined) return undefined;
    const likelyEnd = counted === 1 ? this.likelyEnd(latest) : undefined;
    return {
      delayMs,
      steady: !this.uneven && counted >= 2,
      counts: counted,
      ...(likelyEnd !== undefined && {
        likelyDelayMs: Math.max(this.policy.minDelayMs, likelyEnd + this.policy.marginMs - at),
      }),
    };
  }

  private observe(at: number, job: IndexingJob): void {
    if (job.phase === "BATCH_JOB_PHASE_PENDING") {
      this.lastPendingAt = at;
      return;
    }
    const progress = progressOf(job);
    if (job.phase !== "BATCH_JOB_PHASE_RUNNING" || progress.fraction === undefined) return;
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

  /**
   * Where steady progress from the middle of the start's bounds through `latest` ends: both timestamps
   * that bound the start are rounded down to the second, so its middle is where it most likely was.
   * Undefined unless those timestamps told the start (bounds from polls alone are too wide to guess in).
   */
  private likelyEnd(latest: Sample): number | undefined {
    if (!(this.startHi - this.startLo <= 2 * TIMESTAMP_RESOLUTION_MS)) return undefined;
    const start = (this.startLo + this.startHi) / 2;
    const fraction = Math.min(1, latest.fraction + this.quantum / 2);
    return fraction > 0 && latest.at > start ? start + (latest.at - start) / fraction : undefined;
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
      return undefined;
    }
    const exact = this.steadyWindow(0);
    const window = exact && exact.lo <= exact.hi ? exact : loose;
    if (!Number.isFinite(window.hi)) return undefined;
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
    // Not narrow: look in `precisionMs` past the earliest end, so that an end there is seen that soon.
    const probe = Math.min(window.lo + precisionMs, window.hi + marginMs);
    if (!narrow && window.lo - now <= step)
      return clamp(Math.min(step, untilEnd, probe - now), minDelayMs, maxDelayMs);
    const target = this.approached(now, narrow ? window.hi + marginMs : probe);
    return clamp(Math.min(target, now + reach) - now, minDelayMs, maxPredictedDelayMs);
  }

  /** Where to poll on the way to `target`: there if near, else `approach` of the way, but at least `longestLeapMs` short of it. */
  private approached(now: number, target: number): number {
    const { longestLeapMs, approach } = this.policy;
    if (target - now <= longestLeapMs) return target;
    return Math.max(now + approach * (target - now), target - longestLeapMs);
  }
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
