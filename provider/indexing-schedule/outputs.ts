/**
 * IndexingSchedule's outputs: the inputs as given, and the schedule's fields from the API camelCased.
 */
import type { IndexingScheduleInfo } from "../api/types";
import { SCHEDULE_INPUT_NAMES, type IndexingScheduleInputs } from "./inputs";

export interface ScheduleOutputs {
  uuid: string;
  isActive?: boolean;
  lastRanAt?: string;
  nextRunAt?: string;
  createdAt?: string;
  updatedAt?: string;
}

export type IndexingScheduleState = IndexingScheduleInputs & ScheduleOutputs;

/**
 * The state Pulumi stores: the inputs unchanged (the next diff compares them with the next inputs;
 * the API shows the time as HH:MM:SS) and the schedule's fields. Undefined values are dropped, since
 * the engine's wire format has none.
 */
export function scheduleState(
  inputs: Partial<IndexingScheduleInputs>,
  info: IndexingScheduleInfo,
): IndexingScheduleState {
  const out: Record<string, unknown> = {};
  for (const key of SCHEDULE_INPUT_NAMES) {
    const value = (inputs as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  const fields: Record<string, unknown> = {
    uuid: info.uuid,
    isActive: info.is_active,
    lastRanAt: info.last_ran_at,
    nextRunAt: info.next_run_at,
    createdAt: info.created_at,
    updatedAt: info.updated_at,
  };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as unknown as IndexingScheduleState;
}
