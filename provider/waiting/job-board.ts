/**
 * The jobs one process waits for, watched together. Each job has its own PollSchedule (poller.ts): alone,
 * it is polled with a GET when its schedule says. While two or more jobs are waited for, one page of the
 * account's job list (GET /v2/gen-ai/indexing_jobs) shows them all: the board reads it as often as their
 * schedules together would poll, at most every MIN_LISTING_GAP_MS, and a job's own GET goes out only
 * when its schedule is due and the list did not show it. A hundred jobs of one `pulumi up` then cost a
 * listing every two seconds instead of a hundred GETs, and their ends are seen within seconds.
 *
 * The same list serves the knowledge base's job list a start reads first (indexing-job/start.ts), when
 * it holds every job of the account. The spec says nothing of the list's order nor of the largest page:
 * a list that shows none of our jobs stops being read for polls, and one that does not hold every job
 * does not stand in for a knowledge base's list.
 *
 * No request holds up the loop: a job's GET and a listing run beside it, a job is never polled twice at
 * once, and each wait ends at its deadline (aborting its GET in flight) whatever the API does. So one
 * slow GET delays only its own job's next look, and a slow listing the others' by MAX_LISTING_HOLD_MS.
 */
import type { IndexingJob, Page } from "../api/types";
import type { GradientClient } from "../client";
import { DigitalOceanApiError, isOutage } from "../client/errors";
import { MAX_TIMER_MS, systemClock, type Clock } from "../clock";
import { outcomeOf } from "./outcome";

/** The shortest gap between two listings read for the jobs waited for. */
const MIN_LISTING_GAP_MS = 2_000;
/** How long a listing in flight holds back the polls of jobs due meanwhile; then each polls itself. */
const MAX_LISTING_HOLD_MS = 5_000;
/**
 * How long a look may take at the deadline: the last look, sent at the deadline, gets this long to
 * answer; a GET sent earlier is cut at the deadline, or this long after it went out if that is later.
 */
const LAST_LOOK_MS = 2_000;
/** Jobs a listing asks for: DigitalOcean's usual largest page. */
const PAGE_SIZE = 200;
/** A knowledge base's own job list shows its latest 15 (the spec). */
const KNOWLEDGE_BASE_JOBS_SHOWN = 15;
/** The account's job list, as a stopped listing's error names it. */
const LIST_PATH = "/v2/gen-ai/indexing_jobs";

/** One page of the account's jobs, and whether it holds every one of them. */
export interface Look {
  jobs: IndexingJob[];
  complete: boolean;
}

export type WaitResult = { ended: boolean; job: IndexingJob };

/** One job waited for. */
export interface Watch {
  job: IndexingJob;
  /** How often the job's own schedule polls now (PollSchedule.stepAt). */
  stepAt(now: number): number;
  /** Clock time of the job's next own poll, never after the deadline. */
  dueAt: number;
  /** Clock time by which the job must have ended. */
  deadline: number;
  /** The job's own GET; `signal` aborts when the wait ends (its deadline, mostly). */
  fetch(signal: AbortSignal): Promise<IndexingJob>;
  /** A state seen. */
  observe(job: IndexingJob, at: number): void;
  /** A failed poll; throws when the wait must end with it. */
  failed(error: unknown, at: number): void;
  settle(result: WaitResult | Error): void;
}

/** What the board keeps of one watch. */
interface Slot {
  /** Aborts the watch's GET when the wait ends. */
  stop: AbortController;
  /** When its GET in flight went out; undefined when none is. */
  pollSentAt: number | undefined;
  /** When its latest look (its GET, or a listing that showed it) went out. */
  lookedAt: number;
}

/** A listing asked for: shared by its callers, aborted once every one of them gave up. */
interface SharedListing {
  result: Promise<Look>;
  stop: AbortController;
  /** Callers still waiting for it (one without a signal never gives up). */
  waiting: number;
}

