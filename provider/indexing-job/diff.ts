/**
 * diff: pure, no API call. A new run of the indexer is a new job, so a change of what to index
 * (knowledge base, the set of data sources, triggers) replaces the resource; a change of how to wait
 * is an in-place update.
 */
import type * as pulumi from "@pulumi/pulumi";
import { hasDataSourceDrift } from "./drift";
import { DEFAULT_TIMEOUT, dataSourceSet, type IndexingJobInputs } from "./inputs";
import { isRunning, outcomeOf } from "../waiting/outcome";
import { isOwned, jobOfState, type IndexingJobState } from "./outputs";

/** JSON with object keys sorted, so that key order never counts as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** A preview's unknown list arrives as one sentinel string rather than an array. */
function asList(ids: unknown): string[] {
  if (Array.isArray(ids)) return ids.map(String);
  return ids === undefined || ids === null ? [] : [String(ids)];
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = new Set(dataSourceSet(a).map((id) => id.toLowerCase()));
  const right = new Set(dataSourceSet(b).map((id) => id.toLowerCase()));
  return left.size === right.size && [...left].every((id) => right.has(id));
}

export function diffInputs(
  olds: Partial<IndexingJobState>,
  news: Partial<IndexingJobInputs>,
): pulumi.dynamic.DiffResult {
  const replaces: string[] = [];
  if ((olds.knowledgeBaseUuid ?? "").toLowerCase() !== (news.knowledgeBaseUuid ?? "").toLowerCase())
    replaces.push("knowledgeBaseUuid");
  const oldSources = asList(olds.dataSourceUuids);
  const newSources = asList(news.dataSourceUuids);
  if (!sameSet(oldSources, newSources)) replaces.push("dataSourceUuids");
  if (canonical(olds.triggers) !== canonical(news.triggers)) replaces.push("triggers");
  // Index-all mode: a data source added to or removed from the knowledge base since the job (as seen
  // by the last refresh) needs a new run.
  if (replaces.length === 0 && hasDataSourceDrift(olds, news.dataSourceUuids))
    replaces.push("knowledgeBaseDataSourceUuids");

  const updates: string[] = [];
  if ((olds.timeout ?? DEFAULT_TIMEOUT) !== (news.timeout ?? DEFAULT_TIMEOUT)) updates.push("timeout");
  if ((olds.waitForCompletion ?? true) !== (news.waitForCompletion ?? true))
    updates.push("waitForCompletion");
  if ((olds.failOnPartial ?? false) !== (news.failOnPartial ?? false)) updates.push("failOnPartial");
  if ((olds.cancelOnInterrupt ?? true) !== (news.cancelOnInterrupt ?? true))
    updates.push("cancelOnInterrupt");
  if (canonical(olds.poll ?? {}) !== canonical(news.poll ?? {})) updates.push("poll");
  // Another endpoint is another API, where the recorded job does not exist: a new run. A new token or
  // rate only changes how to reach the same one.
  if ((olds.apiEndpoint ?? "") !== (news.apiEndpoint ?? "")) replaces.push("apiEndpoint");
  if ((olds.token ?? "") !== (news.token ?? "")) updates.push("token");
  if (olds.requestsPerMinute !== news.requestsPerMinute) updates.push("requestsPerMinute");

  // failOnPartial turned on after a PARTIAL run needs a new run: a replace says so, where an update
  // would have to start one silently. waitForCompletion turned on needs none: the update waits for
  // the recorded job (updateJob), which still runs or decides by how it ended.
  const partial = outcomeOf(jobOfState(olds)) === "partial";
  if (replaces.length === 0 && partial && updates.includes("failOnPartial") && news.failOnPartial === true)
    replaces.push("failOnPartial");

  return {
    changes: replaces.length + updates.length > 0,
    replaces,
    stables: [],
    // A job of ours that may still run is superseded: delete (cancel) it first, so that the new run
    // starts as soon as the API lets it, rather than after the old one ends.
    deleteBeforeReplace:
      replaces.length > 0 && olds.uuid !== undefined && isOwned(olds) && isRunning(jobOfState(olds)),
  };
}
