/**
 * How far a job is and how to say it: progress from its data source jobs, its phase and status in
 * short. Whether it ended, and how, is ../waiting/outcome.ts.
 */
import type { IndexingJob, KnownDataSourceStatus } from "../api/types";

export const FAILED_DATA_SOURCE_STATUSES: readonly string[] = [
  "DATA_SOURCE_STATUS_FAILED",
  "DATA_SOURCE_STATUS_PARTIALLY_UPDATED",
  "DATA_SOURCE_STATUS_CANCELLED",
] satisfies KnownDataSourceStatus[];

/** Phase and status in one short, readable word pair, e.g. `RUNNING/IN_PROGRESS`. */
export function describeState(job: IndexingJob): string {
  const phase = (job.phase ?? "UNKNOWN").replace("BATCH_JOB_PHASE_", "");
  const status = (job.status ?? "UNKNOWN").replace("INDEX_JOB_STATUS_", "");
  return `${phase}/${status}`;
}

export interface Progress {
  /** Between 0 and 1, or undefined when the job gives no counts yet. */
  fraction: number | undefined;
  /** Undefined unless every data source reports its count (the API may send counts only at its end). */
  itemsIndexed: number | undefined;
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
  let itemsIndexed: number | undefined = 0;
  let itemsProcessed = 0;
  let itemsTotal = 0;
  let totalsKnown = sources.length > 0;
  let finishedSources = 0;
  for (const source of sources) {
    itemsIndexed =
      itemsIndexed === undefined || source.indexed_item_count === undefined
        ? undefined
        : itemsIndexed + source.indexed_item_count;
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
    itemsIndexed: sources.length > 0 ? itemsIndexed : undefined,
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
