/**
 * Switches for what DigitalOcean's API is known to do beyond (or unlike) its spec, so that a client can
 * be tested against each. Every default is the spec's behaviour; docs/simulator.md says where each fact
 * comes from.
 */

/** When a data source job's counts appear: while it runs, or only once it ended. */
export type SourceCounts = "live" | "at-end";

/** The order of the account's job list, which the spec does not state. */
export type JobListOrder = "newest-first" | "oldest-first";

/** What a new knowledge base's database becomes once provisioned (`database_status`). */
export type ProvisioningOutcome = "ONLINE" | "UNHEALTHY" | "DECOMMISSIONED";

/**
 * A failure of the next `POST /v2/gen-ai/indexing_jobs`: "429" (with `ratelimit-*` headers),
 * "429-retry-after" (with only `Retry-After`), a 5xx (nothing started), "drop" (no answer, nothing
 * started), "drop-after" (the job started, the answer is lost) or "502-after" / "504-after" (the job
 * started, and an edge gateway answers 502 or 504 all the same).
 */
export type StartFault =
  "429" | "429-retry-after" | "500" | "502" | "503" | "drop" | "drop-after" | "502-after" | "504-after";

export interface ApiFactOptions {
  /**
   * For this long after a job is created, reads do not see it: its GET answers 404 and the job lists
   * (and a knowledge base's or data source's latest job) leave it out. It still blocks a second start
   * and can be cancelled; the start's own answer carries it. Default 0.
   */
  readAfterWriteLagMs?: number;
  /** Also send the job-level `total_items_indexed/failed/skipped` the spec dropped in Nov 2025. */
  legacyJobCounts?: boolean;
  /**
   * "at-end": a data source job's counts are absent until it ended, the job's `total_tokens` and
   * `tokens` until the job ended. Default "live": counts grow while the job runs.
   */
  sourceCounts?: SourceCounts;
  /** The job `status` while it runs. Default "INDEX_JOB_STATUS_IN_PROGRESS". */
  runningStatus?: string;
  /** The job `phase` while it runs. Default "BATCH_JOB_PHASE_RUNNING". */
  runningPhase?: string;
  /**
   * Added to every job, knowledge base and data source timestamp the API writes; the `Date` header
   * stays on the simulator's clock. Default 0.
   */
  timestampSkewMs?: number;
  /** Those timestamps carry 6 fractional digits instead of whole seconds. Default false. */
  subSecondTimestamps?: boolean;
  /** How many of its latest jobs `GET …/knowledge_bases/{uuid}/indexing_jobs` shows. Default 15. */
  knowledgeBaseJobsShown?: number;
  /** The order of `GET /v2/gen-ai/indexing_jobs` (the spec does not say). Default "newest-first". */
  jobListOrder?: JobListOrder;
  /**
   * The largest page `GET /v2/gen-ai/indexing_jobs` answers, whatever `per_page` asks (the spec does not
   * say; DigitalOcean's other lists take up to 200). Default 200.
   */
  jobListMaxPerPage?: number;
  /** The account's job list leaves out each job's `data_source_jobs` (the spec does not say). Default false. */
  jobListOmitsSourceJobs?: boolean;
  /** Used up in order by the next `POST /v2/gen-ai/indexing_jobs` requests. Default none. */
  startFaults?: readonly StartFault[];
  /**
   * Every GET of indexing jobs (a job, its data sources or report, the account's job list, a knowledge
   * base's) hangs this long before it is answered, on real time whatever the clock: a slow or stuck API
   * that a client's deadlines must bound. Default 0.
   */
  jobReadLatencyMs?: number;
  /**
   * A cancel answers with the job still active; it turns CANCELLED this much later, blocking starts
   * until then (unless it ends first). Default 0.
   */
  cancelDelayMs?: number;
  /**
   * Every cancel arrives just as its job ends, and is refused with this status (the spec names neither
   * the status nor the words): an active job ends at that moment with its planned outcome, so a GET
   * just before the cancel showed it running and one after shows it ended. A cancel of a job that had
   * already ended is refused the same way. Default unset: a cancel answers 200 (and one of an ended job
   * changes nothing).
   */
  cancelRefusedStatus?: number;
  /**
   * Deleting a data source makes its knowledge base index its remaining ones by itself, unless a job is
   * active or none remain (as DigitalOcean does). Default false.
   */
  reindexOnDataSourceDelete?: boolean;
}
