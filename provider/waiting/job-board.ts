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
 */
import type { IndexingJob, Page } from "../api/types";
import type { GradientClient } from "../client";
import { isOutage } from "../client/errors";
import { systemClock, type Clock } from "../clock";
import { outcomeOf } from "./outcome";

/** The shortest gap between two listings read for the jobs waited for. */
const MIN_LISTING_GAP_MS = 2_000;
/** Jobs a listing asks for: DigitalOcean's usual largest page. */
const PAGE_SIZE = 200;
/** A knowledge base's own job list shows its latest 15 (the spec). */
const KNOWLEDGE_BASE_JOBS_SHOWN = 15;

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
  /** The job's own GET. */
  fetch(): Promise<IndexingJob>;
  /** A state seen. */
  observe(job: IndexingJob, at: number): void;
  /** A failed poll; throws when the wait must end with it. */
  failed(error: unknown, at: number): void;
  settle(result: WaitResult | Error): void;
}

export class JobBoard {
  private readonly watches = new Set<Watch>();
  /** Wakes the loop from its sleep, when a job joins. */
  private interrupt: AbortController | undefined;
  private running = false;
  private lastListingAt = Number.NEGATIVE_INFINITY;
  /** False once a listing showed none of the jobs waited for, or was refused. */
  private listingShowsOurs = true;
  /** False once a listing did not hold every job of the account: it stands in for no knowledge base's. */
  private listingHoldsAll = true;
  /** A listing asked for and not sent yet: whoever asks meanwhile shares it. */
  private pending: Promise<Look> | undefined;
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly listJobs: ((perPage: number) => Promise<Page<IndexingJob>>) | undefined,
    readonly clock: Clock = systemClock,
  ) {}

  /** A page of the account's jobs sent after this call, shared by everyone who asks before it is sent. */
  look(): Promise<Look> {
    const listJobs = this.listJobs;
    if (!listJobs) return Promise.reject(new Error("this board reads no job list"));
    this.pending ??= this.previous
      .catch(() => undefined)
      .then(async () => {
        this.pending = undefined;
        const page = await listJobs(PAGE_SIZE);
        const complete =
          !page.links?.pages?.next &&
          (page.meta?.pages ?? 1) <= 1 &&
          (page.meta?.total ?? 0) <= page.items.length;
        return { jobs: page.items, complete };
      });
    this.previous = this.pending;
    return this.pending;
  }

  /**
   * The knowledge base's latest jobs, newest first, as its own job list shows them, read from a listing
   * of the account's shared with other starts; undefined when that listing does not hold every job.
   */
  async knowledgeBaseJobs(kb: string): Promise<IndexingJob[] | undefined> {
    if (!this.listJobs || !this.listingShowsOurs || !this.listingHoldsAll) return undefined;
    let look: Look;
    try {
      look = await this.look();
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
    // A crowd's first listing comes a gap after its first job was seen (the start's answer).
    if (this.watches.size === 0) this.lastListingAt = this.clock.now();
    this.watches.add(watch);
    this.interrupt?.abort();
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.watches.size > 0) {
        const now = this.clock.now();
        const at = this.nextLookAt();
        if (at > now) {
          this.interrupt = new AbortController();
          await this.clock.sleep(at - now, this.interrupt.signal).catch(() => undefined);
          this.interrupt = undefined;
          continue;
        }
        await this.lookNow(now);
      }
    } catch (error) {
      // Not expected (each look's failures go to its watch), but no wait may be left hanging.
      for (const watch of this.watches)
        watch.settle(error instanceof Error ? error : new Error(String(error)));
      this.watches.clear();
    } finally {
      this.running = false;
    }
  }

  private listing(): boolean {
    return this.listJobs !== undefined && this.listingShowsOurs && this.watches.size >= 2;
  }

  private nextLookAt(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const watch of this.watches) at = Math.min(at, watch.dueAt);
    return this.listing() ? Math.min(at, this.lastListingAt + this.listingGap()) : at;
  }

  /** As often as the jobs' own schedules poll together, and no more often than MIN_LISTING_GAP_MS. */
  private listingGap(): number {
    const now = this.clock.now();
    let rate = 0;
    for (const watch of this.watches) rate += 1 / watch.stepAt(now);
    return Math.max(MIN_LISTING_GAP_MS, 1 / rate);
  }

  private async lookNow(now: number): Promise<void> {
    const anyDue = [...this.watches].some((watch) => watch.dueAt <= now);
    if (this.listing() && (anyDue || now >= this.lastListingAt + this.listingGap())) {
      this.lastListingAt = now;
      await this.readListing(now);
    }
    // Those the listing showed are due later now.
    const due = [...this.watches].filter((watch) => watch.dueAt <= now);
    await Promise.all(due.map((watch) => this.poll(watch)));
    // Looked at once more at its deadline (a watch is due by then at the latest): still running.
    for (const watch of this.watches) {
      if (watch.deadline > now) continue;
      this.watches.delete(watch);
      watch.settle({ ended: false, job: watch.job });
    }
  }

  /** Reads a listing, made at `now`, and tells each job waited for that it shows. */
  private async readListing(now: number): Promise<void> {
    let look: Look;
    try {
      look = await this.look();
    } catch (error) {
      // Refused (a page size the API does not take, say): the jobs' own GETs will do.
      if (!isOutage(error)) this.listingShowsOurs = false;
      return;
    }
    const byUuid = new Map(look.jobs.map((job) => [job.uuid, job]));
    let shown = 0;
    for (const watch of this.watches) {
      const job = byUuid.get(watch.job.uuid);
      if (!job) continue;
      shown++;
      // An end told without its data source jobs (should a list leave them out): the job's own GET
      // tells which data sources failed, and the outputs list them.
      if (outcomeOf(job) !== "running" && !job.data_source_jobs?.length) watch.dueAt = now;
      else this.deliver(watch, () => watch.observe(job, this.clock.now()));
    }
    if (shown === 0 && !look.complete) this.listingShowsOurs = false;
  }

  private async poll(watch: Watch): Promise<void> {
    let job: IndexingJob;
    try {
      job = await watch.fetch();
    } catch (error) {
      this.deliver(watch, () => watch.failed(error, this.clock.now()));
      return;
    }
    this.deliver(watch, () => watch.observe(job, this.clock.now()));
  }

  /** Runs what a watch does with news; a wait that ended or failed leaves the board. */
  private deliver(watch: Watch, news: () => void): void {
    if (!this.watches.has(watch)) return;
    try {
      news();
    } catch (error) {
      this.watches.delete(watch);
      watch.settle(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (outcomeOf(watch.job) !== "running") {
      this.watches.delete(watch);
      watch.settle({ ended: true, job: watch.job });
    }
  }
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
    board = new JobBoard(off ? undefined : (perPage) => api.listIndexingJobs({ perPage }));
    boards.set(api.rateLimiter, board);
  }
  return board;
}
