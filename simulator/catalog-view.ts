/** Renders knowledge bases and data sources as the API shows them, with their latest indexing job. */
import type { WireKnowledgeBase, WireKnowledgeBaseDataSource } from "../provider/api/types";
import type { DataSourceOrigin, DataSourceRecord, KnowledgeBaseRecord } from "./catalog";
import type { JobBook } from "./job-book";
import { isoTime, renderDataSourceJob, renderJob } from "./job-view";
import { optionalBoolean, optionalObject, optionalString, type JsonObject } from "./validate";

export function renderKnowledgeBase(kb: KnowledgeBaseRecord, jobs: JobBook, now: number): WireKnowledgeBase {
  const rendered: WireKnowledgeBase = {
    uuid: kb.uuid,
    name: kb.name,
    region: kb.region,
    tags: [...kb.tags],
    project_id: kb.projectId,
    database_id: kb.databaseId,
    embedding_model_uuid: kb.embeddingModelUuid,
    is_public: false,
    created_at: isoTime(kb.createdAt),
    updated_at: isoTime(kb.updatedAt),
  };
  const latest = jobs.jobsOf(kb.uuid)[0];
  if (latest) rendered.last_indexing_job = renderJob(latest, now);
  return rendered;
}

export function renderDataSource(
  ds: DataSourceRecord,
  jobs: JobBook,
  now: number,
): WireKnowledgeBaseDataSource {
  const spaces = ds.origin.spaces_data_source ?? ds.origin.aws_data_source;
  const rendered: WireKnowledgeBaseDataSource = {
    uuid: ds.uuid,
    ...ds.origin,
    created_at: isoTime(ds.createdAt),
    updated_at: isoTime(ds.updatedAt),
  };
  // The deprecated top-level copies the API still sends for bucket data sources.
  if (spaces) {
    rendered.bucket_name = spaces.bucket_name;
    rendered.item_path = spaces.item_path;
    rendered.region = spaces.region;
  }
  const last = jobs.lastRunOf(ds.uuid);
  if (last) rendered.last_datasource_indexing_job = renderDataSourceJob(last.job, last.run, now);
  return rendered;
}

/**
 * Where a data source created through the API reads from (`apiKBDataSource` or
 * `apiCreateKnowledgeBaseDataSourceInputPublic`). Credentials are dropped, as the API never shows them.
 */
export function originFromBody(body: JsonObject, defaultRegion: string): DataSourceOrigin {
  const spaces = optionalObject(body, "spaces_data_source");
  const aws = optionalObject(body, "aws_data_source");
  const crawler = optionalObject(body, "web_crawler_data_source");
  const bucket = (source: JsonObject, regionKey = "region") => ({
    bucket_name: optionalString(source, "bucket_name"),
    item_path: optionalString(source, "item_path") ?? "/",
    region: optionalString(source, regionKey) ?? defaultRegion,
  });
  if (aws) return { aws_data_source: bucket(aws) };
  if (crawler) {
    return {
      web_crawler_data_source: {
        base_url: optionalString(crawler, "base_url"),
        embed_media: optionalBoolean(crawler, "embed_media") ?? false,
      },
    };
  }
  // The deprecated flat fields of `apiKBDataSource` describe a Spaces bucket too.
  return {
    spaces_data_source: spaces ? bucket(spaces) : bucket(body, "bucket_region"),
    chunking_algorithm: "CHUNKING_ALGORITHM_SECTION_BASED",
  };
}
