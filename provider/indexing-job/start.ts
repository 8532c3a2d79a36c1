/**
 * One indexing run per deploy: the job this create (or update) waits for, adopted from the knowledge
 * base or started by us. What to do is decided in start-decision.ts; this file does it: list the
 * knowledge base's jobs, read what the decision asks for, start, wait for someone else's job, pause.
 */
import type { IndexingJob } from "../api/types";
import type { GradientClient } from "../client";
import { hasStatus, isApiError, isOutage } from "../client/errors";
import { deadlineSignal, systemClock } from "../clock";
import { consolePrint } from "../host/console";
import { jobBoardOf } from "../waiting/job-board";
import { typicalRunMs } from "../waiting/past-runs";
import { waitForJob, type PollPolicy } from "../waiting/poller";
import type { JobSettings } from "./inputs";
import {
  attemptOf,
  decide,
  exactly,
  failure,
  type StartAction,
  type StartAttempt,
  type StartFacts,
  type UnconfirmedStart,
} from "./start-decision";

export interface StartContext {
  api: GradientClient;
  settings: JobSettings;
  /** Local clock time by which the job must be found or started (and, later, have ended). */
  deadline: number;
  policy: PollPolicy;
  /** The job the last deployment recorded, which the API did not show: taken again if it turns up. */
  previous?: { uuid: string; owned: boolean };
  /** The last deployment's start whose answer was lost and whose job it did not find. */
  unconfirmed?: UnconfirmedStart;
}

/** The job this deploy waits for, whether this resource may cancel it, and how long past jobs took. */
export interface StartedRun {
  job: IndexingJob;
  /** Only a job this resource owns is cancelled by destroy or an interrupt (start-decision.ts). */
  owned: boolean;
  /** See waiting/past-runs.ts: from the job list read before starting. */
  typicalRunMs?: number;
}

/** A start that failed before any job was taken; `unconfirmed` when one of ours may still run. */
export class StartError extends Error {
  override readonly name = "StartError";
  constructor(
    message: string,
    readonly unconfirmed?: UnconfirmedStart,
  ) {
    super(message);
  }
}

export async function startOrAdopt(ctx: StartContext): Promise<StartedRun> {
  // Every request stops at the deadline, whatever the API does meanwhile.
  const bound = deadlineSignal(ctx.deadline);
  try {
    return await decideAndDo(ctx, bound.signal);
  } finally {
    bound.dispose();
  }
}

/** Asks the decision, does what it says, until a job is taken or the start fails. */
async function decideAndDo(ctx: StartContext, signal: AbortSignal): Promise<StartedRun> {
  const kb = ctx.settings.knowledgeBaseUuid.toLowerCase();
  const driver = new StartDriver(ctx, kb, signal);
  const facts = await driver.firstFacts();
  const pastRunMs = typicalRunMs(facts.listing);
  const run = (job: IndexingJob, owned: boolean): StartedRun => ({
    job,
    owned,
    ...(pastRunMs !== undefined && { typicalRunMs: pastRunMs }),
  });
  for (;;) {
    const { action, remember } = decide({ ...facts, now: systemClock.now() });
    Object.assign(facts, remember);
    switch (action.do) {
      case "adopt":
        consolePrint(adoptionLine(kb, action));
        return run(action.job, action.owned);
      case "start": {
        const job = await driver.start(facts);
        if (job) return run(job, true);
        break;
      }
      case "read":
        await driver.read(facts, action.what);
        break;
      case "waitFor":
        driver.notice(
          `knowledge base ${kb} already runs indexing job ${action.job.uuid}: waiting for it to end before starting a new one`,
        );
        await driver.waitOut(action.job);
        await driver.lookAgain(facts);
        break;
      case "pause":
        if (action.notice) driver.notice(action.notice);
        await driver.pause();
        await driver.lookAgain(facts);
        break;
      case "fail":
        throw new StartError(action.message, action.unconfirmed);
    }
  }
}

type Facts = Omit<StartFacts, "now">;

/** The effects the decision asks for, and the pace of its looks. */
class StartDriver {
  private recheckMs: number;
  private lastNotice = "";

  constructor(
    private readonly ctx: StartContext,
    private readonly kb: string,
    private readonly signal: AbortSignal,
  ) {
    this.recheckMs = ctx.policy.minDelayMs;
  }

  async firstFacts(): Promise<Facts> {
    const { previous, unconfirmed } = this.ctx;
    const attempt: StartAttempt | undefined = unconfirmed && {
      kind: "unanswered",
      at: Date.parse(unconfirmed.sentAt),
      known: unconfirmed.knownJobUuids,
      message: "in the last deployment",
    };
    const facts: Facts = {
      kb: this.kb,
      wanted: this.ctx.settings.dataSourceUuids.map((id) => id.toLowerCase()),
      first: [],
      listing: [],
      lookedAgain: false,
      provisioning: false,
      refusedBusy: false,
      deadline: this.ctx.deadline,
      lagMs: this.ctx.policy.apiLagMs,
      ...(previous && { previous }),
      ...(attempt && { attempt }),
    };
    await this.relist(facts, false);
    facts.first = facts.listing.map((job) => job.uuid ?? "");
    return facts;
  }

  /** Sends the start; a refused or unanswered one is recorded as the attempt, and the lists read again. */
  async start(facts: Facts): Promise<IndexingJob | undefined> {
    const known = [...new Set([...facts.first, ...facts.listing.map((job) => job.uuid ?? "")])];
    const at = systemClock.now();
    const request = { knowledgeBaseUuid: this.kb, dataSourceUuids: facts.wanted };
    try {
      return await this.ctx.api.startIndexingJob(request, { signal: this.signal });
    } catch (error) {
      if (!isApiError(error)) throw error;
      facts.attempt = attemptOf(error, at, known);
    }
    await this.relist(facts, false);
    return undefined;
  }

