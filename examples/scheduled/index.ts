/**
 * A knowledge base over crawled web pages, which change without Pulumi knowing: DigitalOcean reindexes
 * it on a schedule (IndexingSchedule), and `pulumi up --refresh` reindexes it at once when a data source
 * was added or removed elsewhere (an IndexingJob without `dataSourceUuids` sees that drift).
 *
 *   knowledge base (web crawler data source)
 *   IndexingJob: all its data sources, now
 *   IndexingSchedule: all its data sources, Monday to Friday at 02:30 UTC
 *
 * Config (`pulumi config set <key> <value>`):
 *   digitalocean:token   API token (`--secret`); or DIGITALOCEAN_TOKEN in the environment
 *   projectId            required: the DigitalOcean project the knowledge base belongs to
 *   region               default tor1, where the GenAI platform runs
 *   embeddingModelUuid   default 22653204-79ed-11ef-bf8f-4e013e2ddde4, GTE Large EN v1.5
 *   siteUrl              public pages crawled as the knowledge base's data source
 *   indexAt              default 02:30, time of day of the scheduled run (UTC, "HH:MM")
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { IndexingJob, IndexingSchedule } from "pulumi-gradient-indexing";

const config = new pulumi.Config();
const region = config.get("region") ?? "tor1";
const projectId = config.require("projectId");
const embeddingModelUuid = config.get("embeddingModelUuid") ?? "22653204-79ed-11ef-bf8f-4e013e2ddde4";
const siteUrl = config.get("siteUrl") ?? "https://docs.digitalocean.com/products/gradient-ai-platform/";

const knowledgeBase = new digitalocean.GradientaiKnowledgeBase("kb", {
  name: `${pulumi.getProject()}-${pulumi.getStack()}`,
  projectId,
  region,
  embeddingModelUuid,
  datasources: [{ webCrawlerDataSources: [{ baseUrl: siteUrl, crawlingOption: "PATH" }] }],
});

// Index now, all data sources. `pulumi up --refresh` runs a new job when the knowledge base's data
// sources are no longer those this job indexed (see `knowledgeBaseDataSourceUuids`).
const indexing = new IndexingJob("kb-indexing", { knowledgeBaseUuid: knowledgeBase.id, timeout: "1h" });

// And again every weeknight, run by DigitalOcean itself: the crawled pages change on their own.
const nightly = new IndexingSchedule(
  "kb-nightly",
  { knowledgeBaseUuid: knowledgeBase.id, time: config.get("indexAt") ?? "02:30", days: [1, 2, 3, 4, 5] },
  // A scheduled run starting during the first indexing job would be refused: schedule after it.
  { dependsOn: [indexing] },
);

export const knowledgeBaseUuid = knowledgeBase.id;
export const indexingStatus = indexing.status;
export const indexedDataSources = indexing.jobDataSourceUuids;
export const knowledgeBaseDataSources = indexing.knowledgeBaseDataSourceUuids;
export const scheduleUuid = nightly.uuid;
export const nextScheduledRun = nightly.nextRunAt;
export const lastScheduledRun = nightly.lastRanAt;
