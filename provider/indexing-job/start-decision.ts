/**
 * The start, as one pure decision: what the lists, the knowledge base and our last start attempt show
 * -> one action. The driver (start.ts) performs it and asks again. One `pulumi up` is one indexing run:
 *
 * - Nothing in the deploy's first listing is ever its run: it may have begun before what we index
 *   changed (DigitalOcean's own reindex after a data source was deleted included).
 * - A new job that covers what we index is the run; ours (cancelled by destroy and Ctrl-C) only when we
 *   may have started it: a start that got a 5xx or no answer and a job over exactly what it asked for,
 *   or a new knowledge base's own first indexing after its database was seen provisioning.
 * - A start that got a 5xx or no answer may have been carried out: no start is sent again until the
 *   lists have shown no such job for the whole read-after-write lag.
 * - After a refusal with a job in the way (any 4xx, any wording; a 5xx counts as no answer) a new job
 *   may have begun before us, hidden by the lag: it is waited for, never taken as the run.
 * - At the deadline the failure says what may still run, and carries what the next `up` needs to find it.
 */
import type { IndexingJob } from "../api/types";
import type { DigitalOceanApiError } from "../client/errors";
import { isRunning } from "../waiting/outcome";

/** The answer to our last start, when it was not a job. */
export type StartAttempt =
  /** Refused: nothing started. */
  | { kind: "refused"; at: number; status: number; apiMessage?: string; message: string }
  /** Rate limited or timed out by the gateway (408, 429): nothing started. */
  | { kind: "throttled"; at: number; message: string }
  /** A 5xx or no answer: it may have started a job. `known`: every job listed before it was sent. */
  | { kind: "unanswered"; at: number; known: readonly string[]; message: string };

/** What earlier looks taught, kept from one decision to the next. */
export interface Memory {
  /**
   * The database was seen provisioning during this deploy: the job the knowledge base then starts is its
   * own first indexing, and no job of it can predate the deploy.
   */
  provisioning: boolean;
  /** A start was refused with a job in the way: a new job may have begun before us, hidden by lag. */
  refusedBusy: boolean;
  /** When the first refusal nothing explained came. */
  firstUnexplainedAt?: number;
}

export interface StartFacts extends Memory {
  kb: string;
  /** The data sources asked for, lower-cased; empty: all of the knowledge base's. */
  wanted: readonly string[];
  /** Job uuids of the deploy's first listing. */
  first: readonly string[];
  /** The knowledge base's latest jobs, newest first, as last listed. */
  listing: readonly IndexingJob[];
  /** The job the last deployment recorded, which the API did not show then. */
  previous?: { uuid: string; owned: boolean };
  attempt?: StartAttempt;
  /** The lists were read again, after a pause or a wait, since the last attempt. */
  lookedAgain: boolean;
  /** The knowledge base's data sources, once read for this listing. */
  kbSources?: readonly string[];
  /** Its database's status once read for this listing; null when the API gives none. */
  database?: string | null;
  now: number;
  deadline: number;
  /** How long the API may take to show a job just started. */
  lagMs: number;
}

/** A start whose answer was lost and whose job was not found: what the next `up` needs to find it. */
export interface UnconfirmedStart {
  sentAt: string;
  knownJobUuids: string[];
}

export type StartAction =
  | { do: "adopt"; job: IndexingJob; owned: boolean; how: "resumed" | "found" | "started" | "ran" }
  | { do: "waitFor"; job: IndexingJob }
  | { do: "start" }
  | { do: "pause"; why: string; notice?: string }
  | { do: "read"; what: "kbSources" | "database" }
  | { do: "fail"; message: string; unconfirmed?: UnconfirmedStart };

export interface Decision {
  action: StartAction;
  remember: Partial<Memory>;
}

const PROVISIONING_MESSAGE = /failed to get db creds/i;
/** `database_status` values that never become ONLINE. */
const DEAD_DATABASES: readonly string[] = ["DECOMMISSIONED", "UNHEALTHY"];

