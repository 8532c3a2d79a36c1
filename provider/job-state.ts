/**
 * What a job's phase and status mean for us. The API may add values before we know them, so nothing
 * here assumes the enums are closed: an unknown value is neither finished nor failed, unless the other
 * field says otherwise.
 */
import type { IndexingJob, KnownDataSourceStatus, KnownJobPhase, KnownJobStatus } from "./api/types";

export type Outcome = "running" | "succeeded" | "partial" | "failed";

const RUNNING_PHASES: readonly string[] = [
  "BATCH_JOB_PHASE_PENDING",
  "BATCH_JOB_PHASE_RUNNING",
] satisfies KnownJobPhase[];
const FAILED_PHASES: readonly string[] = [
  "BATCH_JOB_PHASE_FAILED",
  "BATCH_JOB_PHASE_ERROR",
  "BATCH_JOB_PHASE_CANCELLED",
] satisfies KnownJobPhase[];
const FINAL_STATUSES: Readonly<Record<string, Outcome>> = {
  INDEX_JOB_STATUS_COMPLETED: "succeeded",
  INDEX_JOB_STATUS_NO_CHANGES: "succeeded",
  INDEX_JOB_STATUS_PARTIAL: "partial",
  INDEX_JOB_STATUS_FAILED: "failed",
  INDEX_JOB_STATUS_CANCELLED: "failed",
} satisfies Partial<Record<KnownJobStatus, Outcome>>;

export const FAILED_DATA_SOURCE_STATUSES: readonly string[] = [
  "DATA_SOURCE_STATUS_FAILED",
  "DATA_SOURCE_STATUS_PARTIALLY_UPDATED",
  "DATA_SOURCE_STATUS_CANCELLED",
] satisfies KnownDataSourceStatus[];

/** Where a job stands: still running, or how it ended. */
export function outcomeOf(job: IndexingJob): Outcome {
  const phase = job.phase ?? "";
  const status = job.status ?? "";
  if (FAILED_PHASES.includes(phase)) return "failed";
  if (RUNNING_PHASES.includes(phase)) return "running";
  const byStatus = FINAL_STATUSES[status];
  if (phase === "BATCH_JOB_PHASE_SUCCEEDED")
    return byStatus === "partial" || byStatus === "failed" ? byStatus : "succeeded";
  // Phase unknown (UNKNOWN, missing, or newer than us): a final status decides, but only once the
  // job says it finished; otherwise keep waiting.
  return byStatus && job.finished_at ? byStatus : "running";
}

export function isRunning(job: IndexingJob): boolean {
  return outcomeOf(job) === "running";
}

/** Phase and status in one short, readable word pair, e.g. `RUNNING/IN_PROGRESS`. */
export function describeState(job: IndexingJob): string {
  const phase = (job.phase ?? "UNKNOWN").replace("BATCH_JOB_PHASE_", "");
  const status = (job.status ?? "UNKNOWN").replace("INDEX_JOB_STATUS_", "");
  return `${phase}/${status}`;
}

export interface Progress {
  /** Between 0 and 1, or undefined when the job gives no counts yet. */
  fraction: number | undefined;
  itemsIndexed: number;
  itemsTotal: number | undefined;
  dataSourcesDone: number;
  dataSourcesTotal: number | undefined;
}

/**
 * How far a job is, from its per-data-source counts: items indexed, failed or skipped of the files to
 * index. A finished data source counts as whole even when its counts disagree.
 */
export function progressOf(job: IndexingJob): Progress {
  const sources = job.data_source_jobs ?? [];
  let itemsIndexed = 0;
  let itemsProcessed = 0;
  let itemsTotal = 0;
  let totalsKnown = sources.length > 0;
  let finishedSources = 0;
  for (const source of sources) {
    itemsIndexed += source.indexed_item_count ?? 0;
    const processed =
      (source.indexed_item_count ?? 0) + (source.failed_item_count ?? 0) + (source.skipped_item_count ?? 0);
    const finished = Boolean(source.completed_at) || isFinishedSourceStatus(source.status);
    if (finished) finishedSources++;
    if (source.total_file_count === undefined) {
      totalsKnown = false;
      continue;
    }
    itemsTotal += source.total_file_count;
    itemsProcessed += finished ? source.total_file_count : Math.min(processed, source.total_file_count);
  }
  const dataSourcesTotal = job.total_datasources ?? (sources.length || undefined);
  const dataSourcesDone = Math.max(job.completed_datasources ?? 0, finishedSources);
  let fraction: number | undefined;
  if (totalsKnown && itemsTotal > 0) fraction = Math.min(1, itemsProcessed / itemsTotal);
  else if (dataSourcesTotal) fraction = Math.min(1, dataSourcesDone / dataSourcesTotal);
  return {
    fraction,
    itemsIndexed,
    itemsTotal: totalsKnown ? itemsTotal : undefined,
    dataSourcesDone,
    dataSourcesTotal,
  };
}

const FINISHED_DATA_SOURCE_STATUSES: readonly string[] = [
  "DATA_SOURCE_STATUS_UPDATED",
  "DATA_SOURCE_STATUS_NOT_UPDATED",
  "DATA_SOURCE_STATUS_FAILED",
  "DATA_SOURCE_STATUS_PARTIALLY_UPDATED",
  "DATA_SOURCE_STATUS_CANCELLED",
] satisfies KnownDataSourceStatus[];

function isFinishedSourceStatus(status: string | undefined): boolean {
  return status !== undefined && FINISHED_DATA_SOURCE_STATUSES.includes(status);
}
