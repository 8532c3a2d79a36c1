/**
 * The indexing job state machine. A job is fixed when it starts (its plan, its data sources' time
 * windows); its state at any moment is computed from the clock, so nothing runs in the background and
 * a manual clock makes every transition deterministic.
 *
 * Timeline: created -> PENDING for `pendingMs` -> RUNNING for `durationMs`, during which the data
 * sources are indexed one after another, each for a share of the time proportional to its item count
 * -> the planned outcome. A cancel freezes progress at the moment it happened.
 */
import { progressCurve, sourcesRunAlongside, type ProgressCurve } from "./progress";
import type { JobOutcome, JobPlan } from "./types";

/** What a data source ends as: which of its counters grows while it runs, and its final status. */
export type DataSourceDisposition = "updated" | "not_updated" | "failed";

export interface DataSourceRun {
  uuid: string;
  items: number;
  disposition: DataSourceDisposition;
  startMs: number;
  endMs: number;
  curve: ProgressCurve;
}

export interface JobRecord {
  uuid: string;
  knowledgeBaseUuid: string;
  /** Creation order, to sort newest first even when the clock did not move between two starts. */
  sequence: number;
  createdAt: number;
  runningAt: number;
  endsAt: number;
  outcome: JobOutcome;
  dataSources: DataSourceRun[];
  cancelledAt?: number;
}

export type JobStage = "pending" | "running" | "finished" | "cancelled";

export type DataSourceStage =
  | { stage: "waiting" }
  | { stage: "running"; done: number }
  | { stage: "finished"; done: number }
  | { stage: "cancelled"; done: number; started: boolean };

export interface NewJob {
  uuid: string;
  knowledgeBaseUuid: string;
  sequence: number;
  createdAt: number;
  plan: JobPlan;
  dataSources: { uuid: string; items: number }[];
}

export function createJobRecord(job: NewJob): JobRecord {
  const { plan } = job;
  const runningAt = job.createdAt + plan.pendingMs;
  const endsAt = runningAt + plan.durationMs;
  const failing = failingDataSources(plan, job.dataSources);
  // Items weigh a data source's share of the duration; all-empty data sources share it equally.
  const totalItems = job.dataSources.reduce((sum, ds) => sum + ds.items, 0);
  const weightOf = (items: number) => (totalItems > 0 ? items : 1);
  const totalWeight = totalItems > 0 ? totalItems : job.dataSources.length;

  const alongside = sourcesRunAlongside(plan.progress);
  let weightBefore = 0;
  const dataSources = job.dataSources.map((ds, index): DataSourceRun => {
    const startMs = alongside
      ? runningAt
      : runningAt + Math.round((plan.durationMs * weightBefore) / totalWeight);
    weightBefore += weightOf(ds.items);
    const isLast = alongside || index === job.dataSources.length - 1;
    const endMs = isLast ? endsAt : runningAt + Math.round((plan.durationMs * weightBefore) / totalWeight);
    return {
      uuid: ds.uuid,
      items: ds.items,
      disposition: failing.has(ds.uuid)
        ? "failed"
        : plan.outcome === "no_changes"
          ? "not_updated"
          : "updated",
      startMs,
      endMs,
      curve: progressCurve(plan.progress, `${job.uuid}/${ds.uuid}`),
    };
  });

  return {
    uuid: job.uuid,
    knowledgeBaseUuid: job.knowledgeBaseUuid,
    sequence: job.sequence,
    createdAt: job.createdAt,
    runningAt,
    endsAt,
    outcome: plan.outcome,
    dataSources,
  };
}

function failingDataSources(plan: JobPlan, dataSources: { uuid: string }[]): Set<string> {
  if (plan.outcome === "succeeded" || plan.outcome === "no_changes") return new Set();
  if (plan.failingDataSources) return new Set(plan.failingDataSources);
  if (plan.outcome === "partial") {
    const last = dataSources[dataSources.length - 1];
    return new Set(last ? [last.uuid] : []);
  }
  return new Set(dataSources.map((ds) => ds.uuid));
}

export function jobStage(job: JobRecord, now: number): JobStage {
  if (job.cancelledAt !== undefined && now >= job.cancelledAt) return "cancelled";
  if (now < job.runningAt) return "pending";
  if (now < job.endsAt) return "running";
  return "finished";
}

/** PENDING or RUNNING: the job blocks another start on its knowledge base and can be cancelled. */
export function isJobActive(job: JobRecord, now: number): boolean {
  const stage = jobStage(job, now);
  return stage === "pending" || stage === "running";
}

/** When the job reached a terminal state, if it has. */
export function finishedAt(job: JobRecord, now: number): number | undefined {
  const stage = jobStage(job, now);
  if (stage === "cancelled") return job.cancelledAt;
  return stage === "finished" ? job.endsAt : undefined;
}

/** A report exists once the job ended, unless it was cancelled before it ran. */
export function hasReport(job: JobRecord, now: number): boolean {
  if (finishedAt(job, now) === undefined) return false;
  return job.cancelledAt === undefined || job.cancelledAt >= job.runningAt;
}

/**
 * Stops an active job `delayMs` after `now`; a finished job, or one already being cancelled, stays as
 * it is. A job that ends before the cancel would take effect simply ends.
 */
export function cancelJob(job: JobRecord, now: number, delayMs = 0): void {
  if (job.cancelledAt !== undefined || !isJobActive(job, now)) return;
  const at = now + delayMs;
  if (at < job.endsAt) job.cancelledAt = at;
}

/**
 * Ends an active job at `now` with its planned outcome, as if its time was up then: every data source
 * done, a cancel still to take effect dropped. A job that is not active stays as it is.
 */
export function endJobAt(job: JobRecord, now: number): void {
  if (!isJobActive(job, now)) return;
  delete job.cancelledAt;
  job.runningAt = Math.min(job.runningAt, now);
  job.endsAt = now;
  for (const run of job.dataSources) {
    run.startMs = Math.min(run.startMs, now);
    run.endMs = Math.min(run.endMs, now);
  }
}

export function dataSourceStage(job: JobRecord, run: DataSourceRun, now: number): DataSourceStage {
  const cancelled = job.cancelledAt !== undefined && now >= job.cancelledAt;
  // A cancelled job is seen as it was at the cancel, except that what was unfinished is cancelled.
  const at = cancelled ? (job.cancelledAt ?? now) : now;
  if (at >= run.endMs) return { stage: "finished", done: run.items };
  if (at < run.startMs)
    return cancelled ? { stage: "cancelled", done: 0, started: false } : { stage: "waiting" };
  const elapsed = run.endMs > run.startMs ? (at - run.startMs) / (run.endMs - run.startMs) : 1;
  // The epsilon keeps float error (0.57 * 1000 = 569.99…) from losing an item.
  const done = Math.min(run.items, Math.floor(run.items * run.curve(elapsed) + 1e-9));
  return cancelled ? { stage: "cancelled", done, started: true } : { stage: "running", done };
}
