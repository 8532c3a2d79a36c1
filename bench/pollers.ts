/**
 * The waiters P1 compares: DigitalOcean's own SDK waiter, written from its documented behaviour (no
 * code reused), and ours as the provider runs it, with and without what the knowledge base's past runs
 * tell. Every one sees the same job through the same `fetchJob`, so their GETs are counted the same way.
 */
import type { IndexingJob } from "../provider/api/types";
import type { Clock } from "../provider/clock";
import { waitForJob } from "../provider/waiting/poller";

/** What the knowledge base's past jobs said, read before the start (provider/waiting/past-runs.ts). */
export interface PastRuns {
  typicalRunMs?: number;
}

export interface Poller {
  readonly name: string;
  /** Waits until the job ends. `initial` is the POST's answer and `past` its history; only ours uses them. */
  wait(
    initial: IndexingJob,
    fetchJob: () => Promise<IndexingJob>,
    clock: Clock,
    past: PastRuns,
  ): Promise<IndexingJob>;
}

/** The phases on which the SDK's waiter stops. */
const FINAL_PHASES: readonly string[] = [
  "BATCH_JOB_PHASE_SUCCEEDED",
  "BATCH_JOB_PHASE_FAILED",
  "BATCH_JOB_PHASE_ERROR",
  "BATCH_JOB_PHASE_CANCELLED",
];

export function ended(job: IndexingJob): boolean {
  return FINAL_PHASES.includes(job.phase ?? "");
}

/**
 * gradient-typescript's `indexingJobs.waitForCompletion`: a GET at once, then every 5 s; after the third
 * poll of the loop the interval doubles, up to 30 s. GETs at 0, 5, 10, 15, 25, 45, 75, 105, 135 s…
 */
export const sdkWaiter: Poller = {
  name: "DO SDK waiter",
  wait: async (_initial, fetchJob, clock) => {
    let interval = 5_000;
    let pollCount = 0;
    let job = await fetchJob();
    while (!ended(job)) {
      await clock.sleep(interval);
      job = await fetchJob();
      pollCount++;
      if (pollCount > 2) interval = Math.min(interval * 2, 30_000);
    }
    return job;
  },
};

/** Ours, as the provider runs it: `waitForJob` with the default policy, starting from the POST's answer. */
export const ourPoller: Poller = {
  name: "ours",
  wait: async (initial, fetchJob, clock, past) => {
    const deadline = clock.now() + 24 * 3_600_000;
    return (await waitForJob(initial, fetchJob, { deadline, clock, ...past })).job;
  },
};

/** Ours without the knowledge base's past runs: the `pastRuns` rule switched off (or a new knowledge base). */
export const ourPollerWithoutPastRuns: Poller = {
  name: "ours, no past runs",
  wait: (initial, fetchJob, clock) => ourPoller.wait(initial, fetchJob, clock, {}),
};

/** Every job of P1 is watched by these three at once. */
export const P1_POLLERS: readonly Poller[] = [ourPoller, ourPollerWithoutPastRuns, sdkWaiter];
