/**
 * API shapes, derived from the OpenAPI spec's generated types (`schema.ts`, `npm run gen:api`).
 *
 * `Wire*` types are what travels over HTTP, exactly as the spec says. The client hands out the same
 * shapes with two differences a caller would otherwise trip over:
 * - `uint64` counts, which the API sends as JSON strings, become numbers;
 * - enums are open: the API may add a phase or status before we know it, so every enum also admits
 *   any other string (and callers must treat an unknown value as "not finished, not failed").
 */
import type { components, operations } from "./schema";

type Schemas = components["schemas"];

export type WireIndexingJob = Schemas["apiIndexingJob"];
export type WireIndexedDataSource = Schemas["apiIndexedDataSource"];
export type WireKnowledgeBase = Schemas["apiKnowledgeBase"];
export type WireKnowledgeBaseDataSource = Schemas["apiKnowledgeBaseDataSource"];
export type WireLinks = Schemas["apiLinks"];
export type WireMeta = Schemas["apiMeta"];
export type StartIndexingJobBody = Schemas["apiStartKnowledgeBaseIndexingJobInputPublic"];
/** A knowledge base's indexing schedule (`indexing_info`); the client hands it out as it travels. */
export type IndexingScheduleInfo = Schemas["apiScheduledIndexingInfo"];
export type CreateIndexingScheduleBody = Schemas["apiCreateScheduledIndexingInputPublic"];

/** The error body every endpoint answers with (`{ id, message, request_id }`). */
export type ApiErrorBody =
  operations["genai_get_indexing_job"]["responses"][404]["content"]["application/json"];

/** An enum of the spec that stays open to values added after the spec was taken. */
type Open<T extends string> = T | (string & NonNullable<unknown>);

export type KnownJobPhase = Schemas["apiBatchJobPhase"];
export type KnownJobStatus = Schemas["apiIndexJobStatus"];
export type KnownDataSourceStatus = Schemas["apiIndexedDataSourceStatus"];
export type JobPhase = Open<KnownJobPhase>;
export type JobStatus = Open<KnownJobStatus>;
export type DataSourceStatus = Open<KnownDataSourceStatus>;

/** Fields of `apiIndexedDataSource` in `uint64` format (JSON strings on the wire). */
export const DATA_SOURCE_COUNT_FIELDS = [
  "failed_item_count",
  "indexed_file_count",
  "indexed_item_count",
  "removed_item_count",
  "skipped_item_count",
  "total_bytes",
  "total_bytes_indexed",
  "total_file_count",
] as const satisfies readonly (keyof WireIndexedDataSource)[];

/**
 * Job-level `uint64` fields. `total_tokens` is in the spec; the `total_items_*` ones are sent by newer
 * API versions and are read when present.
 */
export const JOB_COUNT_FIELDS = [
  "total_tokens",
  "total_items_indexed",
  "total_items_failed",
  "total_items_skipped",
] as const;

type DataSourceCountField = (typeof DATA_SOURCE_COUNT_FIELDS)[number];
type JobCountField = (typeof JOB_COUNT_FIELDS)[number];

export type IndexedDataSource = Omit<WireIndexedDataSource, DataSourceCountField | "status"> & {
  [K in DataSourceCountField]?: number;
} & { status?: DataSourceStatus };

export type IndexingJob = Omit<WireIndexingJob, "total_tokens" | "data_source_jobs" | "phase" | "status"> & {
  [K in JobCountField]?: number;
} & {
  phase?: JobPhase;
  status?: JobStatus;
  data_source_jobs?: IndexedDataSource[];
};

export type KnowledgeBase = Omit<WireKnowledgeBase, "last_indexing_job"> & {
  last_indexing_job?: IndexingJob;
};

export type KnowledgeBaseDataSource = Omit<WireKnowledgeBaseDataSource, "last_datasource_indexing_job"> & {
  last_datasource_indexing_job?: IndexedDataSource;
};

/** One page of a listing, with the spec's pagination fields. */
export interface Page<T> {
  items: T[];
  links?: WireLinks;
  meta?: WireMeta;
}
