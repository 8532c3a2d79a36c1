export { IndexingSchedule, type IndexingScheduleArgs } from "./resource";
export { IndexingScheduleProvider, type IndexingScheduleProviderOptions } from "./provider";
export type { IndexingScheduleState, ScheduleOutputs } from "./outputs";
export type { IndexingScheduleInputs } from "./inputs";
