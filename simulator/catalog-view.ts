/** Renders knowledge bases and data sources as the API shows them, with their latest indexing job. */
import type { WireKnowledgeBase, WireKnowledgeBaseDataSource } from "../provider/api/types";
import type { Backend } from "./backend";
import type { DataSourceOrigin, DataSourceRecord, KnowledgeBaseRecord } from "./catalog";
import { renderDataSourceJob, renderJob } from "./job-view";
import { optionalBoolean, optionalObject, optionalString, type JsonObject } from "./validate";

/** What rendering needs: the jobs reads see, and how to show them. */
type Shown = Pick<Backend, "reads" | "view">;

export function renderKnowledgeBase(
  kb: KnowledgeBaseRecord,
  { reads, view }: Shown,
  now: number,
): WireKnowledgeBase {
  const stamp = view.time;
  const rendered: WireKnowledgeBase = {
    uuid: kb.uuid,
    name: kb.name,
    region: kb.region,
    tags: [...kb.tags],
    project_id: kb.projectId,
    database_id: kb.databaseId,
    embedding_model_uuid: kb.embeddingModelUuid,
    is_public: false,
    created_at: stamp(kb.createdAt),
    updated_at: stamp(kb.updatedAt),
  };
  const latest = reads.jobsOf(kb.uuid, now)[0];
  if (latest) rendered.last_indexing_job = renderJob(latest, now, view);
  return rendered;
}

export function renderDataSource(
  ds: DataSourceRecord,
  { reads, view }: Shown,
  now: number,
): WireKnowledgeBaseDataSource {
  const stamp = view.time;
  const spaces = ds.origin.spaces_data_source ?? ds.origin.aws_data_source;
  const rendered: WireKnowledgeBaseDataSource = {
    uuid: ds.uuid,
    ...ds.origin,
    created_at: stamp(ds.createdAt),
    updated_at: stamp(ds.updatedAt),
  };
  // The deprecated top-level copies the API still sends for bucket data sources.
  if (spaces) {
    rendered.bucket_name = spaces.bucket_name;
    rendered.item_path = spaces.item_path;
    rendered.region = spaces.region;
  }
  const last = reads.lastRunOf(ds.uuid, now);
  if (last) rendered.last_datasource_indexing_job = renderDataSourceJob(last.job, last.run, now, view);
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
