/**
 * The first thing to try: one IndexingJob against the local API simulator, with no DigitalOcean account
 * and no other provider plugin. `npm run simulator -- --port 8787` in one terminal, `npm run up` in
 * another (see the README's quick start).
 */
import * as pulumi from "@pulumi/pulumi";
import { IndexingJob } from "pulumi-gradient-indexing";

const config = new pulumi.Config();
const job = new IndexingJob("docs-index", {
  // The knowledge base the simulator seeds (it prints its UUID when it starts).
  knowledgeBaseUuid: config.require("knowledgeBaseUuid"),
  // Change it (`npm run up -- up --docs v2`) and the next `pulumi up` runs a new indexing job.
  triggers: { docs: config.get("docsVersion") ?? "v1" },
  timeout: "10m",
  poll: { firstDelayMs: 1_000, maxDelayMs: 2_000 }, // simulated jobs last seconds
});

export const jobUuid = job.uuid;
export const status = job.status;
export const itemsIndexed = job.totalItemsIndexed;
