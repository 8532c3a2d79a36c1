/**
 * The waiters P1 compares, each written from its documented behaviour (no code reused): DigitalOcean's
 * own SDK waiter, fixed-interval pollers, an AWS SDK v3-style waiter, and ours. Every one sees the
 * same job through the same `fetchJob`, so their GETs are counted the same way.
 */
import type { IndexingJob } from "../provider/api/types";
import type { Clock } from "../provider/clock";
import { waitForJob } from "../provider/waiting/poller";

/** What the knowledge base's past jobs said, read before the start. */
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
    random: () => number,
    past?: PastRuns,
  ): Promise<IndexingJob>;
}

/** The phases on which the SDK's waiter stops. */
const FINAL_PHASES: readonly string[] = [
  "BATCH_JOB_PHASE_SUCCEEDED",
  "BATCH_JOB_PHASE_FAILED",
  "BATCH_JOB_PHASE_ERROR",
  "BATCH_JOB_PHASE_CANCELLED",
];

function ended(job: IndexingJob): boolean {
  return FINAL_PHASES.includes(job.phase ?? "");
}

/** GETs at once, then after `delayBefore(n)` before the n-th further GET, until the job ends. */
async function pollEvery(
  fetchJob: () => Promise<IndexingJob>,
  clock: Clock,
  delayBefore: (poll: number) => number,
): Promise<IndexingJob> {
  let job = await fetchJob();
  for (let poll = 1; !ended(job); poll++) {
    await clock.sleep(delayBefore(poll));
    job = await fetchJob();
  }
  return job;
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

/** A GET at once, then one every `intervalMs`. */
export function fixedPoller(intervalMs: number): Poller {
  return {
    name: `fixed ${intervalMs / 1000} s`,
    wait: (_initial, fetchJob, clock) => pollEvery(fetchJob, clock, () => intervalMs),
  };
}

/**
 * AWS SDK v3 waiters (Smithy waiter retries): a first attempt at once; before attempt n+1 a delay drawn
 * uniformly from [minDelay, minDelay·2^(n-1)], and maxDelay once n exceeds log2(maxDelay/minDelay) + 1.
 */
export function awsWaiter(minDelayMs = 2_000, maxDelayMs = 120_000): Poller {
  const ceiling = Math.log2(maxDelayMs / minDelayMs) + 1;
  return {
    name: `AWS v3 waiter (${minDelayMs / 1000}-${maxDelayMs / 1000} s)`,
    wait: (_initial, fetchJob, clock, random) =>
      pollEvery(fetchJob, clock, (attempt) =>
        attempt > ceiling
          ? maxDelayMs
          : minDelayMs + random() * (minDelayMs * 2 ** (attempt - 1) - minDelayMs),
      ),
  };
}

/** Ours, as the provider runs it: `waitForJob` with the default policy, starting from the POST's answer. */
export const ourPoller: Poller = {
  name: "ours (waitForJob)",
  wait: async (initial, fetchJob, clock, _random, past = {}) => {
    const deadline = clock.now() + 24 * 3_600_000;
    return (await waitForJob(initial, fetchJob, { deadline, clock, ...past })).job;
  },
};

export const ALL_POLLERS: readonly Poller[] = [
  ourPoller,
  sdkWaiter,
  fixedPoller(5_000),
  fixedPoller(10_000),
  awsWaiter(),
];
