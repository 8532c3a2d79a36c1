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
import type { JobOutcome, SourceCounts } from "./types";
import { isoTime, type WireTime } from "./wire-time";

/** How jobs are shown: the facts of the real API that change what a job looks like. */
export interface JobViewOptions {
  time: WireTime;
  /** Send the job-level `total_items_*` the spec dropped in Nov 2025. */
  legacyJobCounts: boolean;
  sourceCounts: SourceCounts;
  runningStatus: string;
  runningPhase: string;
}

export const DEFAULT_JOB_VIEW: Readonly<JobViewOptions> = {
  time: isoTime,
  legacyJobCounts: false,
  sourceCounts: "live",
  runningStatus: "INDEX_JOB_STATUS_IN_PROGRESS",
  runningPhase: "BATCH_JOB_PHASE_RUNNING",
};

/** Made-up but stable sizes, so byte and token counts move with the items. */
const BYTES_PER_ITEM = 48_213;
const TOKENS_PER_ITEM = 850;

/**
 * The job as sent: the spec's fields plus, with `legacyJobCounts`, the job-level item totals the spec
 * had until Nov 2025 (uint64, so strings), which clients read when present.
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

// RUNNING is shown as `JobViewOptions.runningPhase` and `runningStatus` say.
const NOT_FINISHED: Record<
  Exclude<JobStage, "finished" | "running">,
  { phase: KnownJobPhase; status: KnownJobStatus }
> = {
  pending: { phase: "BATCH_JOB_PHASE_PENDING", status: "INDEX_JOB_STATUS_PENDING" },
  cancelled: { phase: "BATCH_JOB_PHASE_CANCELLED", status: "INDEX_JOB_STATUS_CANCELLED" },
};

const FINISHED_STATUS: Record<DataSourceDisposition, KnownDataSourceStatus> = {
  updated: "DATA_SOURCE_STATUS_UPDATED",
  not_updated: "DATA_SOURCE_STATUS_NOT_UPDATED",
  failed: "DATA_SOURCE_STATUS_FAILED",
};

export function renderDataSourceJob(
  job: JobRecord,
  run: DataSourceRun,
  now: number,
  options: JobViewOptions,
): WireIndexedDataSource {
  const stamp = options.time;
  const view = dataSourceStage(job, run, now);
  const done = view.stage === "waiting" ? 0 : view.done;
  const counter = (disposition: DataSourceDisposition) => String(run.disposition === disposition ? done : 0);
  const ended = view.stage === "finished" || view.stage === "cancelled";
  const rendered: WireIndexedDataSource = { data_source_uuid: run.uuid };
  if (options.sourceCounts === "live" || ended) {
    Object.assign(rendered, {
      total_file_count: String(run.items),
      total_bytes: String(run.items * BYTES_PER_ITEM),
      indexed_item_count: counter("updated"),
      indexed_file_count: counter("updated"),
      total_bytes_indexed: String((run.disposition === "updated" ? done : 0) * BYTES_PER_ITEM),
      skipped_item_count: counter("not_updated"),
      failed_item_count: counter("failed"),
      removed_item_count: "0",
    } satisfies WireIndexedDataSource);
  }
  const started =
    view.stage === "running" || view.stage === "finished" || (view.stage === "cancelled" && view.started);
  if (started) rendered.started_at = stamp(run.startMs);

  if (view.stage === "running") rendered.status = "DATA_SOURCE_STATUS_IN_PROGRESS";
  if (view.stage === "cancelled") {
    rendered.status = "DATA_SOURCE_STATUS_CANCELLED";
    rendered.completed_at = stamp(job.cancelledAt ?? now);
  }
  if (view.stage === "finished") {
    rendered.status = FINISHED_STATUS[run.disposition];
    rendered.completed_at = stamp(run.endMs);
    if (run.disposition === "failed") {
      rendered.error_msg = job.outcome === "error" ? "internal_error" : "indexing_failed";
      rendered.error_details = `simulated failure: ${run.items} of ${run.items} items could not be indexed`;
    }
  }
  return rendered;
}

export function renderJob(job: JobRecord, now: number, options: JobViewOptions): SimulatedIndexingJob {
  const stamp = options.time;
  const stage = jobStage(job, now);
  const dataSourceJobs = job.dataSources.map((run) => renderDataSourceJob(job, run, now, options));
  const sum = (field: "indexed_item_count" | "failed_item_count" | "skipped_item_count") =>
    dataSourceJobs.reduce((total, ds) => total + Number(ds[field] ?? "0"), 0);
  const tokens = sum("indexed_item_count") * TOKENS_PER_ITEM;
  const endedAt = finishedAt(job, now);
  const { phase, status } = shownState(job, stage, options);

  const rendered: SimulatedIndexingJob = {
    uuid: job.uuid,
    knowledge_base_uuid: job.knowledgeBaseUuid,
    phase,
    status,
    created_at: stamp(job.createdAt),
    updated_at: stamp(endedAt ?? (stage === "pending" ? job.createdAt : now)),
    data_source_uuids: job.dataSources.map((ds) => ds.uuid),
    data_source_jobs: dataSourceJobs,
    total_datasources: job.dataSources.length,
    completed_datasources: job.dataSources.filter(
      (run) => dataSourceStage(job, run, now).stage === "finished",
    ).length,
    is_report_available: hasReport(job, now),
  };
  // With counts "at-end", a running job's data sources have none yet: nothing to add up.
  if (options.sourceCounts === "live" || endedAt !== undefined) {
    rendered.total_tokens = String(tokens);
    rendered.tokens = tokens;
    if (options.legacyJobCounts) {
      rendered.total_items_indexed = String(sum("indexed_item_count"));
      rendered.total_items_failed = String(sum("failed_item_count"));
      rendered.total_items_skipped = String(sum("skipped_item_count"));
    }
  }
  // A job cancelled while PENDING never started.
  if (now >= job.runningAt && (job.cancelledAt === undefined || job.cancelledAt >= job.runningAt)) {
    rendered.started_at = stamp(job.runningAt);
  }
  if (endedAt !== undefined) rendered.finished_at = stamp(endedAt);
  return rendered;
}

function shownState(
  job: JobRecord,
  stage: JobStage,
  options: JobViewOptions,
): { phase: KnownJobPhase; status: KnownJobStatus } {
  if (stage === "finished") return TERMINAL[job.outcome];
  if (stage === "pending" || stage === "cancelled") return NOT_FINISHED[stage];
  // A value the spec may not list: the API sends values before the spec has them.
  return {
    phase: options.runningPhase as KnownJobPhase,
    status: options.runningStatus as KnownJobStatus,
  };
}
