/**
 * One indexing run per deploy: the job this create (or update) waits for, either adopted from the
 * knowledge base or started by us.
 *
 *   list the knowledge base's jobs (this first listing marks when we began)
 *     -> one runs that is absent from the first listing and covers what we index: adopt it (unless it
 *        first showed after a refusal: then it may have started before we began, hidden by the lag)
 *     -> one runs that DigitalOcean started after a data source was deleted (index-all mode): adopt it
 *     -> another runs: wait for it to end, look again
 *     -> one absent from the first listing covers what we index and has ended already: adopt it
 *     -> none runs: start ours; refused or unanswered, look again before anything else
 *
 * What DigitalOcean does, beyond the spec: a new knowledge base provisions its database (starts are
 * refused, "failed to get db creds") and then indexes itself; a start on a busy knowledge base is refused
 * with no documented status or wording; a start whose answer is lost may have started a job; a new job
 * may be missing from lists for a while; the job list shows the latest 15. So a refusal is never sent
 * again blindly: the job list, then the knowledge base, say why. Which jobs started after we began is
 * told by the first listing alone: the API's job timestamps and its `Date` header may come from
 * different clocks.
 */
import type { IndexingJob } from "../api/types";
import type { GradientClient } from "../client";
import { hasStatus, isApiError, isOutage, type DigitalOceanApiError } from "../client/errors";
import { jobBoardOf } from "../waiting/job-board";
import { systemClock } from "../clock";
import { typicalRunMs } from "../waiting/past-runs";
import type { JobSettings } from "./inputs";
import { isRunning } from "../waiting/outcome";
import { consolePrint } from "../host/console";
import { DEFAULT_POLL_POLICY, waitForJob, type PollPolicy } from "../waiting/poller";

export interface StartContext {
  api: GradientClient;
  settings: JobSettings;
  /** Local clock time by which the job must be found or started (and, later, have ended). */
  deadline: number;
  poll?: Partial<PollPolicy>;
  /** The job the last deployment recorded, which the API did not show: taken again if it turns up. */
  previous?: { uuid: string; owned: boolean };
}

const PROVISIONING_MESSAGE = /failed to get db creds/i;
/** `database_status` values that never become ONLINE. */
const DEAD_DATABASES: readonly string[] = ["DECOMMISSIONED", "UNHEALTHY"];

/** The job this deploy waits for, whether this resource may cancel it, and how long past jobs took. */
export interface StartedRun {
  job: IndexingJob;
  /**
   * This resource started the job, or took a new knowledge base's own first indexing as its run: only
   * such a job is cancelled by destroy or an interrupt, never one another stack or a person started.
   */
  owned: boolean;
  /** See waiting/past-runs.ts: from the job list read before starting. */
  typicalRunMs?: number;
}