  async read(facts: Facts, what: "kbSources" | "database"): Promise<void> {
    const { api } = this.ctx;
    const options = { signal: this.signal };
    await this.outlasting(facts, `Could not read knowledge base ${this.kb}`, async () => {
      try {
        if (what === "kbSources") facts.kbSources = await api.knowledgeBaseDataSourceUuids(this.kb, options);
        else facts.database = (await api.getKnowledgeBaseWithStatus(this.kb, options)).databaseStatus ?? null;
      } catch (error) {
        if (hasStatus(error, 404)) throw knowledgeBaseNotFound(this.kb, error);
        throw error;
      }
    });
  }

  /**
   * After a wait or a pause: the lists again. Not at the deadline, where every request is aborted: the
   * decision then fails for the reason it waited.
   */
  async lookAgain(facts: Facts): Promise<void> {
    if (systemClock.now() < this.ctx.deadline) await this.relist(facts, true);
  }

  /** The knowledge base's jobs as they are now. */
  async relist(facts: Facts, lookedAgain: boolean): Promise<void> {
    const why = `Could not list the indexing jobs of knowledge base ${this.kb}`;
    facts.listing = await this.outlasting(facts, why, () => listJobs(this.ctx.api, this.kb, this.signal));
    facts.lookedAgain = lookedAgain;
    delete facts.kbSources;
    delete facts.database;
  }

  /** A read that an outage (429, 5xx, no answer) only delays, until the deadline. */
  private async outlasting<T>(facts: Facts, why: string, read: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (error) {
        if (!isOutage(error)) throw error;
        if (systemClock.now() >= this.ctx.deadline)
          throw failureError(failure(facts, `${why}: ${error.message}`));
        await this.pause();
      }
    }
  }

  /** Waits for someone else's job to end (or the deadline); one the API no longer shows is out of the way. */
  async waitOut(job: IndexingJob): Promise<void> {
    const uuid = job.uuid ?? "";
    await waitForJob(job, (signal) => this.ctx.api.getIndexingJob(uuid, { signal }), {
      deadline: this.ctx.deadline,
      board: jobBoardOf(this.ctx.api),
      policy: this.ctx.policy,
    }).catch((error: unknown) => {
      if (!hasStatus(error, 404)) throw error;
    });
  }

  /** Sleeps a little longer each time, never past the deadline. */
  async pause(): Promise<void> {
    const left = this.ctx.deadline - systemClock.now();
    await systemClock.sleep(Math.max(0, Math.min(this.recheckMs, left)));
    this.recheckMs = Math.min(this.recheckMs * 1.5, this.ctx.policy.maxDelayMs);
  }

  /** Prints a line once, however often the decision repeats it. */
  notice(line: string): void {
    if (line !== this.lastNotice) consolePrint(line);
    this.lastNotice = line;
  }
}

/**
 * The job a start whose answer was lost may have started, as the knowledge base's jobs show it now
 * (for read and delete of a state that recorded such a start); undefined when none shows.
 */
export async function findUnconfirmedJob(
  api: GradientClient,
  settings: Pick<JobSettings, "knowledgeBaseUuid" | "dataSourceUuids">,
  record: UnconfirmedStart,
): Promise<IndexingJob | undefined> {
  const kb = settings.knowledgeBaseUuid.toLowerCase();
  const wanted = settings.dataSourceUuids.map((id) => id.toLowerCase());
  const candidates = (await listJobs(api, kb, undefined)).filter(
    (job) => !record.knownJobUuids.includes(job.uuid ?? ""),
  );
  if (candidates.length === 0) return undefined;
  const kbSources = wanted.length === 0 ? await api.knowledgeBaseDataSourceUuids(kb) : undefined;
  return candidates.find((job) => exactly({ wanted, ...(kbSources && { kbSources }) }, job));
}

function adoptionLine(kb: string, action: Extract<StartAction, { do: "adopt" }>): string {
  const uuid = action.job.uuid;
  switch (action.how) {
    case "resumed":
      return `indexing job ${uuid} from the last deployment still runs: waiting for it again`;
    case "found":
      return `the answer to starting indexing job ${uuid} was lost; found that job`;
    case "started":
    case "ran":
      return (
        `knowledge base ${kb} ${action.how} indexing job ${uuid} after this deployment began, covering the ` +
        `data sources asked for: taking it as this resource's job`
      );
  }
}

function failureError(action: StartAction): StartError {
  if (action.do !== "fail") throw new Error(`not a failure: ${action.do}`);
  return new StartError(action.message, action.unconfirmed);
}

/**
 * The knowledge base's latest jobs, newest first: from the account's job list when one page of it,
 * shared with other starts of this process, holds every job (jobBoardOf), else from its own list.
 */
async function listJobs(
  api: GradientClient,
  kb: string,
  signal: AbortSignal | undefined,
): Promise<IndexingJob[]> {
  const options = signal ? { signal } : {};
  const shared = await jobBoardOf(api).knowledgeBaseJobs(kb, options);
  if (shared) return shared;
  try {
    return (await api.listKnowledgeBaseIndexingJobs(kb, options)).items;
  } catch (error) {
    if (hasStatus(error, 404)) throw knowledgeBaseNotFound(kb, error);
    throw error;
  }
}

function knowledgeBaseNotFound(kb: string, cause: unknown): Error {
  const detail = cause instanceof Error ? ` (${cause.message})` : "";
  return new Error(`Knowledge base ${kb} not found: check knowledgeBaseUuid.${detail}`);
}
