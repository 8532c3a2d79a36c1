/**
 * Public types of the API simulator. Response shapes are not retyped here: they come from the spec's
 * generated types (`../api/types`).
 */
import type { WireIndexingJob } from "../provider/api/types";
import type { Clock } from "../provider/clock";
import type { ApiFactOptions, ProvisioningOutcome } from "./fact-types";

export type {
  ApiFactOptions,
  JobListOrder,
  ProvisioningOutcome,
  SourceCounts,
  StartFault,
} from "./fact-types";

/** How a simulated indexing job ends. */
export type JobOutcome = "succeeded" | "no_changes" | "partial" | "failed" | "error";

/** How the indexed item counts of a running data source grow over its share of the job's duration. */
export type ProgressShape = "steady" | "erratic" | "stepwise" | "silent";

/** What the next indexing jobs started on a knowledge base will do. */
export interface JobPlan {
  /** Time from the start of RUNNING to the end of the job. Default 3000. */
  durationMs: number;
  /** Time spent PENDING before RUNNING. Default 500. */
  pendingMs: number;
  /** Default "succeeded". */
  outcome: JobOutcome;
  /**
   * For "partial", "failed" and "error": which data sources fail. Default: the job's last data source
   * for "partial", all of them otherwise.
   */
  failingDataSources?: string[];
  /** "steady": linear growth. "erratic": stalls and jumps, seeded from the job uuid, same end time. */
  progress: ProgressShape;
}

export interface SimulatorOptions extends ApiFactOptions {
  /** Default 0: a random free port. The server binds 127.0.0.1 only. */
  port?: number;
  /** Bearer token requests must carry. Default: a random `dop_v1_sim…` token. */
  token?: string;
  /** Source of all job timing and rate-limit windows. Default: the system clock. */
  clock?: Clock;
  /** Requests per token in a sliding 60 s window. Default 250; 0 or Infinity disables. */
  rateLimitPerMinute?: number;
  /** Requests per token in a sliding hour. Default 5000; 0 or Infinity disables. */
  rateLimitPerHour?: number;
  /** Overrides of the built-in job plan, for every knowledge base. */
  defaultJobPlan?: Partial<JobPlan>;
  /**
   * Status refusing a job start on a knowledge base that already runs one (the spec does not say which
   * the real API uses). Default 400, error id derived from the status ("bad_request" for 400).
   */
  concurrentStartStatus?: number;
  /**
   * Message of that refusal; `{kb}` is replaced by the knowledge base's uuid. Default
   * `knowledge base {kb} already has an indexing job running`, as DigitalOcean's says.
   */
  concurrentStartMessage?: string;
  /** Start the job of a schedule (scheduled indexing) when its time comes. Default true. */
  runSchedules?: boolean;
  /**
   * When set, a knowledge base created through the API (`POST /v2/gen-ai/knowledge_bases`) is new as
   * on DigitalOcean: its database provisions for this long (`database_status` `CREATING`, then
   * `ONLINE`), starts are refused meanwhile (`failed to get db creds`), and once ready it starts its
   * own indexing job of all its data sources. Default: unset, created knowledge bases are ready at once
   * and never index on their own. Seeded ones opt in with `KnowledgeBaseSeed.provisioningMs`.
   */
  provisioningMs?: number;
  /** Status refusing a start while the database provisions. Default 500. */
  provisioningStartStatus?: number;
  /**
   * `database_status` once provisioned. Default "ONLINE". A knowledge base that ends "UNHEALTHY" or
   * "DECOMMISSIONED" stays so, refuses every start as while provisioning and never indexes itself. When
   * not "ONLINE", knowledge bases created through the API provision even without `provisioningMs` (0 ms).
   */
  provisioningOutcome?: ProvisioningOutcome;
  /**
   * Answer 406 to a request whose `Accept` header excludes `application/json`, the spec's only media
   * type, as a server honouring it does. Default true.
   */
  checkAccept?: boolean;
}

export interface DataSourceSeed {
  uuid?: string;
  /** Number of files in the data source. Default 10. */
  items?: number;
  bucketName?: string;
  itemPath?: string;
}

export interface KnowledgeBaseSeed {
  uuid?: string;
  name?: string;
  region?: string;
  /** Default: one data source with default settings. Pass `[]` for a knowledge base without any. */
  dataSources?: DataSourceSeed[];
  /**
   * Seeds the knowledge base as just created: its database provisions for this long, then it starts
   * its own indexing job of all its data sources (see `SimulatorOptions.provisioningMs`).
   */
  provisioningMs?: number;
  /** `database_status` once provisioned (see `SimulatorOptions.provisioningOutcome`). */
  provisioningOutcome?: ProvisioningOutcome;
}

export interface SeededKnowledgeBase {
  uuid: string;
  dataSourceUuids: string[];
}

export interface FaultMatch {
  /** Case-insensitive. Any method when omitted. */
  method?: string;
  /** A string must equal the request path (without query); a RegExp is tested against it. */
  path?: string | RegExp;
}

export type FaultAction =
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "drop" }
  | { kind: "drop-after-processing" }
  /** The request is carried out, then answered with this status all the same (an edge gateway's 502). */
  | { kind: "status-after-processing"; status: number }
  /**
   * 429 as a rate limit answers, not counted against the limiter: `ratelimit-*` headers with a reset
   * `resetMs` ahead (default 2000), or with `retryAfterOnly` just `Retry-After` in seconds.
   */
  | { kind: "rate-limit"; resetMs?: number; retryAfterOnly?: boolean }
  | { kind: "latency"; ms: number }
  | { kind: "malformed-json" }
  | { kind: "unknown-enum" };

/** A misbehaviour applied to the next matching requests (`times`, default 1). */
export type Fault = { match?: FaultMatch; times?: number } & FaultAction;

export type FaultKind = FaultAction["kind"];

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /**
   * Status of the answer; for a dropped request 0, for "drop-after-processing" the status that was lost,
   * for "status-after-processing" the injected one.
   */
  status: number;
  /** The parsed JSON request body (the raw text when it was not valid JSON). */
  body?: unknown;
  /** Clock time at which the request arrived. */
  at: number;
  fault?: FaultKind;
}

export interface Simulator {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:43210`. */
  url: string;
  token: string;
  /** Every request, in arrival order. */
  requests: RequestLogEntry[];
  clearRequests(): void;
  seedKnowledgeBase(seed?: KnowledgeBaseSeed): SeededKnowledgeBase;
  addDataSource(kbUuid: string, seed?: DataSourceSeed): string;
  /** Removes a data source from its knowledge base, as the control panel or another stack would. */
  removeDataSource(kbUuid: string, dsUuid: string): void;
  /** Plan for every job started on that knowledge base from now on, until changed. */
  planJobs(kbUuid: string, plan: Partial<JobPlan>): void;
  /** One-shot plan for the next job started on that knowledge base; takes precedence over `planJobs`. */
  planNextJob(kbUuid: string, plan: Partial<JobPlan>): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** The job as the API would show it now, even one reads do not see yet (`readAfterWriteLagMs`). */
  job(uuid: string): WireIndexingJob | undefined;
  /** All known jobs, newest first, including those reads do not see yet. */
  jobs(): WireIndexingJob[];
  /** Makes the API forget a job: GET answers 404 and listings omit it. */
  forgetJob(uuid: string): void;
  close(): Promise<void>;
}
