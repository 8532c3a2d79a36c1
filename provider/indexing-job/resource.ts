/**
 * IndexingJob: a knowledge base indexing run as a Pulumi resource. Creating it starts an indexing job
 * and waits for it; a change of what to index (knowledge base, data sources, triggers) runs a new one.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JobPhase, JobStatus } from "../api/types";
import { KnowledgeBaseResource, type ApiArgs } from "../host/resource-base";
import type { DataSourceJobOutput, JobOutputs } from "./outputs";
import type { PollInput } from "./poll-input";
import type { UnconfirmedStart } from "./start-decision";
import { IndexingJobProvider } from "./provider";

export interface IndexingJobArgs extends ApiArgs {
  /** The knowledge base to index. */
  knowledgeBaseUuid: pulumi.Input<string>;
  /** Data sources to index; omitted or empty: all of the knowledge base's data sources. */
  dataSourceUuids?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Any JSON value; a change runs a new indexing job (as pulumi-command's `triggers`). A content hash
   * of the indexed files is the usual choice.
   */
  triggers?: pulumi.Input<unknown>;
  /** How long to wait for the job: `"90s"`, `"45m"`, `"2h"`. Default `"1h"`. */
  timeout?: pulumi.Input<string>;
  /** Wait until the job ends (default true); false returns as soon as it started. */
  waitForCompletion?: pulumi.Input<boolean>;
  /** Fail the deployment when only some data sources were indexed (default false: warn). */
  failOnPartial?: pulumi.Input<boolean>;
  /**
   * When the deployment is interrupted (second Ctrl-C) while waiting for the job, cancel it (default
   * true); false leaves it running.
   */
  cancelOnInterrupt?: pulumi.Input<boolean>;
  /**
   * Poll timing, in milliseconds, as DigitalOcean's SDK waiter has it: every `firstDelayMs` (default
   * 5000) `firstDelayRepeats` times (3), then doubling up to `maxDelayMs` (30000); each at least 1000.
   * A change is an in-place update.
   */
  poll?: pulumi.Input<PollInput>;
}

/**
 * Every output beyond the inputs, each to be registered for Pulumi to expose it. Typed against the
 * outputs, so that the compiler says when the two part.
 */
const OUTPUTS: { [K in keyof Required<JobOutputs>]: undefined } = {
  uuid: undefined,
  phase: undefined,
  status: undefined,
  createdAt: undefined,
  startedAt: undefined,
  finishedAt: undefined,
  updatedAt: undefined,
  totalDatasources: undefined,
  completedDatasources: undefined,
  totalItemsIndexed: undefined,
  totalItemsFailed: undefined,
  totalItemsSkipped: undefined,
  totalTokens: undefined,
  tokens: undefined,
  isReportAvailable: undefined,
  knowledgeBaseUuid: undefined,
  jobDataSourceUuids: undefined,
  knowledgeBaseDataSourceUuids: undefined,
  dataSourceJobs: undefined,
  ownJob: undefined,
  unconfirmedStart: undefined,
};

let sharedProvider: IndexingJobProvider | undefined;

export class IndexingJob extends KnowledgeBaseResource {
  declare readonly dataSourceUuids: pulumi.Output<string[] | undefined>;
  declare readonly triggers: pulumi.Output<unknown>;
  declare readonly timeout: pulumi.Output<string | undefined>;
  declare readonly waitForCompletion: pulumi.Output<boolean | undefined>;
  declare readonly failOnPartial: pulumi.Output<boolean | undefined>;
  declare readonly cancelOnInterrupt: pulumi.Output<boolean | undefined>;
  declare readonly poll: pulumi.Output<PollInput | undefined>;

  /** The indexing job's UUID (the latest run's, when an update ran a new one). */
  declare readonly uuid: pulumi.Output<string>;
  /** `BATCH_JOB_PHASE_*` (a value newer than the spec passes through as it is). */
  declare readonly phase: pulumi.Output<JobPhase>;
  /** `INDEX_JOB_STATUS_*` (a value newer than the spec passes through as it is). */
  declare readonly status: pulumi.Output<JobStatus>;
  declare readonly createdAt: pulumi.Output<string | undefined>;
  declare readonly startedAt: pulumi.Output<string | undefined>;
  declare readonly finishedAt: pulumi.Output<string | undefined>;
  declare readonly updatedAt: pulumi.Output<string | undefined>;
  declare readonly totalDatasources: pulumi.Output<number | undefined>;
  declare readonly completedDatasources: pulumi.Output<number | undefined>;
  declare readonly totalItemsIndexed: pulumi.Output<number | undefined>;
  declare readonly totalItemsFailed: pulumi.Output<number | undefined>;
  declare readonly totalItemsSkipped: pulumi.Output<number | undefined>;
  declare readonly totalTokens: pulumi.Output<number | undefined>;
  /** Deprecated by the API in favour of `totalTokens`. */
  declare readonly tokens: pulumi.Output<number | undefined>;
  declare readonly isReportAvailable: pulumi.Output<boolean | undefined>;
  /** The data sources the job indexed, as the API reports them. */
  declare readonly jobDataSourceUuids: pulumi.Output<string[] | undefined>;
  /**
   * Without `dataSourceUuids`: the knowledge base's data sources as of the last create or refresh.
   * When they differ from `jobDataSourceUuids`, the next `pulumi up` runs a new job.
   */
  declare readonly knowledgeBaseDataSourceUuids: pulumi.Output<string[] | undefined>;
  declare readonly dataSourceJobs: pulumi.Output<DataSourceJobOutput[]>;
  /**
   * This resource started the job (or took a new knowledge base's own first indexing as its run): only
   * such a job is cancelled by `pulumi destroy` or an interrupted deploy.
   */
  declare readonly ownJob: pulumi.Output<boolean | undefined>;
  /**
   * Set only while a start whose answer was lost has not been matched to its job: when it was sent and
   * which jobs existed before it. The next `up`, `refresh` or `destroy` looks for that job.
   */
  declare readonly unconfirmedStart: pulumi.Output<UnconfirmedStart | undefined>;

  constructor(name: string, args: IndexingJobArgs, opts?: pulumi.CustomResourceOptions) {
    // One provider object for every IndexingJob: Pulumi serializes each provider object once.
    sharedProvider ??= new IndexingJobProvider();
    super(sharedProvider, "IndexingJob", name, args, OUTPUTS, opts);
  }
}