export function decide(f: StartFacts): Decision {
  // A knowledge base whose database was provisioning during this deploy had no job before it began.
  const mayPredate = !f.provisioning && (f.refusedBusy || (!f.lookedAgain && isBusyRefusal(f.attempt)));
  const to = (action: StartAction, remember: Partial<Memory> = {}): Decision => ({
    action,
    remember: { refusedBusy: mayPredate, ...remember },
  });

  const recorded = f.listing.find((job) => f.previous && job.uuid === f.previous.uuid);
  if (recorded && f.previous && isRunning(recorded))
    return to({ do: "adopt", job: recorded, owned: f.previous.owned, how: "resumed" });

  const fresh = f.listing.filter((job) => !f.first.includes(job.uuid ?? "") && job !== recorded);
  const unconfirmed = f.attempt?.kind === "unanswered" ? f.attempt : undefined;
  const candidates = unconfirmed ? f.listing.filter((job) => job !== recorded) : fresh;
  if (f.kbSources === undefined && needsSources(f, candidates)) return to({ do: "read", what: "kbSources" });

  const mine =
    unconfirmed && candidates.find((j) => !unconfirmed.known.includes(j.uuid ?? "") && exactly(f, j));
  if (mine) return to({ do: "adopt", job: mine, owned: true, how: "found" });

  const isRun = (job: IndexingJob) => !mayPredate && covers(f, job);
  const running = f.listing.find(isRunning);
  if (running && fresh.includes(running) && isRun(running))
    return to({ do: "adopt", job: running, owned: f.provisioning, how: "started" });
  if (running) {
    if (f.now < f.deadline) return to({ do: "waitFor", job: running });
    const why = `Timed out waiting for indexing job ${running.uuid}, which already ran on knowledge base ${f.kb}`;
    return to(failure(f, why));
  }
  const ended = fresh.find(isRun);
  if (ended) return to({ do: "adopt", job: ended, owned: f.provisioning, how: "ran" });

  if (unconfirmed && f.now - unconfirmed.at < f.lagMs)
    return to(
      pauseOrFail(
        f,
        `The start of an indexing job on knowledge base ${f.kb} got no answer (${unconfirmed.message})`,
      ),
    );
  if (f.attempt?.kind === "throttled" && !f.lookedAgain)
    return to(
      pauseOrFail(f, `Could not start an indexing job on knowledge base ${f.kb}: ${f.attempt.message}`),
    );
  if (f.attempt?.kind === "refused" && !f.lookedAgain) return afterRefusal(f, f.attempt, to);
  if (f.provisioning) {
    const database = databaseCheck(f, to);
    if (database) return database;
  }
  if (f.now >= f.deadline)
    return to(failure(f, `No indexing job could start on knowledge base ${f.kb} in time`));
  return to({ do: "start" });
}

type To = (action: StartAction, remember?: Partial<Memory>) => Decision;

/** A refusal: the database, then the knowledge base's data sources, may say why; else a job in the way. */
function afterRefusal(f: StartFacts, refusal: Extract<StartAttempt, { kind: "refused" }>, to: To): Decision {
  if (refusal.status === 401 || refusal.status === 403) return to({ do: "fail", message: refusal.message });
  const database = databaseCheck(f, to);
  if (database) return database;
  if (PROVISIONING_MESSAGE.test(refusal.apiMessage ?? "")) {
    const explained = { provisioning: true, refusedBusy: false };
    return to(pauseOrFail(f, notReadyWhy(f), notReady(f.kb, f.database ?? undefined)), explained);
  }
  if (f.kbSources === undefined) return to({ do: "read", what: "kbSources" });
  const missing = f.wanted.filter((id) => !f.kbSources?.includes(id));
  if (missing.length > 0) {
    const which =
      missing.length === 1 ? `Data source ${missing[0]} is` : `Data sources ${missing.join(", ")} are`;
    const message = `${which} not in knowledge base ${f.kb}: check dataSourceUuids. (${refusal.message})`;
    return to({ do: "fail", message });
  }
  if (f.kbSources.length === 0) {
    const message = `Knowledge base ${f.kb} has no data sources to index. (${refusal.message})`;
    return to({ do: "fail", message });
  }
  // Nothing explains it: most likely a job just started that the job list does not show yet.
  const firstUnexplainedAt = f.firstUnexplainedAt ?? f.now;
  const why = `Knowledge base ${f.kb} refused to start an indexing job: ${refusal.message}`;
  if (f.now - firstUnexplainedAt >= f.lagMs) return to({ do: "fail", message: why });
  const notice =
    `knowledge base ${f.kb} refused to start an indexing job (${refusal.apiMessage ?? refusal.status}): ` +
    `looking again for a job in the way`;
  return to(pauseOrFail(f, why, notice), { refusedBusy: true, firstUnexplainedAt });
}

/**
 * Undefined when the database is ready (or the API says nothing of it); else what to do about it. A
 * database not ready explains a refusal: the knowledge base had no job before, and will index itself.
 */
