/** Renders a job record, at a given moment, as the API shows it (`apiIndexingJob`). */
import type {
  KnownDataSourceStatus,
  KnownJobPhase,
  KnownJobStatus,
  WireIndexedDataSource,
  WireIndexingJob,
} from "../provider/api/types";
import {
  dataSourceStage,
  finishedAt,
  hasReport,
  jobStage,
  type DataSourceDisposition,
  type DataSourceRun,
  type JobRecord,
  type JobStage,
} from "./job-timeline";
import type { JobOutcome } from "./types";

/** Made-up but stable sizes, so byte and token counts move with the items. */
const BYTES_PER_ITEM = 48_213;
const TOKENS_PER_ITEM = 850;

/**
 * The job as sent: the spec's fields plus the job-level item totals newer API versions add (uint64,
 * so strings), which clients read when present.
 */
export type SimulatedIndexingJob = WireIndexingJob & {
  total_items_indexed?: string;
  total_items_failed?: string;
  total_items_skipped?: string;
};

const TERMINAL: Record<JobOutcome, { phase: KnownJobPhase; status: KnownJobStatus }> = {
  succeeded: { phase: "BATCH_JOB_PHASE_SUCCEEDED", status: "INDEX_JOB_STATUS_COMPLETED" },
  no_changes: { phase: "BATCH_JOB_PHASE_SUCCEEDED", status: "INDEX_JOB_STATUS_NO_CHANGES" },
  partial: { phase: "BATCH_JOB_PHASE_SUCCEEDED", status: "INDEX_JOB_STATUS_PARTIAL" },
  failed: { phase: "BATCH_JOB_PHASE_FAILED", status: "INDEX_JOB_STATUS_FAILED" },
  error: { phase: "BATCH_JOB_PHASE_ERROR", status: "INDEX_JOB_STATUS_FAILED" },
};

const NOT_FINISHED: Record<
  Exclude<JobStage, "finished">,
  { phase: KnownJobPhase; status: KnownJobStatus }
> = {
  pending: { phase: "BATCH_JOB_PHASE_PENDING", status: "INDEX_JOB_STATUS_PENDING" },
  running: { phase: "BATCH_JOB_PHASE_RUNNING", status: "INDEX_JOB_STATUS_IN_PROGRESS" },
  cancelled: { phase: "BATCH_JOB_PHASE_CANCELLED", status: "INDEX_JOB_STATUS_CANCELLED" },
};

const FINISHED_STATUS: Record<DataSourceDisposition, KnownDataSourceStatus> = {
  updated: "DATA_SOURCE_STATUS_UPDATED",
  not_updated: "DATA_SOURCE_STATUS_NOT_UPDATED",
  failed: "DATA_SOURCE_STATUS_FAILED",
};

/** The API's date-time format: RFC 3339 in UTC, to the second. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function renderDataSourceJob(job: JobRecord, run: DataSourceRun, now: number): WireIndexedDataSource {
  const view = dataSourceStage(job, run, now);
  const done = view.stage === "waiting" ? 0 : view.done;
  const counter = (disposition: DataSourceDisposition) => String(run.disposition === disposition ? done : 0);
  const rendered: WireIndexedDataSource = {
    data_source_uuid: run.uuid,
    total_file_count: String(run.items),
    total_bytes: String(run.items * BYTES_PER_ITEM),
    indexed_item_count: counter("updated"),
    indexed_file_count: counter("updated"),
    total_bytes_indexed: String((run.disposition === "updated" ? done : 0) * BYTES_PER_ITEM),
    skipped_item_count: counter("not_updated"),
    failed_item_count: counter("failed"),
    removed_item_count: "0",
  };
  const started =
    view.stage === "running" || view.stage === "finished" || (view.stage === "cancelled" && view.started);
  if (started) rendered.started_at = isoTime(run.startMs);

  if (view.stage === "running") rendered.status = "DATA_SOURCE_STATUS_IN_PROGRESS";
  if (view.stage === "cancelled") {
    rendered.status = "DATA_SOURCE_STATUS_CANCELLED";
    rendered.completed_at = isoTime(job.cancelledAt ?? now);
  }
  if (view.stage === "finished") {
    rendered.status = FINISHED_STATUS[run.disposition];
    rendered.completed_at = isoTime(run.endMs);
    if (run.disposition === "failed") {
      rendered.error_msg = job.outcome === "error" ? "internal_error" : "indexing_failed";
      rendered.error_details = `simulated failure: ${run.items} of ${run.items} items could not be indexed`;
    }
  }
  return rendered;
}

export function renderJob(job: JobRecord, now: number): SimulatedIndexingJob {
  const stage = jobStage(job, now);
  const dataSourceJobs = job.dataSources.map((run) => renderDataSourceJob(job, run, now));
  const sum = (field: "indexed_item_count" | "failed_item_count" | "skipped_item_count") =>
    dataSourceJobs.reduce((total, ds) => total + Number(ds[field] ?? "0"), 0);
  const tokens = sum("indexed_item_count") * TOKENS_PER_ITEM;
  const endedAt = finishedAt(job, now);
  const { phase, status } = stage === "finished" ? TERMINAL[job.outcome] : NOT_FINISHED[stage];

  const rendered: SimulatedIndexingJob = {
    uuid: job.uuid,
    knowledge_base_uuid: job.knowledgeBaseUuid,
    phase,
    status,
    created_at: isoTime(job.createdAt),
    updated_at: isoTime(endedAt ?? (stage === "pending" ? job.createdAt : now)),
    data_source_uuids: job.dataSources.map((ds) => ds.uuid),
    data_source_jobs: dataSourceJobs,
    total_datasources: job.dataSources.length,
    completed_datasources: job.dataSources.filter(
      (run) => dataSourceStage(job, run, now).stage === "finished",
    ).length,
    total_tokens: String(tokens),
    tokens,
    total_items_indexed: String(sum("indexed_item_count")),
    total_items_failed: String(sum("failed_item_count")),
    total_items_skipped: String(sum("skipped_item_count")),
    is_report_available: hasReport(job, now),
  };
  // A job cancelled while PENDING never started.
  if (now >= job.runningAt && (job.cancelledAt === undefined || job.cancelledAt >= job.runningAt)) {
    rendered.started_at = isoTime(job.runningAt);
  }
  if (endedAt !== undefined) rendered.finished_at = isoTime(endedAt);
  return rendered;
}
