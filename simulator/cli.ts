#!/usr/bin/env node
/**
 * Runs the API simulator in the foreground and prints how to reach it. Stops on SIGINT/SIGTERM.
 * Every flag is one entry of FLAGS below; `--help` is generated from that table.
 */
import { parseArgs } from "node:util";
import { parseDuration } from "../provider/inputs";
import { startSimulator } from "./index";
import { stableIds } from "./stable-ids";
import type { JobOutcome, JobPlan, ProgressShape, SimulatorOptions } from "./types";

/** What the flags decide. */
interface Settings {
  port: number;
  token?: string;
  idSeed: string;
  seedKnowledgeBase: boolean;
  options: SimulatorOptions;
  plan: Partial<JobPlan>;
}

interface Flag {
  type: "string" | "boolean";
  /** Placeholder of the value in `--help`; string flags only. */
  value?: string;
  short?: string;
  help: string;
  apply(settings: Settings, value: string): void;
}

const OUTCOMES: readonly JobOutcome[] = ["succeeded", "no_changes", "partial", "failed", "error"];
const PROGRESS: readonly ProgressShape[] = ["steady", "erratic"];

const FLAGS: Record<string, Flag> = {
  port: {
    type: "string",
    value: "N",
    help: "port on 127.0.0.1 (default 0: any free port)",
    apply: (s, v) => (s.port = integer("--port", v, 0, 65535)),
  },
  token: {
    type: "string",
    value: "T",
    help: "bearer token requests must carry (default: derived from --id-seed)",
    apply: (s, v) => (s.token = v),
  },
  "id-seed": {
    type: "string",
    value: "TEXT",
    help: 'seed of the token and the seeded knowledge base\'s UUIDs: same seed, same ids after a restart (default "demo")',
    apply: (s, v) => (s.idSeed = v),
  },
  "job-duration": {
    type: "string",
    value: "DURATION",
    help: 'how long a job runs, e.g. "30s", "2m" (default 3s)',
    apply: (s, v) => (s.plan.durationMs = duration("--job-duration", v)),
  },
  pending: {
    type: "string",
    value: "DURATION",
    help: "how long a job stays pending before it runs (default 500ms)",
    apply: (s, v) => (s.plan.pendingMs = duration("--pending", v)),
  },
  outcome: {
    type: "string",
    value: OUTCOMES.join("|"),
    help: "how every job ends (default succeeded)",
    apply: (s, v) => (s.plan.outcome = oneOf("--outcome", v, OUTCOMES)),
  },
  progress: {
    type: "string",
    value: PROGRESS.join("|"),
    help: "how item counts grow: linearly, or stalling and jumping (default steady)",
    apply: (s, v) => (s.plan.progress = oneOf("--progress", v, PROGRESS)),
  },
  "rate-limit": {
    type: "string",
    value: "N",
    help: "requests per token per minute; 0 disables (default 250, as the API)",
    apply: (s, v) => (s.options.rateLimitPerMinute = integer("--rate-limit", v, 0, Number.MAX_SAFE_INTEGER)),
  },
  provisioning: {
    type: "string",
    value: "DURATION",
    help: "knowledge bases created through the API provision this long (database CREATING), refusing starts, then index themselves (default: ready at once)",
    apply: (s, v) => (s.options.provisioningMs = duration("--provisioning", v)),
  },
  "conflict-status": {
    type: "string",
    value: "STATUS",
    help: 'status refusing a start on a busy knowledge base ("already has an indexing job running"; default 400)',
    apply: (s, v) => (s.options.concurrentStartStatus = integer("--conflict-status", v, 400, 599)),
  },
  seed: {
    type: "boolean",
    help: "create a knowledge base with two data sources (the default)",
    apply: (s) => (s.seedKnowledgeBase = true),
  },
  "no-seed": {
    type: "boolean",
    help: "start empty",
    apply: (s) => (s.seedKnowledgeBase = false),
  },
  help: { type: "boolean", short: "h", help: "print this help", apply: () => undefined },
};

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0)
    throw new Error(`${flag} must be a duration such as "30s", got ${JSON.stringify(text)}`);
  return ms;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === text);
  if (found === undefined)
    throw new Error(`${flag} must be one of ${allowed.join(", ")}, got ${JSON.stringify(text)}`);
  return found;
}

export function usage(): string {
  const rows = Object.entries(FLAGS).map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : "";
    return `  ${short}--${name}${flag.value ? ` ${flag.value}` : ""}\n      ${flag.help}`;
  });
  return ["usage: gradient-indexing-simulator [flags]", "", ...rows].join("\n");
}

/** Applies the flags in the order given, so that a later `--no-seed` wins over an earlier `--seed`. */
export function settingsFrom(args: string[]): Settings & { help: boolean } {
  const { tokens } = parseArgs({
    args,
    options: Object.fromEntries(
      Object.entries(FLAGS).map(([name, flag]) => [
        name,
        { type: flag.type, ...(flag.short && { short: flag.short }) },
      ]),
    ),
    tokens: true,
  });
  const settings: Settings = { port: 0, idSeed: "demo", seedKnowledgeBase: true, options: {}, plan: {} };
  let help = false;
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (token.name === "help") help = true;
    FLAGS[token.name]?.apply(settings, token.value ?? "");
  }
  return { ...settings, help };
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2));
  if (settings.help) {
    console.log(usage());
    return;
  }
  const ids = stableIds(settings.idSeed);
  const simulator = await startSimulator({
    ...settings.options,
    port: settings.port,
    token: settings.token ?? ids.token,
    defaultJobPlan: settings.plan,
  });
  console.log(`Gradient indexing API simulator listening on ${simulator.url}`);
  console.log(`token: ${simulator.token}`);
  if (settings.seedKnowledgeBase) {
    const kb = simulator.seedKnowledgeBase({
      uuid: ids.uuid(),
      name: "demo-knowledge-base",
      dataSources: [
        { uuid: ids.uuid(), bucketName: "demo-docs", itemPath: "/guides", items: 24 },
        { uuid: ids.uuid(), bucketName: "demo-docs", itemPath: "/faq", items: 8 },
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

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error("run gradient-indexing-simulator --help for the flags");
    process.exit(2);
  });
}