/** The job this deploy waits for: adopted when it cannot have missed what we index, else ours. */
export async function startOrAdopt(ctx: StartContext): Promise<StartedRun> {
  const { api, settings } = ctx;
  const kb = settings.knowledgeBaseUuid.toLowerCase();
  const wanted = settings.dataSourceUuids.map((id) => id.toLowerCase());
  const policy = { ...DEFAULT_POLL_POLICY, ...ctx.poll, ...settings.poll };
  let recheckMs = policy.minDelayMs;
  let lastNotice = "";
  const notice = (line: string) => {
    if (line !== lastNotice) consolePrint(line);
    lastNotice = line;
  };
  let kbSources: string[] | undefined = undefined;
  const sourcesNow = async () => (kbSources ??= await api.knowledgeBaseDataSourceUuids(kb));
  let provisioning = false;
  /** The database was seen provisioning: the job the knowledge base then starts is its first indexing. */
  let sawProvisioning = false;
  /** A start of ours got no answer: a job that shows up later may be that one. */
  let mayHaveStarted = false;
  /**
   * A start of ours was refused with a job in the way that the job list may not show yet: a job that
   * shows up later may have started before we began, hidden by the API's lag, so it is not our run.
   */
  let refusedInTheWay = false;
  let firstUnexplainedAt: number | undefined;

  const pause = async (why: string) => {
    const left = ctx.deadline - systemClock.now();
    if (left <= 0)
      throw new Error(`${why}; no indexing job was started. Raise \`timeout\` or try again later.`);
    await systemClock.sleep(Math.min(recheckMs, left));
    recheckMs = Math.min(recheckMs * 1.5, policy.maxDelayMs);
  };
  /** The knowledge base's jobs; an outage (429, 5xx, no answer) is waited out until the deadline. */
  const list = async () => {
    for (;;) {
      try {
        return await listJobs(api, kb);
      } catch (error) {
        if (!isOutage(error)) throw error;
        await pause(`Could not list the indexing jobs of knowledge base ${kb}: ${errorText(error)}`);
      }
    }
  };

  let listing = await list();
  const seenFirst = listing.items.map((job) => job.uuid);
  const pastRunMs = typicalRunMs(listing.items);
  const run = (job: IndexingJob, owned: boolean): StartedRun => ({
    job,
    owned,
    ...(pastRunMs !== undefined && { typicalRunMs: pastRunMs }),
  });
  /** Indexes every data source we ask for; a job of all data sources covers any of them. */
  const covers = async (job: IndexingJob): Promise<boolean> => {
    const indexed = lowered(job.data_source_uuids);
    if (indexed.length === 0) return true;
    if (wanted.length > 0) return wanted.every((id) => indexed.includes(id));
    return (await sourcesNow()).every((id) => indexed.includes(id));
  };
  /**
   * Cannot have missed what we index: absent from our first listing (and not first seen after a refusal
   * it may have caused), over every data source we ask for.
   */
  const isThisRun = async (job: IndexingJob): Promise<boolean> =>
    !seenFirst.includes(job.uuid) &&
    job.uuid !== ctx.previous?.uuid &&
    (mayHaveStarted || !refusedInTheWay) &&
    (await covers(job));
  /** Ours if we may have started it; a new knowledge base's own first indexing counts as ours too. */
  const adopt = (job: IndexingJob, how: string): StartedRun => {
    consolePrint(
      `knowledge base ${kb} ${how} indexing job ${job.uuid} after this deployment began, covering the ` +
        `data sources asked for: taking it as this resource's job`,
    );
    return run(job, mayHaveStarted || sawProvisioning);
  };
  /**
   * Index-all mode: DigitalOcean reindexes a knowledge base by itself when a data source is deleted. Its
   * newest job, over exactly the data sources the knowledge base has now, right after a job that
   * indexed one it no longer has, is that reindex: it cannot have run before the deletion.
   */
  const isDeletionReindex = async (job: IndexingJob): Promise<boolean> => {
    const previous = listing.items[1];
    if (wanted.length > 0 || listing.items[0] !== job || !previous) return false;
    const now = await sourcesNow();
    const indexed = lowered(job.data_source_uuids);
    const sameSet = indexed.length === now.length && now.every((id) => indexed.includes(id));
    return sameSet && lowered(previous.data_source_uuids).some((id) => !now.includes(id));
  };
  const checkDatabase = async (): Promise<string | undefined> => {
    const database = await databaseOf(api, kb);
    if (database !== undefined && DEAD_DATABASES.includes(database)) {
      throw new Error(
        `Knowledge base ${kb} cannot index: its database is ${database} and will not become ready. ` +
          `No indexing job was started; recreate the knowledge base or ask DigitalOcean support.`,
      );
    }
    return database;
  };

  for (;;) {
    kbSources = undefined;
    const recorded = listing.items.find((job) => job.uuid === ctx.previous?.uuid);
    if (recorded && ctx.previous && isRunning(recorded)) {
      consolePrint(`indexing job ${recorded.uuid} from the last deployment still runs: waiting for it again`);
      return run(recorded, ctx.previous.owned);
    }
    const running = listing.items.find(isRunning);
    if (running) {
      if (await isThisRun(running)) return adopt(running, "started");
      if (await isDeletionReindex(running)) {
        consolePrint(
          `knowledge base ${kb} reindexes itself with job ${running.uuid} since a data source was ` +
            `deleted, over all its data sources now: taking it as this resource's job`,
        );
        return run(running, false);
      }
      consolePrint(
        `knowledge base ${kb} already runs indexing job ${running.uuid}: ` +
          `waiting for it to end before starting a new one`,
      );
      await waitOut(ctx, running);
      listing = await list();
      continue;
    }

    // A job that began and already ended between two looks (a new knowledge base's own indexing of a
    // little data is quick) indexed what we ask for all the same: it is this deploy's run.
    const ended = await findAsync(listing.items, isThisRun);
    if (ended) return adopt(ended, "ran");

    if (provisioning) {
      // Known to provision: no start until the API says the database is ready (when it says).
      const database = await checkDatabase();
      if (database !== undefined && database !== "ONLINE") {
        notice(notReady(kb, database));
        await pause(`Knowledge base ${kb} was still not ready within the timeout`);
        listing = await list();
        continue;
      }
      provisioning = false;
    }

    const before = listing.items.map((job) => job.uuid);
    let failure: DigitalOceanApiError;
    try {
      return run(await api.startIndexingJob({ knowledgeBaseUuid: kb, dataSourceUuids: wanted }), true);
    } catch (error) {
      if (!isApiError(error)) throw error;
      failure = error;
    }

    // Refused or unanswered: what the API shows now says why. Never a blind resend.
    listing = await list();
    if (lostAnswer(failure)) {
      // No answer at all: a job that shows up later may well be that start's. (A 5xx is an answer: the
      // API said why, and a job that shows up later is as likely someone else's.)
      if (failure.kind !== "http") mayHaveStarted = true;
      // The start may have run: a job that did not exist before it was sent, over what we asked.
      const fresh = listing.items.filter((job) => !before.includes(job.uuid));
      const found = await findAsync(fresh, covers);
      if (found) {
        consolePrint(`the answer to starting indexing job ${found.uuid} was lost; found that job`);
        return run(found, true);
      }
    }
    const answered = failure.kind === "http" && failure.status !== 408 && failure.status !== 429;
    if (answered && !PROVISIONING_MESSAGE.test(failure.apiMessage ?? "")) refusedInTheWay = true;
    // Busy, whatever the refusal said: the job list shows the job in the way.
    if (listing.items.some(isRunning)) continue;

    // Rate limited or no answer: nothing to learn from the knowledge base; wait, then look again.
    if (failure.kind !== "http" || failure.status === 408 || failure.status === 429) {
      await pause(`Could not start an indexing job on knowledge base ${kb}: ${failure.message}`);
      listing = await list();
      continue;
    }
    const database = await checkDatabase();
    if (PROVISIONING_MESSAGE.test(failure.apiMessage ?? "") || (database && database !== "ONLINE")) {
      provisioning = sawProvisioning = true;
      // Explained by the database: the job the knowledge base starts once ready is its own indexing.
      refusedInTheWay = false;
      notice(notReady(kb, database));
      await pause(`Knowledge base ${kb} was still not ready within the timeout`);
      listing = await list();
      continue;
    }
    if ((failure.status ?? 0) < 500) {
      const explained = await explainRefusal(api, kb, wanted, failure);
      if (explained) throw explained;
      // Nothing explains it: most likely a job just started that the job list does not show yet.
      firstUnexplainedAt ??= systemClock.now();
      // A job started just before ours may be missing from the job list for a while (policy.apiLagMs).
      if (systemClock.now() - firstUnexplainedAt >= policy.apiLagMs)
        throw new Error(`Knowledge base ${kb} refused to start an indexing job: ${failure.message}`);
      notice(
        `knowledge base ${kb} refused to start an indexing job (${failure.apiMessage ?? failure.status}): ` +
          `looking again for a job in the way`,
      );
    }
    await pause(`Could not start an indexing job on knowledge base ${kb}: ${failure.message}`);
    listing = await list();
  }
}

