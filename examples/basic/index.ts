/**
 * A knowledge base over a folder of Markdown docs, reindexed when (and only when) a doc changes.
 *
 *   docs/*.md ──upload──> Spaces bucket, under docs/ <──data source── knowledge base
 *   IndexingJob: knowledge base, [that data source], triggers = sha256 of docs/
 *
 * Config (`pulumi config set <key> <value>`):
 *   digitalocean:token   API token (`--secret`); or DIGITALOCEAN_TOKEN in the environment
 *   digitalocean:spacesAccessId, digitalocean:spacesSecretKey   Spaces access key (`--secret`), for the bucket
 *   projectId            required: the DigitalOcean project the knowledge base belongs to
 *   region               default tor1, where the GenAI platform runs (and Spaces too)
 *   embeddingModelUuid   default 22653204-79ed-11ef-bf8f-4e013e2ddde4, GTE Large EN v1.5
 *   siteUrl              public pages crawled as the knowledge base's first data source
 *   docsDir              default docs (relative to this folder)
 */
import * as path from "node:path";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { IndexingJob } from "pulumi-gradient-indexing";
import { contentHash, readDocs } from "./docs";

const config = new pulumi.Config();
const region = config.get("region") ?? "tor1";
const projectId = config.require("projectId");
const embeddingModelUuid = config.get("embeddingModelUuid") ?? "22653204-79ed-11ef-bf8f-4e013e2ddde4";
const siteUrl = config.get("siteUrl") ?? "https://docs.digitalocean.com/products/gradient-ai-platform/";
const docs = readDocs(path.resolve(__dirname, config.get("docsDir") ?? "docs"));

const bucket = new digitalocean.SpacesBucket("docs", { region, acl: "private", forceDestroy: true });

const uploads = docs.map(
  (doc) =>
    new digitalocean.SpacesBucketObject(`docs-${doc.name}`, {
      bucket: bucket.name,
      region,
      key: `docs/${doc.name}`,
      content: doc.content,
      contentType: "text/markdown",
    }),
);

// The API creates a knowledge base with at least one data source: here public pages, crawled.
const knowledgeBase = new digitalocean.GradientaiKnowledgeBase("kb", {
  name: `${pulumi.getProject()}-${pulumi.getStack()}`,
  projectId,
  region,
  embeddingModelUuid,
  datasources: [{ webCrawlerDataSources: [{ baseUrl: siteUrl, crawlingOption: "PATH" }] }],
});

// The docs get a data source of their own, so that a change of the docs reindexes just them.
const docsSource = new digitalocean.GradientaiKnowledgeBaseDataSource("docs-source", {
  knowledgeBaseUuid: knowledgeBase.id,
  spacesDataSource: { bucketName: bucket.name, itemPath: "docs/", region },
});

const docsHash = contentHash(docs);

const indexing = new IndexingJob(
  "docs-indexing",
  {
    knowledgeBaseUuid: knowledgeBase.id,
    dataSourceUuids: [docsSource.id],
    // A new hash starts a new indexing job; an unchanged one makes `pulumi up` leave the job alone.
    triggers: { docs: docsHash },
    timeout: "30m",
  },
  // Index once the files are in the bucket. (dependsOn orders; it never triggers a reindex.)
  { dependsOn: uploads },
);

export const knowledgeBaseUuid = knowledgeBase.id;
export const docsDataSourceUuid = docsSource.id;
export const docsContentHash = docsHash;
export const indexingJobUuid = indexing.uuid;
export const indexingStatus = indexing.status;
export const itemsIndexed = indexing.totalItemsIndexed;
