#!/usr/bin/env node
/**
 * Runs the API simulator in the foreground:
 *   gradient-indexing-simulator [--port N] [--token T] [--seed | --no-seed]
 * and prints how to reach it. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startSimulator } from "./index";

const USAGE = "usage: gradient-indexing-simulator [--port N] [--token T] [--seed | --no-seed]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      token: { type: "string" },
      seed: { type: "boolean", default: true },
      "no-seed": { type: "boolean", default: false },
      // New knowledge bases provision this long, then index themselves; a busy one refuses with this status.
      "provisioning-ms": { type: "string" },
      "conflict-status": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);

  const provisioningMs = optionalNumber(values["provisioning-ms"], "--provisioning-ms", 0, Infinity);
  const concurrentStartStatus = optionalNumber(values["conflict-status"], "--conflict-status", 400, 599);
  const simulator = await startSimulator({
    port,
    token: values.token,
    provisioningMs,
    concurrentStartStatus,
  });
  console.log(`Gradient indexing API simulator listening on ${simulator.url}`);
  console.log(`token: ${simulator.token}`);
  if (values.seed && !values["no-seed"]) {
    const kb = simulator.seedKnowledgeBase({
      name: "demo-knowledge-base",
      dataSources: [
        { bucketName: "demo-docs", itemPath: "/guides", items: 24 },
        { bucketName: "demo-docs", itemPath: "/faq", items: 8 },
      ],
    });
    console.log(`knowledge base: ${kb.uuid}`);
    console.log(`data sources: ${kb.dataSourceUuids.join(", ")}`);
    console.log("start an indexing job:");
    console.log(
      `  curl -s -X POST ${simulator.url}/v2/gen-ai/indexing_jobs -H "Authorization: Bearer ${simulator.token}" ` +
        `-H "Content-Type: application/json" -d '{"knowledge_base_uuid":"${kb.uuid}"}'`,
    );
  }

  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function optionalNumber(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`invalid ${flag} ${text}`);
  return value;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(2);
});
