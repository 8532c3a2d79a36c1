/**
 * The life of an IndexingSchedule: create posts the schedule, read finds it again through its
 * knowledge base (the API reads schedules by knowledge base only), delete removes it.
 */
import type { IndexingScheduleInfo } from "../api/types";
import type { GradientClient } from "../client";
import { hasStatus } from "../client/errors";
import { normalDays, type IndexingScheduleInputs } from "./inputs";
import { scheduleState, type IndexingScheduleState } from "./outputs";

export type ScheduleProviderInputs = IndexingScheduleInputs & { __provider?: string };

/** What the steps need from the provider: an API client, made on first use. */
export interface ScheduleContext {
  api(): GradientClient;
}

export async function createSchedule(
  ctx: ScheduleContext,
  inputs: ScheduleProviderInputs,
): Promise<{ id: string; outs: IndexingScheduleState }> {
  const info = await ctx.api().createIndexingSchedule({
    knowledgeBaseUuid: inputs.knowledgeBaseUuid,
    time: inputs.time,
    days: normalDays(inputs.days),
  });
  return { id: info.uuid ?? "", outs: scheduleState(inputs, info) };
}

/** Fresh outputs; undefined when the schedule is gone (deleted, replaced, or its knowledge base gone). */
export async function readSchedule(
  ctx: ScheduleContext,
  id: string,
  props: Partial<IndexingScheduleState> | undefined,
): Promise<IndexingScheduleState | undefined> {
  const knowledgeBaseUuid = props?.knowledgeBaseUuid;
  if (!knowledgeBaseUuid) {
    throw new Error(
      `Cannot read indexing schedule ${id} without its knowledgeBaseUuid: ` +
        "the API finds schedules by knowledge base only",
    );
  }
  let info: IndexingScheduleInfo;
  try {
    info = await ctx.api().getIndexingSchedule(knowledgeBaseUuid);
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
  const uuid = props?.uuid ?? id;
  if (info.uuid !== uuid || info.deleted_at) return undefined;
  return scheduleState(props ?? {}, info);
}

/** Deletes the schedule; one that is already gone needs nothing. */
export async function deleteSchedule(
  ctx: ScheduleContext,
  id: string,
  props: Partial<IndexingScheduleState>,
): Promise<void> {
  try {
    await ctx.api().deleteIndexingSchedule(props.uuid ?? id);
  } catch (error) {
    if (!hasStatus(error, 404)) throw error;
  }
}
