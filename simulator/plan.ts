import type { JobOutcome, JobPlan, ProgressShape } from "./types";

export const BUILT_IN_JOB_PLAN: Readonly<JobPlan> = {
  durationMs: 3000,
  pendingMs: 500,
  outcome: "succeeded",
  progress: "steady",
};

const OUTCOMES: readonly JobOutcome[] = ["succeeded", "no_changes", "partial", "failed", "error"];
const PROGRESS_SHAPES: readonly ProgressShape[] = ["steady", "erratic", "stepwise", "silent"];

/**
 * Merges plan layers, later ones winning, over the built-in plan. Keys explicitly set to `undefined`
 * do not erase an earlier layer's value.
 */
export function resolvePlan(...layers: (Partial<JobPlan> | undefined)[]): JobPlan {
  const plan: JobPlan = { ...BUILT_IN_JOB_PLAN };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.durationMs !== undefined) plan.durationMs = layer.durationMs;
    if (layer.pendingMs !== undefined) plan.pendingMs = layer.pendingMs;
    if (layer.outcome !== undefined) plan.outcome = layer.outcome;
    if (layer.progress !== undefined) plan.progress = layer.progress;
    if (layer.failingDataSources !== undefined) plan.failingDataSources = [...layer.failingDataSources];
  }
  return plan;
}

/** Throws on a plan the state machine cannot run: caught when planned, not when a job starts. */
export function assertValidPlan(plan: Partial<JobPlan>): void {
  for (const key of ["durationMs", "pendingMs"] as const) {
    const value = plan[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`job plan ${key} must be a finite number >= 0, got ${value}`);
    }
  }
  if (plan.outcome !== undefined && !OUTCOMES.includes(plan.outcome)) {
    throw new RangeError(`job plan outcome must be one of ${OUTCOMES.join(", ")}, got ${plan.outcome}`);
  }
  if (plan.progress !== undefined && !PROGRESS_SHAPES.includes(plan.progress)) {
    throw new RangeError(
      `job plan progress must be one of ${PROGRESS_SHAPES.join(", ")}, got ${plan.progress}`,
    );
  }
}
