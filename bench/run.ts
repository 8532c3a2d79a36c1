/**
 * `npm run bench [-- --quick] [-- --only p1,p3]`: checks the performance targets (P1, P2, P4, P5; P3 is information), prints a table
 * per target with the baseline side by side and a verdict each, and writes bench/results.json.
 * `npm run bench -- --only ablation` (or `--only p2,ablation`, which reuses P2's runs) prints what each
 * rule of the poller and of the request budget buys; it is not part of the default run (about 25
 * minutes of its own). `p3-users` runs P3 again in a user's project on the platform users run (the
 * newest @pulumi/pulumi on Node 22, installed from the npm registry as test:compat does).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ablationTables, runAblation, type AblationResult } from "./ablation";
import { p1FiguresTable, p1PastRunsTable, p1VerdictTable, runP1, type P1Result } from "./p1-polling";
import { p2Table, runP2, type P2Options, type P2Result } from "./p2-scale";
import { p3Table, runP3, type P3Result } from "./p3-coldstart";
import { p4Table, runP4, type P4Result } from "./p4-size";
import { p5Table, runP5, type P5Result } from "./p5-cli";
import { packRepository, userProject } from "../test/compat/projects";
import { renderTable, seconds } from "./table";

const RESULTS = path.resolve(__dirname, "..", "..", "bench", "results.json");
const TARGETS = ["p1", "p2", "ablation", "p3", "p3-users", "p4", "p5"] as const;
type Target = (typeof TARGETS)[number];
const DEFAULT_TARGETS: readonly Target[] = ["p1", "p2", "p3", "p3-users", "p4", "p5"];
/** What users run (the README's requirements): the newest @pulumi/pulumi, on Node 22. */
const USERS_PLATFORM = { pulumi: "latest", node: 22 };
const P1_DURATIONS_MS = [3_000, 10_000, 120_000, 600_000, 3_600_000];

interface Results {
  date: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGb: number };
  quick: boolean;
  wallMs?: number;
  p1?: P1Result;
  p2?: P2Result;
  ablation?: AblationResult;
  p3?: P3Result;
  /** P3 on the users' platform, or why it could not run. */
  p3Users?: P3Result | { notRun: string };
  p4?: P4Result;
  p5?: P5Result;
}

