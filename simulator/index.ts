/**
 * A local stand-in for DigitalOcean's GenAI indexing API: a real HTTP server on 127.0.0.1 that answers
 * as the OpenAPI spec says, with jobs whose course the caller plans, rate limits and injectable faults.
 * All timing follows the given clock, so a `ManualClock` makes a run fully deterministic.
 */
import { systemClock } from "../provider/clock";
import { Catalog } from "./catalog";
import { FaultQueue } from "./faults";
import { JobBook } from "./job-book";
import { renderJob } from "./job-view";
import { newToken } from "./random";
import { SlidingWindowRateLimiter } from "./ratelimit";
import { Router, type Route } from "./router";
import { jobRoutes } from "./routes-jobs";
import { knowledgeBaseRoutes } from "./routes-knowledge-bases";
import { scheduledIndexingRoutes } from "./routes-scheduled-indexing";
import { Schedules } from "./schedules";
import { SimulatorServer } from "./server";
import type { RequestLogEntry, Simulator, SimulatorOptions } from "./types";

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
  RequestLogEntry,
  SeededKnowledgeBase,
  Simulator,
  SimulatorOptions,
} from "./types";
export { BUILT_IN_JOB_PLAN } from "./plan";

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 250;
export const DEFAULT_RATE_LIMIT_PER_HOUR = 5000;
export const DEFAULT_CONCURRENT_START_STATUS = 400;
export const DEFAULT_PROVISIONING_START_STATUS = 500;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const token = options.token ?? newToken();
  const catalog = new Catalog();
  const jobs = new JobBook(catalog, {
    defaultPlan: options.defaultJobPlan,
    concurrentStartStatus: options.concurrentStartStatus ?? DEFAULT_CONCURRENT_START_STATUS,
    provisioningStartStatus: options.provisioningStartStatus ?? DEFAULT_PROVISIONING_START_STATUS,
    now: () => clock.now(),
  });
  const schedules = new Schedules();
  const backend = { catalog, jobs, schedules, provisioningMs: options.provisioningMs };
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
      if (seed.provisioningMs !== undefined) jobs.provision(kb.uuid, now, seed.provisioningMs);
      return { uuid: kb.uuid, dataSourceUuids };
    },
    addDataSource: (kbUuid, seed = {}) => catalog.addDataSource(kbUuid, seed, clock.now()).uuid,
    removeDataSource: (kbUuid, dsUuid) => catalog.deleteDataSource(kbUuid, dsUuid),
    planJobs: (kbUuid, plan) => jobs.planJobs(kbUuid, plan),
    planNextJob: (kbUuid, plan) => jobs.planNextJob(kbUuid, plan),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    job: (uuid) => {
      const job = jobs.find(uuid);
      return job && renderJob(job, clock.now());
    },
    jobs: () => jobs.all().map((job) => renderJob(job, clock.now())),
    forgetJob: (uuid) => jobs.forget(uuid),
    close: () => server.close(),
  };
}