async function findAsync<T>(
  items: readonly T[],
  test: (item: T) => Promise<boolean>,
): Promise<T | undefined> {
  for (const item of items) if (await test(item)) return item;
  return undefined;
}

function lowered(ids: readonly string[] | undefined): string[] {
  return (ids ?? []).map((id) => id.toLowerCase());
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function notReady(kb: string, database: string | undefined): string {
  return (
    `knowledge base ${kb} is not ready yet (database ${database ?? "provisioning"}): waiting for it, ` +
    `and for the indexing a new knowledge base starts on its own`
  );
}

/** No answer, or a 5xx: the start may have been carried out. */
function lostAnswer(error: DigitalOceanApiError): boolean {
  return error.kind !== "http" || (error.status !== undefined && error.status >= 500);
}

/** Waits for someone else's job to end; one the API no longer shows is out of the way too. */
async function waitOut(ctx: StartContext, running: IndexingJob): Promise<void> {
  const uuid = running.uuid ?? "";
  let other;
  try {
    other = await waitForJob(running, () => ctx.api.getIndexingJob(uuid), {
      deadline: ctx.deadline,
      board: jobBoardOf(ctx.api),
      policy: { ...ctx.poll, ...ctx.settings.poll },
    });
  } catch (error) {
    if (hasStatus(error, 404)) return;
    throw error;
  }
  if (!other.ended) {
    throw new Error(
      `Timed out waiting for indexing job ${uuid}, which already ran on knowledge base ` +
        `${ctx.settings.knowledgeBaseUuid}; no new job was started. Raise \`timeout\` or try again later.`,
    );
  }
}

/**
 * The knowledge base's latest jobs, newest first: from the account's job list when one page of it,
 * shared with other starts of this process, holds every job (jobBoardOf), else from its own list.
 */
async function listJobs(api: GradientClient, kb: string): Promise<{ items: IndexingJob[] }> {
  const shared = await jobBoardOf(api).knowledgeBaseJobs(kb);
  if (shared) return { items: shared };
  try {
    return await api.listKnowledgeBaseIndexingJobs(kb);
  } catch (error) {
    if (hasStatus(error, 404)) throw knowledgeBaseNotFound(kb, error);
    throw error;
  }
}

/** `database_status`, when the API gives one. */
async function databaseOf(api: GradientClient, kb: string): Promise<string | undefined> {
  try {
    return (await api.getKnowledgeBaseWithStatus(kb)).databaseStatus;
  } catch (error) {
    if (hasStatus(error, 404)) throw knowledgeBaseNotFound(kb, error);
    throw error;
  }
}

/** A refusal explained by what is missing (the knowledge base, or data sources not in it); else undefined. */
async function explainRefusal(
  api: GradientClient,
  kb: string,
  wanted: string[],
  refusal: DigitalOceanApiError,
): Promise<Error | undefined> {
  const known = await api.knowledgeBaseDataSourceUuids(kb).catch((error: unknown) => {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  });
  if (known === undefined) return knowledgeBaseNotFound(kb, refusal);
  const missing = wanted.filter((id) => !known.includes(id));
  if (missing.length > 0) {
    const which =
      missing.length === 1 ? `Data source ${missing[0]} is` : `Data sources ${missing.join(", ")} are`;
    return new Error(`${which} not in knowledge base ${kb}: check dataSourceUuids. (${refusal.message})`);
  }
  if (known.length === 0)
    return new Error(`Knowledge base ${kb} has no data sources to index. (${refusal.message})`);
  return undefined;
}

function knowledgeBaseNotFound(kb: string, cause: unknown): Error {
  const detail = cause instanceof Error ? ` (${cause.message})` : "";
  return new Error(`Knowledge base ${kb} not found: check knowledgeBaseUuid.${detail}`);
}
