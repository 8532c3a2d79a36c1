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
  /** Status refusing a start while a new knowledge base's database provisions. */
  provisioningStartStatus: number;
  /** The simulator's clock: a new knowledge base's own job appears when its database is ready. */
  now: () => number;
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
   * Makes the knowledge base new: its database provisions for `ms`, then it starts its own job of all
   * its data sources, as DigitalOcean indexes a knowledge base once created.
   */
  provision(kbUuid: string, now: number, ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`provisioningMs must be >= 0, got ${ms}`);
    const kb = this.catalog.knowledgeBase(kbUuid);
    kb.readyAt = now + ms;
    kb.indexOnReady = true;
  }

  /** `CREATING` while the knowledge base's database provisions, then `ONLINE`. */
  databaseStatus(kbUuid: string, now: number): "CREATING" | "ONLINE" {
    const kb = this.catalog.knowledgeBase(kbUuid);
    return kb.readyAt !== undefined && now < kb.readyAt ? "CREATING" : "ONLINE";
  }

  /**
   * Starts a job over the given data sources of a knowledge base (all of them when none are given).
   * Throws the API error the real service would answer with.
   */
  start(kbUuid: string, requestedDataSources: string[], now: number): JobRecord {
    this.#catchUp();
    const kb = this.catalog.knowledgeBase(kbUuid);
    if (kb.readyAt !== undefined && now < kb.readyAt) {
      const status = this.options.provisioningStartStatus;
      throw new ApiError(status, errorIdForStatus(status), "failed to get db creds: database is not ready");
    }
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
      // DigitalOcean's message names neither the running job nor, in its docs, a status.
      throw new ApiError(
        status,
        errorIdForStatus(status),
        `knowledge base ${kb.uuid} already has an indexing job running`,
      );
    }
    return this.#record(kb.uuid, dataSources, now);
  }

  #record(kbUuid: string, dataSources: { uuid: string; items: number }[], createdAt: number): JobRecord {
    const plan = resolvePlan(
      this.options.defaultPlan,
      this.#plans.get(kbUuid),
      this.#nextJobPlans.get(kbUuid),
    );
    this.#nextJobPlans.delete(kbUuid);
    const job = createJobRecord({
      uuid: newUuid(),
      knowledgeBaseUuid: kbUuid,
      sequence: this.#sequence++,
      createdAt,
      plan,
      dataSources,
    });
    this.#jobs.set(job.uuid, job);
    return job;
  }

  /**
   * Jobs are computed from the clock, nothing runs in the background: the own job of a new knowledge
   * base whose database became ready is recorded on the next look, dated when it became ready.
   */
  #catchUp(): void {
    const now = this.options.now();
    for (const kb of this.catalog.knowledgeBases()) {
      if (!kb.indexOnReady || kb.readyAt === undefined || kb.readyAt > now) continue;
      kb.indexOnReady = false;
      const dataSources = this.catalog
        .dataSourcesOf(kb.uuid)
        .map((ds) => ({ uuid: ds.uuid, items: ds.items }));
      if (dataSources.length > 0) this.#record(kb.uuid, dataSources, kb.readyAt);
    }
  }

  /** Cancels an active job; a finished one is left unchanged. */
  cancel(uuid: string, now: number): JobRecord {
    const job = this.get(uuid);
    cancelJob(job, now);
    return job;
  }

  /** The job, or a 404 API error. */
  get(uuid: string): JobRecord {
    this.#catchUp();
    const job = this.#jobs.get(uuid);
    if (!job) throw notFound(`indexing job ${uuid} not found`);
    return job;
  }

  find(uuid: string): JobRecord | undefined {
    this.#catchUp();
    return this.#jobs.get(uuid);
  }

  forget(uuid: string): void {
    this.#jobs.delete(uuid);
  }

  /** Every job, newest first. */
  all(): JobRecord[] {
    this.#catchUp();
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
