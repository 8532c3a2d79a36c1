import type { components } from "../provider/api/schema";
import type { Catalog } from "./catalog";
import type { JobBook } from "./job-book";
import type { JobReads } from "./job-reads";
import type { JobViewOptions } from "./job-view";
import type { Schedules } from "./schedules";
import type { JobListOrder, ProvisioningOutcome } from "./types";

/** The simulated service's state, shared by the route handlers and the test-facing API. */
export interface Backend {
  catalog: Catalog;
  jobs: JobBook;
  /** The jobs as reads see them (a job just created may not be readable yet). */
  reads: JobReads;
  schedules: Schedules;
  /** How jobs and timestamps are shown. */
  view: JobViewOptions;
  /** How many of its latest jobs a knowledge base's job list shows. */
  knowledgeBaseJobsShown: number;
  /** The account's job list: its order and its largest page. */
  jobList: { order: JobListOrder; maxPerPage: number; omitsSourceJobs: boolean };
  /** How long a knowledge base created through the API provisions; unset: ready at once. */
  provisioningMs?: number;
  /** What its database becomes once provisioned; unset: ONLINE. */
  provisioningOutcome?: ProvisioningOutcome;
}

/** The spec's schemas, to type what each route answers. */
export type Schemas = components["schemas"];
