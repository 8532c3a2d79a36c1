import type { components } from "../provider/api/schema";
import type { Catalog } from "./catalog";
import type { JobBook } from "./job-book";
import type { Schedules } from "./schedules";

/** The simulated service's state, shared by the route handlers and the test-facing API. */
export interface Backend {
  catalog: Catalog;
  jobs: JobBook;
  schedules: Schedules;
  /** How long a knowledge base created through the API provisions; unset: ready at once. */
  provisioningMs?: number;
}

/** The spec's schemas, to type what each route answers. */
export type Schemas = components["schemas"];