function databaseCheck(f: StartFacts, to: To): Decision | undefined {
  if (f.database === undefined) return to({ do: "read", what: "database" });
  if (f.database === null || f.database === "ONLINE") return undefined;
  if (DEAD_DATABASES.includes(f.database)) {
    const message =
      `Knowledge base ${f.kb} cannot index: its database is ${f.database} and will not become ready. ` +
      `No indexing job was started; recreate the knowledge base or ask DigitalOcean support.`;
    return to({ do: "fail", message });
  }
  const explained = { provisioning: true, refusedBusy: false };
  return to(pauseOrFail(f, notReadyWhy(f), notReady(f.kb, f.database)), explained);
}

function pauseOrFail(f: StartFacts, why: string, notice?: string): StartAction {
  if (f.now >= f.deadline) return failure(f, why);
  return { do: "pause", why, ...(notice !== undefined && { notice }) };
}

/** A failure before any job was taken: it says whether one of ours may still run, and records it. */
export function failure(f: Pick<StartFacts, "attempt" | "kb">, why: string): StartAction {
  const attempt = f.attempt;
  if (attempt?.kind !== "unanswered")
    return {
      do: "fail",
      message: `${why}; no indexing job was started. Raise \`timeout\` or try again later.`,
    };
  return {
    do: "fail",
    message:
      `${why}. A start of ours got no answer and may have started a job on knowledge base ${f.kb} that ` +
      `the API does not show yet: recorded, so the next \`pulumi up\` takes that job instead of starting ` +
      `another, and \`pulumi destroy\` cancels it.`,
    unconfirmed: { sentAt: new Date(attempt.at).toISOString(), knownJobUuids: [...attempt.known] },
  };
}

/** What an error answering a start says of it. */
export function attemptOf(
  error: Pick<DigitalOceanApiError, "kind" | "message"> & {
    status?: number;
    apiMessage?: string | undefined;
  },
  at: number,
  known: readonly string[],
): StartAttempt {
  const { message, status = 0 } = error;
  // The API said why (whatever the status): the database is not ready, so nothing started.
  const provisioning = PROVISIONING_MESSAGE.test(error.apiMessage ?? "");
  // A 5xx or a garbled answer, like none, may follow a start that was carried out.
  if (!provisioning && (error.kind !== "http" || status >= 500))
    return { kind: "unanswered", at, known, message };
  if (status === 408 || status === 429) return { kind: "throttled", at, message };
  return {
    kind: "refused",
    at,
    status,
    message,
    ...(error.apiMessage !== undefined && { apiMessage: error.apiMessage }),
  };
}

function isBusyRefusal(attempt: StartAttempt | undefined): boolean {
  return attempt?.kind === "refused" && !PROVISIONING_MESSAGE.test(attempt.apiMessage ?? "");
}

function notReadyWhy(f: StartFacts): string {
  return `Knowledge base ${f.kb} was still not ready within the timeout`;
}

export function notReady(kb: string, database: string | undefined): string {
  return (
    `knowledge base ${kb} is not ready yet (database ${database ?? "provisioning"}): waiting for it, ` +
    `and for the indexing a new knowledge base starts on its own`
  );
}

// ---- which jobs index what we ask for

type Scope = Pick<StartFacts, "wanted" | "kbSources">;

/** Index-all mode must know the knowledge base's data sources to judge a job that names its own. */
function needsSources(f: Scope, jobs: readonly IndexingJob[]): boolean {
  return f.wanted.length === 0 && jobs.some((job) => lowered(job.data_source_uuids).length > 0);
}

/** Indexes every data source we ask for; a job that names none indexed them all. */
export function covers(f: Scope, job: IndexingJob): boolean {
  const indexed = lowered(job.data_source_uuids);
  if (indexed.length === 0) return true;
  const target = f.wanted.length > 0 ? f.wanted : (f.kbSources ?? []);
  return target.every((id) => indexed.includes(id));
}

/** Over exactly what our start asked for: our data sources, or (index-all) all of the knowledge base's. */
export function exactly(f: Scope, job: IndexingJob): boolean {
  const indexed = lowered(job.data_source_uuids);
  if (indexed.length === 0) return f.wanted.length === 0;
  const target = f.wanted.length > 0 ? f.wanted : (f.kbSources ?? []);
  return indexed.length === target.length && target.every((id) => indexed.includes(id));
}

function lowered(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).map((id) => id.toLowerCase()))];
}