const log = (line: string) => console.log(`  … ${line}`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
  });
  const quick = values.quick ?? false;
  const asked = values.only?.split(",").map((t) => t.trim()) ?? [...DEFAULT_TARGETS];
  const unknown = asked.filter((t) => !TARGETS.some((k) => k === t));
  if (unknown.length > 0)
    throw new Error(`unknown target(s) ${unknown.join(", ")}; known: ${TARGETS.join(", ")}`);
  const only = TARGETS.filter((t): t is Target => asked.includes(t));
  const results: Results = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
    },
    quick,
  };
  const started = Date.now();
  console.log(`Benchmark ${results.date.slice(0, 10)}${quick ? " (quick)" : ""}: ${only.join(", ")}\n`);
  const jobsPerCell = quick ? 3 : 10;
  const p2Options: P2Options = quick
    ? {
        jobs: 20,
        sharedHosts: 3,
        jobsPerSharedHost: 8,
        staggerMs: 10_000,
        minDurationMs: 10_000,
        maxDurationMs: 20_000,
        log,
      }
    : {
        jobs: 100,
        sharedHosts: 3,
        jobsPerSharedHost: 40,
        staggerMs: 20_000,
        minDurationMs: 20_000,
        maxDurationMs: 60_000,
        log,
      };

  if (only.includes("p1")) {
    results.p1 = await runP1({
      durationsMs: P1_DURATIONS_MS,
      jobsPerCell: () => jobsPerCell,
      jobsPerPastRunsRow: quick ? 3 : 10,
      log,
    });
    console.log(
      `\n${p1VerdictTable(results.p1)}\n\n${p1FiguresTable(results.p1)}\n\n${p1PastRunsTable(results.p1)}\n`,
    );
  }
  if (only.includes("p2")) {
    results.p2 = await runP2(p2Options);
    console.log(`\n${p2Table(results.p2)}\n`);
    const failures = [...results.p2.single.failures, ...results.p2.shared.failures];
    for (const failure of failures.slice(0, 10)) console.log(`  failed: ${failure}`);
  }
  if (only.includes("ablation")) {
    results.ablation = await runAblation({
      ...(results.p1 && { p1: results.p1 }),
      ...(results.p2 && { p2: results.p2 }),
      durationsMs: P1_DURATIONS_MS,
      // When P1 did not run: a lighter grid will do, ours with and without past runs on the same jobs.
      jobsPerCell: quick ? 3 : 5,
      // At --quick's size the budget never binds: nothing to learn from switching its rules off.
      ...(!quick && { p2Options }),
      log,
    });
    console.log(`\n${ablationTables(results.ablation)}\n`);
  }
  if (only.includes("p3")) {
    results.p3 = await runP3({ runs: quick ? 3 : 7, log });
    console.log(`\n${p3Table(results.p3)}\n`);
  }
  if (only.includes("p3-users")) {
    let project;
    try {
      project = userProject(USERS_PLATFORM, packRepository());
    } catch (error) {
      results.p3Users = { notRun: String(error).split("\n")[0] ?? "" };
      console.log(`\nP3 on the users' platform: not run (${results.p3Users.notRun})\n`);
    }
    if (project) {
      results.p3Users = await runP3({ runs: quick ? 3 : 7, log, project });
      console.log(`\n${p3Table(results.p3Users)}\n`);
    }
  }
  if (only.includes("p4")) {
    results.p4 = await runP4({ log });
    console.log(`\n${p4Table(results.p4)}\n`);
  }

  if (only.includes("p5")) {
    results.p5 = await runP5({ resources: 20, runs: quick ? 3 : 7, log });
    console.log(`\n${p5Table(results.p5)}\n`);
  }

  console.log(summary(results));
  results.wallMs = Date.now() - started;
  console.log(`\n(${seconds(results.wallMs, 0)} in all; figures written to bench/results.json)`);
  fs.writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  // P3 is information since P5 measures what a user feels in the CLI (bench/README.md).
  const all = [results.p1, results.p2, results.p4, results.p5].filter((r) => r !== undefined);
  process.exitCode = all.every((r) => r.pass) ? 0 : 1;
}

function summary(results: Results): string {
  const rows = [
    ["P1 polling vs DO's SDK waiter, every cell; past runs right or misleading", results.p1?.pass],
    ["P2 jobs at once under the rate limit, ends noticed within 10 s on average", results.p2?.pass],
    ["P4 serialized provider < 10 KB", results.p4?.pass],
    [
      "P5 in the CLI: preview, unchanged up within 10 % of a trivial resource's, no API call",
      results.p5?.pass,
    ],
  ] as const;
  // P3's old target (own start <= 1/10 of the host's) sits below what its three requests cost: shown, not judged.
  const info = (p3: P3Result | undefined) =>
    p3 === undefined ? "not run" : `${p3.pass ? "within" : "above"} 1/10 (information)`;
  return (
    "Targets\n" +
    renderTable(
      ["target", "verdict"],
      [
        ...rows.map(([name, pass]) => [name, pass === undefined ? "not run" : pass ? "PASS" : "FAIL"]),
        ["P3 own start against Pulumi's host start, with its bare-fetch floor", info(results.p3)],
        [
          "  the same on the users' platform (newest @pulumi/pulumi, Node 22)",
          info(results.p3Users && "pass" in results.p3Users ? results.p3Users : undefined),
        ],
        ["Ablation (figures only)", results.ablation ? "printed" : "not run (--only ablation)"],
      ],
    )
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
