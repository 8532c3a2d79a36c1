/**
 * Several knowledge bases in one stack: one per folder of docs/, each with its own IndexingJob, so a change
 * in one folder reindexes that folder's knowledge base and no other.
 *
 *   docs/<folder>/*.md ──upload──> Spaces bucket, under <folder>/ <──data source── knowledge base <folder>
 *   IndexingJob <folder>-indexing: knowledge base <folder> (all its data sources), triggers = sha256 of the folder
 *
 * Config (`pulumi config set <key> <value>`):
 *   digitalocean:token   API token (`--secret`); or DIGITALOCEAN_TOKEN in the environment
 *   digitalocean:spacesAccessId, digitalocean:spacesSecretKey   Spaces access key (`--secret`), for the bucket
 *   projectId            required: the DigitalOcean project the knowledge bases belong to
 *   region               default tor1, where the GenAI platform runs (and Spaces too)
 *   embeddingModelUuid   default 22653204-79ed-11ef-bf8f-4e013e2ddde4, GTE Large EN v1.5
 *   docsDir              default docs (relative to this folder)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { IndexingJob } from "pulumi-gradient-indexing";
import { contentHash, readDocs } from "./docs";

const config = new pulumi.Config();
const region = config.get("region") ?? "tor1";
const projectId = config.require("projectId");
const embeddingModelUuid = config.get("embeddingModelUuid") ?? "22653204-79ed-11ef-bf8f-4e013e2ddde4";
const docsDir = path.resolve(__dirname, config.get("docsDir") ?? "docs");

const folders = fs
  .readdirSync(docsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const bucket = new digitalocean.SpacesBucket("docs", { region, acl: "private", forceDestroy: true });

function knowledgeBaseOf(folder: string) {
  const docs = readDocs(path.join(docsDir, folder));
  const uploads = docs.map(
    (doc) =>
      new digitalocean.SpacesBucketObject(`${folder}-${doc.name}`, {
        bucket: bucket.name,
        region,
        key: `${folder}/${doc.name}`,
        content: doc.content,
        contentType: "text/markdown",
      }),
  );
  // The folder is the knowledge base's only data source. Should the API index a new knowledge base by
  // itself, the IndexingJob waits for that run on the first deploy, then runs its own.
  const knowledgeBase = new digitalocean.GradientaiKnowledgeBase(
    folder,
    {
      name: `${pulumi.getStack()}-${folder}`,
      projectId,
      region,
      embeddingModelUuid,
      datasources: [{ spacesDataSources: [{ bucketName: bucket.name, itemPath: `${folder}/`, region }] }],
    },
    { dependsOn: uploads },
  );
  const docsHash = contentHash(docs);
  // No dataSourceUuids: the job indexes all of the knowledge base's data sources.
  const indexing = new IndexingJob(
    `${folder}-indexing`,
    { knowledgeBaseUuid: knowledgeBase.id, triggers: { docs: docsHash }, timeout: "30m" },
    { dependsOn: uploads },
  );
  return {
    knowledgeBaseUuid: knowledgeBase.id,
    docsContentHash: docsHash,
    indexingJobUuid: indexing.uuid,
    indexingStatus: indexing.status,
  };
}

export const knowledgeBases = Object.fromEntries(folders.map((folder) => [folder, knowledgeBaseOf(folder)]));
