/**
 * The command line's switches for facts of the real API beyond its spec (docs/simulator.md). Each sets
 * one `SimulatorOptions` field; `--real-api` sets them all at once, before the other flags.
 */
import { duration, integer, listOf, nonEmpty, oneOf, signedDuration, type Flag } from "./cli-values";
import { START_FAULTS } from "./faults";
import { REAL_API_PRESET } from "./preset";
import { PROVISIONING_OUTCOMES } from "./provisioning";
import type { JobListOrder, SourceCounts } from "./types";

const SOURCE_COUNTS: readonly SourceCounts[] = ["live", "at-end"];
const JOB_LIST_ORDERS: readonly JobListOrder[] = ["newest-first", "oldest-first"];

export const FACT_FLAGS: Record<string, Flag> = {
  "real-api": {
    type: "boolean",
    first: true,
    help: "every fact below as the real API shows it (see docs/simulator.md); applied before the other flags, which override it",
    apply: (s) => (s.options = { ...s.options, ...REAL_API_PRESET }),
  },
  "read-lag": {
    type: "string",
    value: "DURATION",
    help: "for this long after a job is created, its GET answers 404 and job lists leave it out (default 0)",
    apply: (s, v) => (s.options.readAfterWriteLagMs = duration("--read-lag", v)),
  },
  "legacy-job-counts": {
    type: "boolean",
    help: "also send the job-level total_items_indexed/failed/skipped the spec dropped in Nov 2025",
    apply: (s) => (s.options.legacyJobCounts = true),
  },
  "source-counts": {
    type: "string",
    value: SOURCE_COUNTS.join("|"),
    help: "at-end: a data source's counts are absent until it ends, total_tokens until the job ends (default live)",
    apply: (s, v) => (s.options.sourceCounts = oneOf("--source-counts", v, SOURCE_COUNTS)),
  },
  "running-status": {
    type: "string",
    value: "STATUS",
    help: "a running job's status (default INDEX_JOB_STATUS_IN_PROGRESS)",
    apply: (s, v) => (s.options.runningStatus = nonEmpty("--running-status", v)),
  },
  "running-phase": {
    type: "string",
    value: "PHASE",
    help: "a running job's phase (default BATCH_JOB_PHASE_RUNNING)",
    apply: (s, v) => (s.options.runningPhase = nonEmpty("--running-phase", v)),
  },
  "timestamp-skew": {
    type: "string",
    value: "DURATION",
    help: "added to the timestamps the API writes, not to the Date header; negative as --timestamp-skew=-3s (default 0)",
    apply: (s, v) => (s.options.timestampSkewMs = signedDuration("--timestamp-skew", v)),
  },
  "subsecond-timestamps": {
    type: "boolean",
    help: "timestamps with 6 fractional digits instead of whole seconds",
    apply: (s) => (s.options.subSecondTimestamps = true),
  },
  "no-subsecond-timestamps": {
    type: "boolean",
    help: "timestamps in whole seconds (the default)",
    apply: (s) => (s.options.subSecondTimestamps = false),
  },
  "kb-jobs-shown": {
    type: "string",
    value: "N",
    help: "how many latest jobs a knowledge base's job list shows, whatever page it asks (default 15)",
    apply: (s, v) =>
      (s.options.knowledgeBaseJobsShown = integer("--kb-jobs-shown", v, 0, Number.MAX_SAFE_INTEGER)),
  },
  "job-list-order": {
    type: "string",
    value: JOB_LIST_ORDERS.join("|"),
    help: "the order of the account's job list, GET /v2/gen-ai/indexing_jobs (default newest-first)",
    apply: (s, v) => (s.options.jobListOrder = oneOf("--job-list-order", v, JOB_LIST_ORDERS)),
  },
  "job-list-max-per-page": {
    type: "string",
    value: "N",
    help: "the largest page the account's job list answers, whatever per_page asks (default 200)",
    apply: (s, v) =>
      (s.options.jobListMaxPerPage = integer("--job-list-max-per-page", v, 1, Number.MAX_SAFE_INTEGER)),
  },
  "job-list-omits-source-jobs": {
    type: "boolean",
    help: "the account's job list leaves out each job's data_source_jobs",
    apply: (s) => (s.options.jobListOmitsSourceJobs = true),
  },
  "conflict-message": {
    type: "string",
    value: "TEXT",
    help: 'message refusing a start on a busy knowledge base; {kb} stands for its uuid (default "knowledge base {kb} already has an indexing job running")',
    apply: (s, v) => (s.options.concurrentStartMessage = nonEmpty("--conflict-message", v)),
  },
  "start-faults": {
    type: "string",
    value: "LIST",
    help: `failures used up in order by the next job starts, comma-separated: ${START_FAULTS.join(", ")} (default none)`,
    apply: (s, v) => (s.options.startFaults = listOf("--start-faults", v, START_FAULTS)),
  },
  "job-read-latency": {
    type: "string",
    value: "DURATION",
    help: "every GET of indexing jobs (a job, both job lists) hangs this long before its answer (default 0)",
    apply: (s, v) => (s.options.jobReadLatencyMs = duration("--job-read-latency", v)),
  },
  "cancel-delay": {
    type: "string",
    value: "DURATION",
    help: "a cancel answers with the job still running; it turns CANCELLED this much later (default 0)",
    apply: (s, v) => (s.options.cancelDelayMs = duration("--cancel-delay", v)),
  },
  "cancel-refused-status": {
    type: "string",
    value: "STATUS",
    help: "every cancel arrives as its job ends: the job ends then as planned and the cancel is refused with this status (default: unset, cancels succeed)",
    apply: (s, v) => (s.options.cancelRefusedStatus = integer("--cancel-refused-status", v, 400, 599)),
  },
  "provisioning-outcome": {
    type: "string",
    value: PROVISIONING_OUTCOMES.join("|"),
    help: "database_status of a new knowledge base once provisioned; other than ONLINE it refuses every start for good (default ONLINE)",
    apply: (s, v) =>
      (s.options.provisioningOutcome = oneOf("--provisioning-outcome", v, PROVISIONING_OUTCOMES)),
  },
  "reindex-on-delete": {
    type: "boolean",
    help: "deleting a data source makes its knowledge base index the remaining ones by itself",
    apply: (s) => (s.options.reindexOnDataSourceDelete = true),
  },
  "no-reindex-on-delete": {
    type: "boolean",
    help: "deleting a data source starts nothing (the default)",
    apply: (s) => (s.options.reindexOnDataSourceDelete = false),
  },
};
