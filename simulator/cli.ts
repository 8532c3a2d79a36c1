#!/usr/bin/env node
/**
 * Runs the API simulator in the foreground and prints how to reach it. Stops on SIGINT/SIGTERM.
 * Every flag is one entry of FLAGS (cli-flags.ts, cli-fact-flags.ts); `--help` is generated from it.
 */
import { parseArgs } from "node:util";
import { FACT_FLAGS } from "./cli-fact-flags";
import { BASE_FLAGS } from "./cli-flags";
import type { Flag, Settings } from "./cli-values";
import { startSimulator } from "./index";
import { stableIds } from "./stable-ids";

const FLAGS: Record<string, Flag> = {
  ...BASE_FLAGS,
  ...FACT_FLAGS,
  help: { type: "boolean", short: "h", help: "print this help", apply: () => undefined },
};

export function usage(): string {
  const rows = Object.entries(FLAGS).map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : "";
    return `  ${short}--${name}${flag.value ? ` ${flag.value}` : ""}\n      ${flag.help}`;
  });
  return ["usage: gradient-indexing-simulator [flags]", "", ...rows].join("\n");
}

/**
 * Applies the flags in the order given, so that a later `--no-seed` wins over an earlier `--seed`; a
 * flag marked `first` (`--real-api`) goes before all others, so that they override it.
 */
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
  const given = tokens.filter((token) => token.kind === "option");
  const isFirst = (name: string) => FLAGS[name]?.first === true;
  for (const token of [...given.filter((t) => isFirst(t.name)), ...given.filter((t) => !isFirst(t.name))]) {
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
