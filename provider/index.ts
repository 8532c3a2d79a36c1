/**
 * pulumi-gradient-indexing: DigitalOcean GenAI knowledge base indexing jobs as a Pulumi resource.
 */
export { IndexingJob, type IndexingJobArgs } from "./resource";
export { IndexingJobProvider, IndexingJobError, type IndexingJobProviderOptions } from "./provider";
export type { IndexingJobState, JobOutputs, DataSourceJobOutput } from "./outputs";
export type { IndexingJobInputs } from "./inputs";
export { parseDuration } from "./inputs";
export { PollSchedule, DEFAULT_POLL_POLICY, waitForJob, type PollPolicy } from "./wait";
export * from "./client";
export type * from "./api/types";
export * from "./schedule";
