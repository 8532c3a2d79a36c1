/**
 * pulumi-gradient-indexing: DigitalOcean GenAI knowledge base indexing jobs and schedules as Pulumi
 * resources. The API client is at `pulumi-gradient-indexing/client`, the API simulator at
 * `pulumi-gradient-indexing/simulator`.
 */
export { IndexingJob, type IndexingJobArgs } from "./indexing-job/resource";
export { IndexingJobProvider, type IndexingJobProviderOptions } from "./indexing-job/provider";
export type {
  IndexingJobState,
  JobOutputs as IndexingJobOutputs,
  DataSourceJobOutput,
} from "./indexing-job/outputs";
export { IndexingSchedule, type IndexingScheduleArgs } from "./indexing-schedule/resource";
export { IndexingScheduleProvider, type IndexingScheduleProviderOptions } from "./indexing-schedule/provider";
export type {
  IndexingScheduleState,
  ScheduleOutputs as IndexingScheduleOutputs,
} from "./indexing-schedule/outputs";
export type { ApiArgs } from "./host/resource-base";
export type { PollInput } from "./indexing-job/poll-input";
export type { UnconfirmedStart } from "./indexing-job/start-decision";
export type { JobPhase, JobStatus, DataSourceStatus } from "./api/types";
