/**
 * pulumi-gradient-indexing: DigitalOcean GenAI knowledge base indexing jobs as a Pulumi resource.
 */
export { IndexingJob, type IndexingJobArgs } from "./indexing-job/resource";
export {
  IndexingJobProvider,
  IndexingJobError,
  type IndexingJobProviderOptions,
} from "./indexing-job/provider";
export type { IndexingJobState, JobOutputs, DataSourceJobOutput } from "./indexing-job/outputs";
export type { IndexingJobInputs } from "./indexing-job/inputs";
export { parseDuration } from "./indexing-job/inputs";
export { PollSchedule, DEFAULT_POLL_POLICY, waitForJob, type PollPolicy } from "./waiting/poller";
export * from "./client";
export type * from "./api/types";
export * from "./indexing-schedule";
