/**
 * Wire shapes to client shapes: `uint64` counts arrive as JSON strings and leave as numbers.
 */
import {
  DATA_SOURCE_COUNT_FIELDS,
  JOB_COUNT_FIELDS,
  type IndexedDataSource,
  type IndexingJob,
  type KnowledgeBase,
  type KnowledgeBaseDataSource,
  type WireIndexedDataSource,
  type WireIndexingJob,
  type WireKnowledgeBase,
  type WireKnowledgeBaseDataSource,
} from "../api/types";

/**
 * A `uint64` count as a number. Counts beyond 2^53 lose precision; no indexing job comes near that.
 * Anything that is not a count reads as absent rather than as NaN.
 */
function parseCount(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

function withCounts<T extends object>(wire: T, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(wire as Record<string, unknown>) };
  for (const field of fields) {
    if (field in out) out[field] = parseCount(out[field]);
  }
  return out;
}

export function fromWireDataSource(wire: WireIndexedDataSource): IndexedDataSource {
  return withCounts(wire, DATA_SOURCE_COUNT_FIELDS) as IndexedDataSource;
}

export function fromWireJob(wire: WireIndexingJob): IndexingJob {
  const job = withCounts(wire, JOB_COUNT_FIELDS) as IndexingJob;
  if (wire.data_source_jobs) job.data_source_jobs = wire.data_source_jobs.map(fromWireDataSource);
  return job;
}

export function fromWireKnowledgeBase(wire: WireKnowledgeBase): KnowledgeBase {
  const { last_indexing_job, ...rest } = wire;
  return last_indexing_job ? { ...rest, last_indexing_job: fromWireJob(last_indexing_job) } : rest;
}

export function fromWireKnowledgeBaseDataSource(wire: WireKnowledgeBaseDataSource): KnowledgeBaseDataSource {
  const { last_datasource_indexing_job, ...rest } = wire;
  return last_datasource_indexing_job
    ? { ...rest, last_datasource_indexing_job: fromWireDataSource(last_datasource_indexing_job) }
    : rest;
}