export class JobBoard {
  private readonly watches = new Map<Watch, Slot>();
  /** Wakes the loop from its sleep: a job joined, a look came back. */
  private interrupt: AbortController | undefined;
  private running = false;
  private lastListingAt = Number.NEGATIVE_INFINITY;
  /** The listing read for the jobs waited for is in flight. */
  private listingInFlight = false;
  /** Aborts the loop's listing in flight once no job is waited for. */
  private crowd: AbortController | undefined;
  /** False once a listing showed none of the jobs waited for, or was refused. */
  private listingShowsOurs = true;
  /** False once a listing did not hold every job of the account: it stands in for no knowledge base's. */
  private listingHoldsAll = true;
  /** A listing asked for and not sent yet: whoever asks meanwhile shares it. */
  private pending: SharedListing | undefined;
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly listJobs:
      ((perPage: number, signal: AbortSignal) => Promise<Page<IndexingJob>>) | undefined,
    readonly clock: Clock = systemClock,
  ) {}

  /**
   * A page of the account's jobs sent after this call, shared by everyone who asks before it is sent.
   * When `signal` aborts, this caller stops waiting (an outage error), and the listing is aborted once
   * no caller waits for it.
   */
  look(signal?: AbortSignal): Promise<Look> {
    const listJobs = this.listJobs;
    if (!listJobs) return Promise.reject(new Error("this board reads no job list"));
    if (signal?.aborted) return Promise.reject(stopped(signal));
    let shared = this.pending;
    if (!shared) {
      const stop = new AbortController();
      const result = this.previous
        .catch(() => undefined)
        .then(async () => {
          if (this.pending === shared) this.pending = undefined;
          if (stop.signal.aborted) throw stopped(stop.signal);
          const page = await listJobs(PAGE_SIZE, stop.signal);
          const complete =
            !page.links?.pages?.next &&
            (page.meta?.pages ?? 1) <= 1 &&
            (page.meta?.total ?? 0) <= page.items.length;
          return { jobs: page.items, complete };
        });
      shared = this.pending = { result, stop, waiting: 0 };
      this.previous = result;
    }
    return this.follow(shared, signal);
  }

  /** `shared`'s result for one caller, who stops waiting when `signal` aborts. */
  private follow(shared: SharedListing, signal: AbortSignal | undefined): Promise<Look> {
    shared.waiting++;
    if (!signal) return shared.result;
    return new Promise<Look>((resolve, reject) => {
      const onAbort = () => {
        if (--shared.waiting === 0) {
          // No one left to serve: a listing not sent yet is not sent, one in flight is stopped.
          if (this.pending === shared) this.pending = undefined;
          shared.stop.abort(signal.reason);
        }
        reject(stopped(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      shared.result.then(
        (look) => {
          signal.removeEventListener("abort", onAbort);
          resolve(look);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * The knowledge base's latest jobs, newest first, as its own job list shows them, read from a listing
   * of the account's shared with other starts; undefined when that listing does not hold every job.
   * `signal` stops the wait for it, as it stops a client call.
   */
  async knowledgeBaseJobs(
    kb: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<IndexingJob[] | undefined> {
    if (!this.listJobs || !this.listingShowsOurs || !this.listingHoldsAll) return undefined;
    let look: Look;
    try {
      look = await this.look(options.signal);
    } catch (error) {
      if (isOutage(error)) throw error;
      this.listingShowsOurs = false;
      return undefined;
    }
    // Jobs that do not say their knowledge base would make one's list look empty.
    if (!look.complete || look.jobs.some((job) => !job.knowledge_base_uuid)) {
      this.listingHoldsAll = false;
      return undefined;
    }
    const created = (job: IndexingJob) => Date.parse(job.created_at ?? "") || 0;
    return look.jobs
      .filter((job) => job.knowledge_base_uuid?.toLowerCase() === kb.toLowerCase())
      .sort((a, b) => created(b) - created(a))
      .slice(0, KNOWLEDGE_BASE_JOBS_SHOWN);
  }

  /** Watches the job until it ends (or its deadline passes). */
  watch(watch: Watch): void {
    const now = this.clock.now();
    // A crowd's first listing comes a gap after its first job was seen (the start's answer).
    if (this.watches.size === 0) this.lastListingAt = now;
    this.watches.set(watch, { stop: new AbortController(), pollSentAt: undefined, lookedAt: now });
    this.wake();
    if (!this.running) void this.run();
  }

  private wake(): void {
    this.interrupt?.abort();
  }

  private async run(): Promise<void> {
    this.running = true;
    this.crowd = new AbortController();
    try {
      while (this.watches.size > 0) {
        const now = this.clock.now();
        this.lookNow(now);
        if (this.watches.size === 0) break;
        // Sleeps until the next look or deadline, or until a look in flight comes back.
        this.interrupt = new AbortController();
        const wait = this.nextWakeAt(now) - now;
        const sleep = Number.isFinite(wait)
          ? this.clock.sleep(Math.min(Math.max(wait, 0), MAX_TIMER_MS), this.interrupt.signal)
          : aborted(this.interrupt.signal);
        await sleep.catch(() => undefined);
        this.interrupt = undefined;
      }
    } catch (error) {
      // Not expected (each look's failures go to its watch), but no wait may be left hanging.
      for (const watch of [...this.watches.keys()])
        this.end(watch, error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.running = false;
      this.crowd.abort();
    }
  }

  private listing(): boolean {
    return this.listJobs !== undefined && this.listingShowsOurs && this.watches.size >= 2;
  }

  /** Sends what is due at `now` without waiting for it, and ends the waits whose deadline passed. */
  private lookNow(now: number): void {
    for (const [watch, slot] of this.watches) {
      if (watch.deadline > now) continue;
      // Looked at once more at its deadline (a watch is due by then at the latest): still running.
      if (slot.pollSentAt === undefined && slot.lookedAt >= watch.deadline) this.end(watch);
      else if (slot.pollSentAt !== undefined && now >= this.cutOffAt(watch, slot.pollSentAt)) this.end(watch);
    }
    // Due, no GET of theirs in flight, and not yet offered to a listing sent since they fell due.
    const due = [...this.watches].filter(
      ([watch, slot]) => slot.pollSentAt === undefined && watch.dueAt <= now,
    );
    if (
      this.listing() &&
      !this.listingInFlight &&
      (due.some(([watch]) => watch.dueAt > this.lastListingAt) ||
        now >= this.lastListingAt + this.listingGap())
    ) {
      this.lastListingAt = now;
      void this.readListing(now);
    }
    // Those a listing in flight may show wait for it, a while; those it showed are due later now.
    const held = this.listingInFlight && now < this.lastListingAt + MAX_LISTING_HOLD_MS;
    for (const [watch, slot] of due) if (!held || watch.deadline <= now) void this.poll(watch, slot, now);
  }

  /** When the loop must look again: a watch due, a listing due, a listing held for too long, a deadline. */
  private nextWakeAt(now: number): number {
    let at = Number.POSITIVE_INFINITY;
    for (const [watch, slot] of this.watches) {
      if (slot.pollSentAt !== undefined) at = Math.min(at, this.cutOffAt(watch, slot.pollSentAt));
      else if (watch.dueAt > now) at = Math.min(at, watch.dueAt);
      // Held back by the listing in flight.
      else at = Math.min(at, watch.deadline, this.lastListingAt + MAX_LISTING_HOLD_MS);
    }
    if (this.listing() && !this.listingInFlight) at = Math.min(at, this.lastListingAt + this.listingGap());
    return at;
  }

  /** When a GET sent at `sentAt` is given up: at the deadline, unless it went out just before it. */
  private cutOffAt(watch: Watch, sentAt: number): number {
    return Math.max(watch.deadline, sentAt + LAST_LOOK_MS);
  }

  /** As often as the jobs' own schedules poll together, and no more often than MIN_LISTING_GAP_MS. */
  private listingGap(): number {
    const now = this.clock.now();
    let rate = 0;
    for (const watch of this.watches.keys()) rate += 1 / watch.stepAt(now);
    return Math.max(MIN_LISTING_GAP_MS, 1 / rate);
  }

  /** Reads a listing, sent at `sentAt`, and tells each job waited for that it shows. */
  private async readListing(sentAt: number): Promise<void> {
    this.listingInFlight = true;
    let look: Look;
    try {
      look = await this.look(this.crowd?.signal);
    } catch (error) {
      // Refused (a page size the API does not take, say): the jobs' own GETs will do.
      if (!isOutage(error)) this.listingShowsOurs = false;
      return;
    } finally {
      this.listingInFlight = false;
      this.wake();
    }
    const byUuid = new Map(look.jobs.map((job) => [job.uuid, job]));
    let shown = 0;
    for (const [watch, slot] of this.watches) {
      const job = byUuid.get(watch.job.uuid);
      if (!job) continue;
      shown++;
      slot.lookedAt = Math.max(slot.lookedAt, sentAt);
      // An end told without its data source jobs (should a list leave them out): the job's own GET
      // tells which data sources failed, and the outputs list them.
      if (outcomeOf(job) !== "running" && !job.data_source_jobs?.length) watch.dueAt = sentAt;
      else this.deliver(watch, () => watch.observe(job, this.clock.now()));
    }
    if (shown === 0 && !look.complete) this.listingShowsOurs = false;
  }

  /** The job's own GET, beside the loop; what it brings is told to the watch, and the loop woken. */
  private async poll(watch: Watch, slot: Slot, now: number): Promise<void> {
    slot.pollSentAt = now;
    let news: () => void;
    try {
      const job = await watch.fetch(slot.stop.signal);
      news = () => watch.observe(job, this.clock.now());
    } catch (error) {
      news = () => watch.failed(error, this.clock.now());
    }
    slot.pollSentAt = undefined;
    // An answer that comes at or after the deadline is the last look there.
    const answeredAt = this.clock.now();
    slot.lookedAt = Math.max(slot.lookedAt, answeredAt >= watch.deadline ? watch.deadline : now);
    this.deliver(watch, news);
    this.wake();
  }

  /** Runs what a watch does with news; a wait that ended or failed leaves the board. */
  private deliver(watch: Watch, news: () => void): void {
    if (!this.watches.has(watch)) return;
    try {
      news();
    } catch (error) {
      this.end(watch, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (outcomeOf(watch.job) !== "running") this.end(watch, { ended: true, job: watch.job });
  }

  /** Ends a wait (by default: its deadline passed, the job still running), stopping its GET in flight. */
  private end(watch: Watch, result: WaitResult | Error = { ended: false, job: watch.job }): void {
    const slot = this.watches.get(watch);
    if (!slot) return;
    this.watches.delete(watch);
    slot.stop.abort(
      result instanceof Error || result.ended ? new Error("the wait ended") : deadlineReached(),
    );
    watch.settle(result);
    this.wake();
  }
}

/** Resolves when `signal` aborts (a sleep with no end but its interrupt). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** The reason a wait's GET is stopped with: what a client call it stops then says. */
function deadlineReached(): Error {
  const reason = new Error("stopped at the deadline");
  reason.name = "DeadlineError";
  return reason;
}

/** What a caller of `look` whose signal aborted gets: what the client throws for a call stopped so. */
function stopped(signal: AbortSignal): DigitalOceanApiError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : "stopped by the caller's signal";
  return new DigitalOceanApiError({ kind: "network", method: "GET", path: LIST_PATH, detail });
}

/**
 * The board every wait of this process on the client's token shares. The benchmark switches the
 * shared listing off in provider hosts with GRADIENT_INDEXING_ABLATE=jobBoard.
 */
export function jobBoardOf(api: GradientClient): JobBoard {
  // On globalThis, keyed by the token's rate limiter: one per token and endpoint in the process.
  const registry = Symbol.for("pulumi-gradient-indexing.job-boards");
  const scope = globalThis as { [registry]?: WeakMap<object, JobBoard> };
  const boards = (scope[registry] ??= new WeakMap<object, JobBoard>());
  let board = boards.get(api.rateLimiter);
  if (!board) {
    const off = (process.env.GRADIENT_INDEXING_ABLATE ?? "").split(",").includes("jobBoard");
    board = new JobBoard(
      off ? undefined : (perPage, signal) => api.listIndexingJobs({ perPage }, { signal }),
    );
    boards.set(api.rateLimiter, board);
  }
  return board;
}
