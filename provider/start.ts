/**
 * One indexing run per deploy: the job this create (or update) waits for, either adopted from the
 * knowledge base or started by us.
 *
 *   list the knowledge base's jobs
 *     -> one runs that started after we began and covers what we index: adopt it
 *     -> another runs: wait for it to end, look again
 *     -> one started after we began, covers what we index and has ended already: adopt it
 *     -> none runs: start ours; refused or unanswered, look again before anything else
 *
 * What DigitalOcean does, beyond the spec: a new knowledge base provisions its database (starts are
 * refused, "failed to get db creds") and then indexes itself; a start on a busy knowledge base is refused
 * ("already has an indexing job running") with no documented status, a 500 included; a start whose answer
 * is lost may have started a job. So a refusal is never sent again blindly: the job list, then the
 * knowledge base, say why. Times are compared on the API's clock (its `Date` header, its timestamps).
 */
import type { IndexingJob } from "./api/types";
import { hasStatus, isApiError, type DigitalOceanApiError, type GradientClient } from "./client";
import { systemClock } from "./clock";
import { typicalRunMs } from "./history";
import type { JobSettings } from "./inputs";
import { isRunning } from "./job-state";
import { consolePrint } from "./report";
import { DEFAULT_POLL_POLICY, waitForJob, type PollPolicy } from "./wait";

export interface StartContext {
  api: GradientClient;
  settings: JobSettings;
  /** Local clock time by which the job must be found or started (and, later, have ended). */
  deadline: number;
  poll?: Partial<PollPolicy>;
}

/** Failed starts with no explanation (no answer, a 5xx, no job to be seen) tolerated in a row. */
const MAX_UNEXPLAINED_FAILURES = 3;
const BUSY_MESSAGE = /already has an? (indexing )?job running/i;
const PROVISIONING_MESSAGE = /failed to get db creds/i;

/** The job this deploy waits for, and how long the knowledge base's past jobs took. */
export interface StartedRun {
  job: IndexingJob;
  /** See provider/history.ts: from the job list read before starting. */
  typicalRunMs?: number;
}

