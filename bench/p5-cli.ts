/**
 * P5: what a user feels in the Pulumi CLI. `pulumi preview` and a `pulumi up` with nothing changed, of a
 * stack of 20 IndexingJobs, against the same stack with 20 trivial dynamic resources, in one run on the
 * same machine: the ratio of wall times, and the API calls (target: within 10 % and none).
 *
 * Both stacks run through the real CLI (test/helpers/pulumi-cli.ts: Automation API inline programs on a
 * local backend), measured alternately, so that the machine's load falls on both alike.
 */
import * as pulumi from "@pulumi/pulumi";
import { startSimulator } from "../simulator";
import { installedPackage } from "../test/helpers/installed";
import { cachedCli, CliStack, ensureCli, pinnedCliVersion, type CliRun } from "../test/helpers/pulumi-cli";
import { median, renderTable, seconds } from "./table";

export const P5_RATIO_LIMIT = 1.1;

export interface P5Side {
  previewMs: number[];
  upMs: number[];
  /** API calls of all the measured previews and ups together. */
  apiCalls: number;
}

export interface P5Result {
  cliVersion: string;
  resources: number;
  runs: number;
  jobs: P5Side;
  trivial: P5Side;
  previewRatio: number;
  upRatio: number;
  pass: boolean;
}

/** A dynamic resource that does nothing: the floor any dynamic provider pays in the CLI. */
const trivialProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: String(inputs.name), outs: inputs };
  },
};

class Trivial extends pulumi.dynamic.Resource {
  constructor(name: string) {
    super(trivialProvider, name, { name }, undefined, "bench", "Trivial");
  }
}

function ok(run: CliRun): CliRun {
  if (run.exitCode !== 0) throw new Error(`pulumi ${run.command} failed:\n${run.output.slice(-3_000)}`);
  return run;
}

export async function runP5(options: {
  resources: number;
  runs: number;
  log: (line: string) => void;
}): Promise<P5Result> {
  const { resources, runs, log } = options;
  const cliDir = cachedCli() ?? ensureCli();
  const { IndexingJob } = installedPackage();
  const sim = await startSimulator({ defaultJobPlan: { pendingMs: 200, durationMs: 1_000 } });
  const kbs = Array.from({ length: resources }, (_, i) =>
    sim.seedKnowledgeBase({ name: `kb-${i}`, dataSources: [{ items: 10 }] }),
  );
  // The same stack config on both sides (a secret token costs the CLI a passphrase key derivation).
  const config = {
    "digitalocean:apiEndpoint": { value: sim.url },
    "digitalocean:token": { value: sim.token, secret: true },
  };
  const jobs = await CliStack.create({
    cliDir,
    projectName: "bench-jobs",
    program: async () => {
      kbs.forEach((kb, i) => new IndexingJob(`job-${i}`, { knowledgeBaseUuid: kb.uuid, triggers: { v: 1 } }));
      return {};
    },
    config,
  });
  const trivial = await CliStack.create({
    cliDir,
    projectName: "bench-trivial",
    program: async () => {
      for (let i = 0; i < resources; i++) new Trivial(`trivial-${i}`);
      return {};
    },
    config,
  });
  try {
    log(`P5: creating ${resources} IndexingJobs and ${resources} trivial resources through the CLI`);
    ok(await jobs.run("up"));
    ok(await trivial.run("up"));
    const side = (): P5Side => ({ previewMs: [], upMs: [], apiCalls: 0 });
    const result = { jobs: side(), trivial: side() };
    for (let run = 1; run <= runs; run++) {
      for (const command of ["preview", "up"] as const) {
        // Alternate which goes first, so that neither always follows the other's leftovers.
        const order = run % 2 ? (["jobs", "trivial"] as const) : (["trivial", "jobs"] as const);
        for (const which of order) {
          sim.clearRequests();
          const measured = ok(await (which === "jobs" ? jobs : trivial).run(command));
          result[which][command === "preview" ? "previewMs" : "upMs"].push(measured.ms);
          result[which].apiCalls += sim.requests.length;
          if (command === "up" && !/\b\d+ unchanged/.test(measured.output))
            throw new Error(`the unchanged up changed something:\n${measured.output}`);
        }
      }
      log(`P5: run ${run}/${runs}`);
    }
    const previewRatio = median(result.jobs.previewMs) / median(result.trivial.previewMs);
    const upRatio = median(result.jobs.upMs) / median(result.trivial.upMs);
    return {
      cliVersion: pinnedCliVersion(),
      resources,
      runs,
      ...result,
      previewRatio,
      upRatio,
      pass:
        previewRatio <= P5_RATIO_LIMIT &&
        upRatio <= P5_RATIO_LIMIT &&
        result.jobs.apiCalls === 0 &&
        result.trivial.apiCalls === 0,
    };
  } finally {
    jobs.dispose();
    trivial.dispose();
    await sim.close();
  }
}

export function p5Table(result: P5Result): string {
  const limit = `≤ ${P5_RATIO_LIMIT.toFixed(2)}`;
  const row = (what: string, jobs: number[], trivial: number[], ratio: number) => [
    what,
    seconds(median(jobs), 2),
    seconds(median(trivial), 2),
    ratio.toFixed(3),
    limit,
    ratio <= P5_RATIO_LIMIT ? "yes" : "NO",
  ];
  return [
    `P5 in the Pulumi CLI ${result.cliVersion}: ${result.resources} IndexingJobs against ${result.resources} trivial dynamic resources, median of ${result.runs} runs each`,
    renderTable(
      ["command", "IndexingJobs", "trivial", "ratio", "target", "met"],
      [
        row("pulumi preview", result.jobs.previewMs, result.trivial.previewMs, result.previewRatio),
        row("pulumi up, nothing changed", result.jobs.upMs, result.trivial.upMs, result.upRatio),
        [
          "API calls, all of them",
          String(result.jobs.apiCalls),
          String(result.trivial.apiCalls),
          "-",
          "0",
          result.jobs.apiCalls === 0 ? "yes" : "NO",
        ],
      ],
    ),
  ].join("\n");
}
