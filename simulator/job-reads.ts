/**
 * The jobs as reads see them. On DigitalOcean a job just created may not be readable yet (its GET
 * answers 404, lists leave it out) while writes already see it: `readAfterWriteLagMs`.
 */
import { notFound } from "./errors";
import type { JobBook } from "./job-book";
import type { DataSourceRun, JobRecord } from "./job-timeline";

export class JobReads {
  constructor(
    private readonly jobs: JobBook,
    private readonly lagMs: number,
  ) {
    if (!(Number.isFinite(lagMs) && lagMs >= 0)) {
      throw new RangeError(`readAfterWriteLagMs must be >= 0, got ${lagMs}`);
    }
  }

  /** The job, or a 404 API error, also while the lag hides it. */
  get(uuid: string, now: number): JobRecord {
    const job = this.jobs.get(uuid);
    if (!this.#seen(job, now)) throw notFound(`indexing job ${uuid} not found`);
    return job;
  }

  /** Every job reads see, newest first. */
  all(now: number): JobRecord[] {
    return this.jobs.all().filter((job) => this.#seen(job, now));
  }

  /** The jobs of one knowledge base reads see, newest first. */
  jobsOf(kbUuid: string, now: number): JobRecord[] {
    return this.all(now).filter((job) => job.knowledgeBaseUuid === kbUuid);
  }

  /** The newest job reads see that indexed this data source, with the data source's part of it. */
  lastRunOf(dsUuid: string, now: number): { job: JobRecord; run: DataSourceRun } | undefined {
    for (const job of this.all(now)) {
      const run = job.dataSources.find((candidate) => candidate.uuid === dsUuid);
      if (run) return { job, run };
    }
    return undefined;
  }

  #seen(job: JobRecord, now: number): boolean {
    return now >= job.createdAt + this.lagMs;
  }
}