/** The job this deploy waits for: adopted when it cannot have missed what we index, else ours. */
export async function startOrAdopt(ctx: StartContext): Promise<StartedRun> {
  const { api, settings } = ctx;
  const kb = settings.knowledgeBaseUuid.toLowerCase();
  const wanted = settings.dataSourceUuids.map((id) => id.toLowerCase());
  const policy = { ...DEFAULT_POLL_POLICY, ...ctx.poll, ...settings.poll };
  let recheckMs = policy.minDelayMs;
  let unexplained = 0;
  let lastNotice = "";
  const notice = (line: string) => {
    if (line !== lastNotice) consolePrint(line);
    lastNotice = line;
  };
  let kbSources: string[] | undefined = undefined;
  let provisioning = false;

  let listing = await listJobs(api, kb);
  // When we began, on the API's clock: whole seconds, like its timestamps.
  const since = listing.serverTime === undefined ? undefined : Math.floor(listing.serverTime / 1000) * 1000;
  const seenFirst = listing.items.map((job) => job.uuid);
  const pastRunMs = typicalRunMs(listing.items);
  const run = (job: IndexingJob): StartedRun => ({
    job,
    ...(pastRunMs !== undefined && { typicalRunMs: pastRunMs }),
  });

  /**
   * Started after we began: in a later second than our first answer, or in that same second but absent
   * from it (timestamps are whole seconds; the listing tells the order within one). Without the API's
   * time, absent from the first answer.
   */
  const startedSinceWeBegan = (job: IndexingJob): boolean => {
    const unseen = !seenFirst.includes(job.uuid);
    if (since === undefined) return unseen;
    const created = Date.parse(job.created_at ?? "");
    return Number.isFinite(created) && (created > since || (unseen && created === since));
  };
  /** Indexes every data source we ask for; a job of all data sources covers any of them. */
  const covers = async (job: IndexingJob): Promise<boolean> => {
    const indexed = (job.data_source_uuids ?? []).map((id) => id.toLowerCase());
    if (indexed.length === 0) return true;
    if (wanted.length > 0) return wanted.every((id) => indexed.includes(id));
    if (kbSources === undefined) kbSources = await dataSourcesOf(api, kb);
    return kbSources.every((id) => indexed.includes(id));
  };
  /** Cannot have missed what we index: started after we began, over every data source we ask for. */
  const isThisRun = async (job: IndexingJob): Promise<boolean> =>
    startedSinceWeBegan(job) && (await covers(job));
  const pause = async (why: string) => {
    const left = ctx.deadline - systemClock.now();
    if (left <= 0)
      throw new Error(`${why}; no indexing job was started. Raise \`timeout\` or try again later.`);
    await systemClock.sleep(Math.min(recheckMs, left));
    recheckMs = Math.min(recheckMs * 1.5, policy.maxDelayMs);
  };

  for (;;) {
    const running = listing.items.find(isRunning);
    if (running) {
      if (await isThisRun(running)) {
        consolePrint(
          `knowledge base ${kb} started indexing job ${running.uuid} after this deployment began, ` +
            `covering the data sources asked for: taking it as this resource's job`,
        );
        return run(running);
      }
      consolePrint(
        `knowledge base ${kb} already runs indexing job ${running.uuid}: ` +
          `waiting for it to end before starting a new one`,
      );
      await waitOut(ctx, running);
      listing = await listJobs(api, kb);
      continue;
    }

    // A job that began and already ended between two looks (a new knowledge base's own indexing of a
    // little data is quick) indexed what we ask for all the same: it is this deploy's run.
    const ended = await findAsync(listing.items, isThisRun);
    if (ended) {
      consolePrint(
        `knowledge base ${kb} ran indexing job ${ended.uuid} after this deployment began, covering the ` +
          `data sources asked for: taking it as this resource's job`,
      );
      return run(ended);
    }

    if (provisioning) {
      // Known to provision: no start until the API says the database is ready (when it says).
      const database = await databaseOf(api, kb);
      if (database !== undefined && database !== "ONLINE") {
        notice(notReady(kb, database));
        await pause(`Knowledge base ${kb} was still not ready within the timeout`);
        listing = await listJobs(api, kb);
        continue;
      }
      provisioning = false;
    }

    const before = listing.items.map((job) => job.uuid);
    let failure: DigitalOceanApiError;
    try {
      return run(await api.startIndexingJob({ knowledgeBaseUuid: kb, dataSourceUuids: wanted }));
    } catch (error) {
      if (!isApiError(error)) throw error;
      failure = error;
    }

    // Refused or unanswered: what the API shows now says why. Never a blind resend.
    listing = await listJobs(api, kb);
    const fresh = listing.items.filter((job) => !before.includes(job.uuid));
    const busy = BUSY_MESSAGE.test(failure.apiMessage ?? "");
    if (lostAnswer(failure) && !busy) {
      // The start may have run: a job that did not exist before it was sent, over what we asked.
      for (const job of fresh) {
        if (await covers(job)) {
          consolePrint(`the answer to starting indexing job ${job.uuid} was lost; found that job`);
          return run(job);
        }
      }
    }
    if (listing.items.some(isRunning)) continue;

    const database = busy ? undefined : await databaseOf(api, kb);
    if (PROVISIONING_MESSAGE.test(failure.apiMessage ?? "") || (database && database !== "ONLINE")) {
      provisioning = true;
      notice(notReady(kb, database));
      await pause(`Knowledge base ${kb} was still not ready within the timeout`);
      listing = await listJobs(api, kb);
      continue;
    }
    if (!busy && failure.status !== undefined && failure.status < 500) {
      throw await explainRefusal(api, kb, wanted, failure);
    }
    // Busy with a job that ended since, a 5xx, or no answer with nothing started: try again, a few times.
    if (++unexplained > MAX_UNEXPLAINED_FAILURES) throw failure;
    await pause(`Could not start an indexing job on knowledge base ${kb}: ${failure.message}`);
    listing = await listJobs(api, kb);
  }
}

async function findAsync<T>(
  items: readonly T[],
  test: (item: T) => Promise<boolean>,
): Promise<T | undefined> {
  for (const item of items) if (await test(item)) return item;
  return undefined;
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

async function waitOut(ctx: StartContext, running: IndexingJob): Promise<void> {
  const uuid = running.uuid ?? "";
  const other = await waitForJob(running, () => ctx.api.getIndexingJob(uuid), {
    deadline: ctx.deadline,
    policy: { ...ctx.poll, ...ctx.settings.poll },
    share: ctx.api.budget,
  });
  if (!other.ended) {
    throw new Error(
      `Timed out waiting for indexing job ${uuid}, which already ran on knowledge base ` +
        `${ctx.settings.knowledgeBaseUuid}; no new job was started. Raise \`timeout\` or try again later.`,
    );
  }
}

async function listJobs(
  api: GradientClient,
  kb: string,
): ReturnType<GradientClient["listKnowledgeBaseIndexingJobs"]> {
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

async function dataSourcesOf(api: GradientClient, kb: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const ds of api.allKnowledgeBaseDataSources(kb)) if (ds.uuid) ids.push(ds.uuid.toLowerCase());
  return ids;
}

/** A refused start, with what is missing named: the knowledge base, or data sources not in it. */
async function explainRefusal(
  api: GradientClient,
  kb: string,
  wanted: string[],
  refusal: DigitalOceanApiError,
): Promise<Error> {
  const known = await dataSourcesOf(api, kb).catch((error: unknown) => {
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
  return new Error(`Knowledge base ${kb} refused to start an indexing job: ${refusal.message}`);
}

function knowledgeBaseNotFound(kb: string, cause: unknown): Error {
  const detail = cause instanceof Error ? ` (${cause.message})` : "";
  return new Error(`Knowledge base ${kb} not found: check knowledgeBaseUuid.${detail}`);
}
