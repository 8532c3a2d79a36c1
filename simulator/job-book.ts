/** All indexing jobs, the plans for the next ones, and the rules for starting and cancelling. */
import type { Catalog } from "./catalog";
import { ApiError, badRequest, errorIdForStatus, notFound } from "./errors";
import { cancelJob, createJobRecord, isJobActive, type DataSourceRun, type JobRecord } from "./job-timeline";
import { assertValidPlan, resolvePlan } from "./plan";
import { newUuid } from "./random";
import type { JobPlan } from "./types";

export interface JobBookOptions {
  defaultPlan?: Partial<JobPlan>;
  /** Status refusing a start on a knowledge base that already runs a job. */
  concurrentStartStatus: number;
}

export class JobBook {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #plans = new Map<string, Partial<JobPlan>>();
  readonly #nextJobPlans = new Map<string, Partial<JobPlan>>();
  #sequence = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly options: JobBookOptions,
  ) {
    if (options.defaultPlan) assertValidPlan(options.defaultPlan);
  }

  planJobs(kbUuid: string, plan: Partial<JobPlan>): void {
    this.#assertKnowledgeBase(kbUuid);
    assertValidPlan(plan);
    this.#plans.set(kbUuid, { ...plan });
  }

  planNextJob(kbUuid: string, plan: Partial<JobPlan>): void {
    this.#assertKnowledgeBase(kbUuid);
    assertValidPlan(plan);
    this.#nextJobPlans.set(kbUuid, { ...plan });
  }

  /**
   * Starts a job over the given data sources of a knowledge base (all of them when none are given).
   * Throws the API error the real service would answer with.
   */
  start(kbUuid: string, requestedDataSources: string[], now: number): JobRecord {
    const kb = this.catalog.knowledgeBase(kbUuid);
    const known = this.catalog.dataSourcesOf(kb.uuid);
    const wanted =
      requestedDataSources.length > 0 ? [...new Set(requestedDataSources)] : known.map((ds) => ds.uuid);
    const dataSources = wanted.map((uuid) => {
      const ds = known.find((candidate) => candidate.uuid === uuid);
      if (!ds) throw badRequest(`data source ${uuid} does not belong to knowledge base ${kb.uuid}`);
      return { uuid: ds.uuid, items: ds.items };
    });
    if (dataSources.length === 0) throw badRequest(`knowledge base ${kb.uuid} has no data sources to index`);

    const running = this.jobsOf(kb.uuid).find((job) => isJobActive(job, now));
    if (running) {
      const status = this.options.concurrentStartStatus;
      throw new ApiError(
        status,
        errorIdForStatus(status),
        `knowledge base ${kb.uuid} already has an indexing job in progress: ${running.uuid}`,
      );
    }

    const plan = resolvePlan(
      this.options.defaultPlan,
      this.#plans.get(kb.uuid),
      this.#nextJobPlans.get(kb.uuid),
    );
    this.#nextJobPlans.delete(kb.uuid);
    const job = createJobRecord({
      uuid: newUuid(),
      knowledgeBaseUuid: kb.uuid,
      sequence: this.#sequence++,
      createdAt: now,
      plan,
      dataSources,
    });
    this.#jobs.set(job.uuid, job);
    return job;
  }

  /** Cancels an active job; a finished one is left unchanged. */
  cancel(uuid: string, now: number): JobRecord {
    const job = this.get(uuid);
    cancelJob(job, now);
    return job;
  }

  /** The job, or a 404 API error. */
  get(uuid: string): JobRecord {
    const job = this.#jobs.get(uuid);
    if (!job) throw notFound(`indexing job ${uuid} not found`);
    return job;
  }

  find(uuid: string): JobRecord | undefined {
    return this.#jobs.get(uuid);
  }

  forget(uuid: string): void {
    this.#jobs.delete(uuid);
  }

  /** Every job, newest first. */
  all(): JobRecord[] {
    return [...this.#jobs.values()].sort((a, b) => b.sequence - a.sequence);
  }

  /** The jobs of one knowledge base, newest first. */
  jobsOf(kbUuid: string): JobRecord[] {
    return this.all().filter((job) => job.knowledgeBaseUuid === kbUuid);
  }

  /** The newest job that indexed this data source, with the data source's part of it. */
  lastRunOf(dsUuid: string): { job: JobRecord; run: DataSourceRun } | undefined {
    for (const job of this.all()) {
      const run = job.dataSources.find((candidate) => candidate.uuid === dsUuid);
      if (run) return { job, run };
    }
    return undefined;
  }

  #assertKnowledgeBase(kbUuid: string): void {
    if (!this.catalog.hasKnowledgeBase(kbUuid)) throw new Error(`unknown knowledge base ${kbUuid}`);
  }
}
