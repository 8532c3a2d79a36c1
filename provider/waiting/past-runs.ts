/**
 * What a knowledge base's past indexing jobs say of the next one: reindexing the same data tends to
 * take about as long as it did before. The job list that provider/indexing-job/start.ts reads anyway carries them.
 */
import type { IndexingJob } from "../api/types";
import { outcomeOf } from "./outcome";

/** Past runs weighed: the latest few, so that a knowledge base that grew is judged by its recent size. */
const RUNS_WEIGHED = 3;

/**
 * The median time from creation to finish of the knowledge base's latest jobs that indexed (not those
 * that failed or were cancelled); undefined without one.
 */
export function typicalRunMs(jobs: readonly IndexingJob[]): number | undefined {
  const runs = jobs
    .filter((job) => ["succeeded", "partial"].includes(outcomeOf(job)))
    .map((job) => ({
      created: Date.parse(job.created_at ?? ""),
      finished: Date.parse(job.finished_at ?? ""),
    }))
    .filter(({ created, finished }) => Number.isFinite(created) && finished >= created)
    .sort((a, b) => b.created - a.created)
    .slice(0, RUNS_WEIGHED)
    .map(({ created, finished }) => finished - created)
    .sort((a, b) => a - b);
  return runs.length === 0 ? undefined : runs[Math.floor(runs.length / 2)];
}
