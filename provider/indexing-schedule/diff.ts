/**
 * IndexingSchedule's diff: pure, no API call. The API has no update for a schedule, so any change of
 * what it schedules replaces it (a new token or rate is recorded in place); and since a knowledge base has one schedule (the API reads it by knowledge
 * base), the old one is deleted before the new one is created.
 */
import type * as pulumi from "@pulumi/pulumi";
import { normalDays, type IndexingScheduleInputs } from "./inputs";

/** A preview's unknown list arrives as one sentinel string rather than an array. */
function daysKey(days: unknown): string {
  return Array.isArray(days) ? normalDays(days.map(Number)).join(",") : String(days);
}

export function diffSchedule(
  olds: Partial<IndexingScheduleInputs>,
  news: Partial<IndexingScheduleInputs>,
): pulumi.dynamic.DiffResult {
  const replaces: string[] = [];
  if ((olds.knowledgeBaseUuid ?? "").toLowerCase() !== (news.knowledgeBaseUuid ?? "").toLowerCase())
    replaces.push("knowledgeBaseUuid");
  if ((olds.time ?? "") !== (news.time ?? "")) replaces.push("time");
  if (daysKey(olds.days) !== daysKey(news.days)) replaces.push("days");
  if ((olds.apiEndpoint ?? "") !== (news.apiEndpoint ?? "")) replaces.push("apiEndpoint");
  // A new token or rate only changes how to reach the same schedule: recorded by an update, no API call.
  const updates = (["token", "requestsPerMinute"] as const).filter((key) => olds[key] !== news[key]);
  return {
    changes: replaces.length + updates.length > 0,
    replaces,
    stables: [],
    deleteBeforeReplace: replaces.length > 0,
  };
}
