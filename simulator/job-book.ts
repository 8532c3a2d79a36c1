/** All indexing jobs, the plans for the next ones, and the rules for starting and cancelling. */
import type { Catalog } from "./catalog";
import { ApiError, badRequest, errorIdForStatus, notFound } from "./errors";
import { cancelJob, createJobRecord, endJobAt, isJobActive, type JobRecord } from "./job-timeline";
import { assertValidPlan, resolvePlan } from "./plan";
import { databaseRefusal, databaseStatus, provision, type DatabaseStatus } from "./provisioning";
import { newUuid } from "./random";
import type { JobPlan, ProvisioningOutcome } from "./types";

export interface JobBookOptions {
  defaultPlan?: Partial<JobPlan>;
  /** Status refusing a start on a knowledge base that already runs a job. */
  concurrentStartStatus: number;
  /** Message of that refusal; `{kb}` stands for the knowledge base's uuid. */
  concurrentStartMessage: string;
  /** Status refusing a start while a new knowledge base's database provisions, or is not ONLINE. */
  provisioningStartStatus: number;
  /** The simulator's clock: a new knowledge base's own job appears when its database is ready. */
  now: () => number;
  /** How long after a cancel the job turns CANCELLED. */
  cancelDelayMs: number;
  /** When set, every cancel meets the job's end: the job ends then, and the cancel is refused so. */
  cancelRefusedStatus?: number;
  /** Deleting a data source reindexes the remaining ones. */
  reindexOnDataSourceDelete: boolean;
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
    const delay = options.cancelDelayMs;
    if (!(Number.isFinite(delay) && delay >= 0))
      throw new RangeError(`cancelDelayMs must be >= 0, got ${delay}`);
    const refused = options.cancelRefusedStatus;
    if (refused !== undefined && !(Number.isInteger(refused) && refused >= 400 && refused <= 599))
      throw new RangeError(`cancelRefusedStatus must be an HTTP error status (400-599), got ${refused}`);
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
   * Makes the knowledge base new: its database provisions for `ms`, then, if ONLINE, it starts its own
   * job of all its data sources, as DigitalOcean indexes a knowledge base once created.
   */
  provision(kbUuid: string, now: number, ms: number, outcome?: ProvisioningOutcome): void {
    provision(this.catalog.knowledgeBase(kbUuid), now, ms, outcome);
  }

  /** `CREATING` while the knowledge base's database provisions, then what it provisioned to. */
  databaseStatus(kbUuid: string, now: number): DatabaseStatus {
    return databaseStatus(this.catalog.knowledgeBase(kbUuid), now);
  }

  /**
   * Starts a job over the given data sources of a knowledge base (all of them when none are given).
   * Throws the API error the real service would answer with.
   */
  start(kbUuid: string, requestedDataSources: string[], now: number): JobRecord {
    this.#catchUp();
    const kb = this.catalog.knowledgeBase(kbUuid);
    const refusal = databaseRefusal(kb, now);
    if (refusal !== undefined) {
      const status = this.options.provisioningStartStatus;
      throw new ApiError(status, errorIdForStatus(status), refusal);
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
      const message = this.options.concurrentStartMessage.replaceAll("{kb}", kb.uuid);
      throw new ApiError(status, errorIdForStatus(status), message);
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

  /**
   * Deletes a data source. With `reindexOnDataSourceDelete` the knowledge base then indexes its
   * remaining data sources, as DigitalOcean does, unless it is busy, not ONLINE, or has none left.
   */
  deleteDataSource(kbUuid: string, dsUuid: string, now: number): void {
    this.catalog.deleteDataSource(kbUuid, dsUuid);
    if (!this.options.reindexOnDataSourceDelete) return;
    if (databaseStatus(this.catalog.knowledgeBase(kbUuid), now) !== "ONLINE") return;
    if (this.jobsOf(kbUuid).some((job) => isJobActive(job, now))) return;
    const remaining = this.catalog.dataSourcesOf(kbUuid).map((ds) => ({ uuid: ds.uuid, items: ds.items }));
    if (remaining.length > 0) this.#record(kbUuid, remaining, now);
  }

  /**
   * Cancels an active job (taking effect `cancelDelayMs` later); a finished one is left unchanged. With
   * `cancelRefusedStatus`, the cancel arrives as the job ends: an active job ends now as planned, and
   * the cancel (of it, or of any job already ended) is refused with that status.
   */
  cancel(uuid: string, now: number): JobRecord {
    const job = this.get(uuid);
    const refused = this.options.cancelRefusedStatus;
    if (refused !== undefined) {
      endJobAt(job, now);
      throw new ApiError(refused, errorIdForStatus(refused), `indexing job ${uuid} is not running`);
    }
    cancelJob(job, now, this.options.cancelDelayMs);
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

  #assertKnowledgeBase(kbUuid: string): void {
    if (!this.catalog.hasKnowledgeBase(kbUuid)) throw new Error(`unknown knowledge base ${kbUuid}`);
  }
}
