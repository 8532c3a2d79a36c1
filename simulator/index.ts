/**
 * A local stand-in for DigitalOcean's GenAI indexing API: a real HTTP server on 127.0.0.1 that answers
 * as the OpenAPI spec says, with jobs whose course the caller plans, rate limits and injectable faults.
 * All timing follows the given clock, so a `ManualClock` makes a run fully deterministic.
 */
import { systemClock } from "../provider/clock";
import { Catalog } from "./catalog";
import { FaultQueue, startFault } from "./faults";
import { JobBook } from "./job-book";
import { JobReads } from "./job-reads";
import { DEFAULT_JOB_VIEW, renderJob, type JobViewOptions } from "./job-view";
import { assertOutcome } from "./provisioning";
import { MAX_PER_PAGE } from "./pagination";
import { newToken } from "./random";
import { SlidingWindowRateLimiter } from "./ratelimit";
import { Router, type Route } from "./router";
import { KNOWLEDGE_BASE_JOBS_SHOWN, jobRoutes } from "./routes-jobs";
import { knowledgeBaseRoutes } from "./routes-knowledge-bases";
import { scheduledIndexingRoutes } from "./routes-scheduled-indexing";
import { Schedules } from "./schedules";
import { SimulatorServer } from "./server";
import type { RequestLogEntry, Simulator, SimulatorOptions } from "./types";
import { wireTime } from "./wire-time";

