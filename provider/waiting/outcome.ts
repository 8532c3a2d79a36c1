/**
 * What a job's phase and status mean for whoever waits for it. The API shows values outside the spec
 * (public clients see `INDEX_JOB_STATUS_RUNNING`) and may add more, so nothing here assumes the enums
 * are closed.
 */
import type { IndexingJob, KnownJobPhase, KnownJobStatus } from "../api/types";

export type Outcome = "running" | "succeeded" | "partial" | "failed";

const SUCCEEDED_PHASE: KnownJobPhase = "BATCH_JOB_PHASE_SUCCEEDED";
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

/**
 * Where a job stands: still running, or how it ended. Only the spec's terminal phases end a job: a
 * phase we do not know (UNKNOWN, missing, or newer than us) keeps it running whatever its status says,
 * so that a value added to the API never ends a wait as a success or a failure. Once the phase says
 * SUCCEEDED, the status tells a clean run from a partial or failed one.
 */
export function outcomeOf(job: IndexingJob): Outcome {
  const phase = job.phase ?? "";
  if (FAILED_PHASES.includes(phase)) return "failed";
  if (phase !== SUCCEEDED_PHASE) return "running";
  const byStatus = FINAL_STATUSES[job.status ?? ""];
  return byStatus === "partial" || byStatus === "failed" ? byStatus : "succeeded";
}

export function isRunning(job: IndexingJob): boolean {
  return outcomeOf(job) === "running";
}
