/**
 * Drift of an IndexingJob in index-all mode (no `dataSourceUuids`): the job indexed every data source
 * its knowledge base had then; when one is added or removed later, the index is stale. Create and read
 * record the knowledge base's current data sources (`knowledgeBaseDataSourceUuids`) beside the job's
 * own (`jobDataSourceUuids`), and diff compares the two without an API call.
 */
import type { GradientClient } from "../client";
import { hasStatus } from "../client/errors";
import { dataSourceSet } from "./inputs";
import type { IndexingJobState } from "./outputs";
import { consolePrint } from "../host/console";

/** Index-all mode: no data sources named (a preview's unknown list names some, maybe). */
function indexesAll(ids: unknown): boolean {
  return ids === undefined || ids === null || (Array.isArray(ids) && ids.length === 0);
}

/**
 * `state` with `knowledgeBaseDataSourceUuids` set to the knowledge base's data sources now, in
 * index-all mode (other states come back as they are). A knowledge base the API no longer knows
 * records nothing. With `bestEffort` (after a job succeeded) any other failure only warns: the job
 * is done, and a missing set merely leaves drift unseen until the next refresh.
 */
export async function withKnowledgeBaseDataSources(
  api: GradientClient,
  state: IndexingJobState,
  bestEffort = false,
): Promise<IndexingJobState> {
  if (!indexesAll(state.dataSourceUuids)) return state;
  let ids: string[];
  try {
    ids = await api.knowledgeBaseDataSourceUuids(state.knowledgeBaseUuid);
  } catch (error) {
    if (hasStatus(error, 404)) return state;
    if (!bestEffort) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    consolePrint(`warning: could not list the knowledge base's data sources (drift stays unseen): ${reason}`);
    return state;
  }
  return { ...state, knowledgeBaseDataSourceUuids: ids.sort() };
}

/** The data sources the recorded job indexed: as the job lists them, else from its data source jobs. */
export function indexedDataSources(state: Partial<IndexingJobState>): string[] {
  if (Array.isArray(state.jobDataSourceUuids) && state.jobDataSourceUuids.length > 0)
    return dataSourceSet(state.jobDataSourceUuids);
  const fromJobs = (Array.isArray(state.dataSourceJobs) ? state.dataSourceJobs : []).map(
    (job) => job.dataSourceUuid,
  );
  return dataSourceSet(fromJobs.filter((id): id is string => typeof id === "string" && id !== ""));
}

/**
 * Pure. True when, in index-all mode before and after, the knowledge base's recorded data sources
 * differ from those the job indexed. A state without the record (written before it existed, or by a
 * create that could not list) or without the job's data sources shows no drift.
 */
export function hasDataSourceDrift(olds: Partial<IndexingJobState>, newDataSourceUuids: unknown): boolean {
  const current = olds.knowledgeBaseDataSourceUuids;
  if (!Array.isArray(current) || !indexesAll(olds.dataSourceUuids) || !indexesAll(newDataSourceUuids))
    return false;
  const indexed = indexedDataSources(olds).map((id) => id.toLowerCase());
  if (indexed.length === 0) return false;
  const now = dataSourceSet(current.map((id) => id.toLowerCase()));
  return now.length !== indexed.length || now.some((id) => !indexed.includes(id));
}