export type {
  DataSourceSeed,
  Fault,
  FaultAction,
  FaultKind,
  FaultMatch,
  JobOutcome,
  JobPlan,
  KnowledgeBaseSeed,
  ProgressShape,
  ProvisioningOutcome,
  RequestLogEntry,
  SeededKnowledgeBase,
  Simulator,
  SimulatorOptions,
  SourceCounts,
  StartFault,
} from "./types";
export { BUILT_IN_JOB_PLAN } from "./plan";
export { REAL_API_PRESET } from "./preset";
export { ManualClock } from "./manual-clock";
export { START_FAULTS } from "./faults";
export { KNOWLEDGE_BASE_JOBS_SHOWN } from "./routes-jobs";

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 250;
export const DEFAULT_RATE_LIMIT_PER_HOUR = 5000;
export const DEFAULT_CONCURRENT_START_STATUS = 400;
export const DEFAULT_PROVISIONING_START_STATUS = 500;
export const DEFAULT_CONCURRENT_START_MESSAGE = "knowledge base {kb} already has an indexing job running";

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const token = options.token ?? newToken();
  const catalog = new Catalog();
  const jobs = new JobBook(catalog, {
    defaultPlan: options.defaultJobPlan,
    concurrentStartStatus: options.concurrentStartStatus ?? DEFAULT_CONCURRENT_START_STATUS,
    concurrentStartMessage: options.concurrentStartMessage ?? DEFAULT_CONCURRENT_START_MESSAGE,
    provisioningStartStatus: options.provisioningStartStatus ?? DEFAULT_PROVISIONING_START_STATUS,
    now: () => clock.now(),
    cancelDelayMs: options.cancelDelayMs ?? 0,
    ...(options.cancelRefusedStatus !== undefined && { cancelRefusedStatus: options.cancelRefusedStatus }),
    reindexOnDataSourceDelete: options.reindexOnDataSourceDelete ?? false,
  });
  if (options.provisioningOutcome !== undefined) assertOutcome(options.provisioningOutcome);
  const view = jobView(options);
  const backend = {
    catalog,
    jobs,
    reads: new JobReads(jobs, options.readAfterWriteLagMs ?? 0),
    schedules: new Schedules(),
    view,
    knowledgeBaseJobsShown: jobsShown(options.knowledgeBaseJobsShown),
    jobList: {
      order: options.jobListOrder ?? "newest-first",
      maxPerPage: positive("jobListMaxPerPage", options.jobListMaxPerPage ?? MAX_PER_PAGE),
      omitsSourceJobs: options.jobListOmitsSourceJobs ?? false,
    },
    provisioningMs: options.provisioningMs,
    provisioningOutcome: options.provisioningOutcome,
  };
  const { schedules } = backend;
  // Scheduled runs start as the clock passes their time, seen on each request (see Schedules.runDue).
  const runSchedules = options.runSchedules ?? true;
  const withDueSchedules = (route: Route): Route => ({
    ...route,
    handler: (request) => {
      if (runSchedules) schedules.runDue(request.now, (kbUuid) => jobs.start(kbUuid, [], request.now));
      return route.handler(request);
    },
  });
  const faults = new FaultQueue();
  for (const entry of options.startFaults ?? []) faults.inject(startFault(entry));
  const requests: RequestLogEntry[] = [];
  const server = new SimulatorServer({
    token,
    clock,
    limiter: new SlidingWindowRateLimiter(
      options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
      options.rateLimitPerHour ?? DEFAULT_RATE_LIMIT_PER_HOUR,
    ),
    router: new Router(
      [...jobRoutes(backend), ...knowledgeBaseRoutes(backend), ...scheduledIndexingRoutes(backend)].map(
        withDueSchedules,
      ),
    ),
    faults,
    requests,
    checkAccept: options.checkAccept ?? true,
    jobReadLatencyMs: nonNegative("jobReadLatencyMs", options.jobReadLatencyMs ?? 0),
  });
  const url = await server.listen(options.port ?? 0);

  return {
    url,
    token,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    seedKnowledgeBase: (seed = {}) => {
      const now = clock.now();
      const kb = catalog.addKnowledgeBase(seed, now);
      const dataSourceUuids = (seed.dataSources ?? [{}]).map(
        (ds) => catalog.addDataSource(kb.uuid, ds, now).uuid,
      );
      if (seed.provisioningMs !== undefined || seed.provisioningOutcome !== undefined) {
        const outcome = seed.provisioningOutcome ?? options.provisioningOutcome;
        jobs.provision(kb.uuid, now, seed.provisioningMs ?? 0, outcome);
      }
      return { uuid: kb.uuid, dataSourceUuids };
    },
    addDataSource: (kbUuid, seed = {}) => catalog.addDataSource(kbUuid, seed, clock.now()).uuid,
    removeDataSource: (kbUuid, dsUuid) => jobs.deleteDataSource(kbUuid, dsUuid, clock.now()),
    planJobs: (kbUuid, plan) => jobs.planJobs(kbUuid, plan),
    planNextJob: (kbUuid, plan) => jobs.planNextJob(kbUuid, plan),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    job: (uuid) => {
      const job = jobs.find(uuid);
      return job && renderJob(job, clock.now(), view);
    },
    jobs: () => jobs.all().map((job) => renderJob(job, clock.now(), view)),
    forgetJob: (uuid) => jobs.forget(uuid),
    close: () => server.close(),
  };
}

function jobView(options: SimulatorOptions): JobViewOptions {
  const sourceCounts = options.sourceCounts ?? DEFAULT_JOB_VIEW.sourceCounts;
  if (sourceCounts !== "live" && sourceCounts !== "at-end") {
    throw new RangeError(`sourceCounts must be "live" or "at-end", got ${String(sourceCounts)}`);
  }
  return {
    time: wireTime({ skewMs: options.timestampSkewMs, subSecond: options.subSecondTimestamps }),
    legacyJobCounts: options.legacyJobCounts ?? DEFAULT_JOB_VIEW.legacyJobCounts,
    sourceCounts,
    runningStatus: options.runningStatus ?? DEFAULT_JOB_VIEW.runningStatus,
    runningPhase: options.runningPhase ?? DEFAULT_JOB_VIEW.runningPhase,
  };
}

function nonNegative(name: string, ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`${name} must be >= 0, got ${ms}`);
  return ms;
}

function positive(name: string, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`${name} must be >= 1, got ${n}`);
  return n;
}

function jobsShown(n = KNOWLEDGE_BASE_JOBS_SHOWN): number {
  if (!(Number.isSafeInteger(n) && n >= 0))
    throw new RangeError(`knowledgeBaseJobsShown must be >= 0, got ${n}`);
  return n;
}
