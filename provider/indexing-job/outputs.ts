/**
 * The resource's outputs: the inputs, and every field of the API's indexing job camelCased, with
 * counts as numbers. Derived from the API types, so a field added to the spec shows up here too.
 */
import type { IndexedDataSource, IndexingJob } from "../api/types";
import { INPUT_NAMES, type IndexingJobInputs, type JobSettings } from "./inputs";
import { outcomeOf } from "../waiting/outcome";
import type { UnconfirmedStart } from "./start-decision";

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
type CamelKeys<T> = { [K in keyof T as K extends string ? CamelCase<K> : never]: T[K] };

export type DataSourceJobOutput = CamelKeys<IndexedDataSource>;

/**
 * The job's fields. Its `data_source_uuids` becomes `jobDataSourceUuids`, since `dataSourceUuids` is
 * the input (empty when all data sources are indexed).
 */
export type JobOutputs = CamelKeys<Omit<IndexingJob, "data_source_jobs" | "data_source_uuids">> & {
  dataSourceJobs?: DataSourceJobOutput[];
  jobDataSourceUuids?: string[];
  /**
   * Index-all mode only: the knowledge base's data sources as of the last create or refresh, compared
   * with `jobDataSourceUuids` by diff (see drift.ts). Not an API field.
   */
  knowledgeBaseDataSourceUuids?: string[];
  /**
   * This resource started the job (or took a new knowledge base's own first indexing as its run): only
   * then do destroy and an interrupt cancel it. Absent in states written before it existed: taken as true.
   * Not an API field.
   */
  ownJob?: boolean;
  /**
   * A start whose answer was lost, and whose job was not found before the deadline: when it was sent and
   * which jobs existed before it, so that the next `up`, `refresh` or `destroy` finds that job. Not an
   * API field.
   */
  unconfirmedStart?: UnconfirmedStart;
};

export type IndexingJobState = IndexingJobInputs & JobOutputs;

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Keys camelCased, undefined values dropped (the engine's wire format has no undefined). */
function camelKeys(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[camelCase(key)] = field;
  }
  return out;
}

/**
 * A job-wide total from its data source jobs, only when every one of them reports it: the API may send
 * a data source's counts only once it finished, and a sum over some of them would claim too little.
 */
function sum(sources: readonly IndexedDataSource[], field: keyof IndexedDataSource): number | undefined {
  const counts = sources.map((s) => s[field]);
  if (counts.length === 0 || !counts.every((v): v is number => typeof v === "number")) return undefined;
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * The job as outputs. The spec (November 2025) dropped the job-level item totals: when the API does not
 * send them, they are summed from the data source jobs where those say, and left out where nothing does.
 */
export function jobOutputs(job: IndexingJob): JobOutputs {
  const { data_source_jobs: sources = [], data_source_uuids, ...fields } = job;
  const outputs = camelKeys(fields) as JobOutputs;
  outputs.totalItemsIndexed ??= sum(sources, "indexed_item_count");
  outputs.totalItemsFailed ??= sum(sources, "failed_item_count");
  outputs.totalItemsSkipped ??= sum(sources, "skipped_item_count");
  if (data_source_uuids) outputs.jobDataSourceUuids = data_source_uuids;
  outputs.dataSourceJobs = sources.map((s) => camelKeys(s) as DataSourceJobOutput);
  return camelKeys(outputs) as JobOutputs;
}

/**
 * `state` with its inputs replaced by `inputs` (an input `inputs` leaves out is removed). What Pulumi
 * stores is compared by the next `diff` against the next inputs, so inputs must come back unchanged.
 */
export function withInputs(
  state: Partial<IndexingJobState>,
  inputs: Partial<IndexingJobInputs>,
): IndexingJobState {
  const out: Record<string, unknown> = { ...state };
  delete out.__provider;
  for (const key of INPUT_NAMES) {
    delete out[key];
    const value = (inputs as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as unknown as IndexingJobState;
}

/** The job's fields with the inputs: what create and update return. */
export function stateOf(inputs: Partial<IndexingJobInputs>, job: IndexingJob): IndexingJobState {
  return withInputs(jobOutputs(job), inputs);
}

/** The job fields of a stored state, in the API's terms again (for deciding what a job's state means). */
export function jobOfState(state: Partial<JobOutputs>): IndexingJob {
  return {
    uuid: state.uuid,
    phase: state.phase,
    status: state.status,
    finished_at: state.finishedAt,
    knowledge_base_uuid: state.knowledgeBaseUuid,
  };
}

/** Did the run recorded in `state` end in a way these settings accept? */
export function acceptsRun(
  state: Partial<IndexingJobState>,
  settings: Pick<JobSettings, "waitForCompletion" | "failOnPartial">,
): boolean {
  if (!state.uuid) return false;
  const outcome = outcomeOf(jobOfState(state));
  if (outcome === "running") return !settings.waitForCompletion;
  return outcome === "succeeded" || (outcome === "partial" && !settings.failOnPartial);
}

/**
 * Whether destroy and an interrupt may cancel the recorded job: this resource started it. States
 * written before ownership was recorded hold only jobs this resource started.
 */
export function isOwned(state: Partial<JobOutputs> | undefined): boolean {
  return state?.ownJob ?? true;
}
