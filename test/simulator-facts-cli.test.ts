/**
 * The command line's switches for the real API's facts: listed by `--help`, each mapped to its
 * `SimulatorOptions` field, `--real-api` under every other flag.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { REAL_API_PRESET, type SimulatorOptions } from "../simulator";
import { settingsFrom, usage } from "../simulator/cli";

const CLI = path.resolve(__dirname, "..", "simulator", "cli.js");

/** Each new flag, a value, and the options it gives. */
const MAPPINGS: [args: string[], options: SimulatorOptions][] = [
  [["--read-lag", "3s"], { readAfterWriteLagMs: 3000 }],
  [["--legacy-job-counts"], { legacyJobCounts: true }],
  [["--source-counts", "at-end"], { sourceCounts: "at-end" }],
  [["--running-status", "INDEX_JOB_STATUS_RUNNING"], { runningStatus: "INDEX_JOB_STATUS_RUNNING" }],
  [["--running-phase", "BATCH_JOB_PHASE_INDEXING"], { runningPhase: "BATCH_JOB_PHASE_INDEXING" }],
  [["--timestamp-skew", "2s"], { timestampSkewMs: 2000 }],
  [["--timestamp-skew=-3s"], { timestampSkewMs: -3000 }],
  [["--subsecond-timestamps"], { subSecondTimestamps: true }],
  [["--subsecond-timestamps", "--no-subsecond-timestamps"], { subSecondTimestamps: false }],
  [["--kb-jobs-shown", "4"], { knowledgeBaseJobsShown: 4 }],
  [["--job-list-order", "oldest-first"], { jobListOrder: "oldest-first" }],
  [["--job-list-max-per-page", "25"], { jobListMaxPerPage: 25 }],
  [["--job-list-omits-source-jobs"], { jobListOmitsSourceJobs: true }],
  [["--conflict-message", "conflict"], { concurrentStartMessage: "conflict" }],
  [
    ["--start-faults", "429,429-retry-after,500,502,503,drop,drop-after,502-after,504-after"],
    {
      startFaults: [
        "429",
        "429-retry-after",
        "500",
        "502",
        "503",
        "drop",
        "drop-after",
        "502-after",
        "504-after",
      ],
    },
  ],
  [["--start-faults", "none"], { startFaults: [] }],
  [["--cancel-delay", "3s"], { cancelDelayMs: 3000 }],
  [["--job-read-latency", "45s"], { jobReadLatencyMs: 45_000 }],
  [["--cancel-refused-status", "412"], { cancelRefusedStatus: 412 }],
  [["--provisioning-outcome", "UNHEALTHY"], { provisioningOutcome: "UNHEALTHY" }],
  [["--reindex-on-delete"], { reindexOnDataSourceDelete: true }],
  [["--reindex-on-delete", "--no-reindex-on-delete"], { reindexOnDataSourceDelete: false }],
  [["--real-api"], { ...REAL_API_PRESET }],
];

describe("simulator command line: the real API's facts", () => {
  it("--help lists every fact flag", () => {
    const res = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    assert.equal(res.status, 0);
    const flags = new Set(MAPPINGS.flatMap(([args]) => args.filter((a) => a.startsWith("--"))));
    for (const flag of [...flags, "--no-subsecond-timestamps", "--no-reindex-on-delete"]) {
      const name = flag.replace(/=.*$/, "");
      assert.match(res.stdout, new RegExp(`^  ${name}\\b`, "m"), name);
    }
  });

  it("docs/simulator.md has a row for every flag --help lists", () => {
    const docs = readFileSync(path.resolve(__dirname, "..", "..", "docs", "simulator.md"), "utf8");
    const rows = docs.split("\n").filter((line) => line.startsWith("| `-"));
    for (const [, flag] of usage().matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)) {
      assert.ok(
        rows.some((row) => row.includes(`\`${flag}\``) || row.includes(`\`${flag} `)),
        `${flag} has no row`,
      );
    }
  });

  for (const [args, options] of MAPPINGS) {
    it(`${args.join(" ")} sets ${Object.keys(options).join(", ")}`, () => {
      assert.deepEqual(settingsFrom(args).options, options);
    });
  }

  it("--real-api goes under every other flag, wherever it stands", () => {
    for (const args of [
      ["--real-api", "--read-lag", "0", "--no-subsecond-timestamps", "--start-faults", ""],
      ["--read-lag", "0", "--no-subsecond-timestamps", "--start-faults", "", "--real-api"],
    ]) {
      const { options } = settingsFrom(args);
      assert.deepEqual(
        options,
        { ...REAL_API_PRESET, readAfterWriteLagMs: 0, subSecondTimestamps: false, startFaults: [] },
        args.join(" "),
      );
    }
    assert.equal(settingsFrom(["--real-api", "--conflict-status", "409"]).options.concurrentStartStatus, 409);
  });

  it("refuses bad fact values, naming the flag", () => {
    for (const [args, message] of [
      [["--source-counts", "sometimes"], /--source-counts must be one of live, at-end/],
      [["--start-faults", "429,404"], /--start-faults must be one of 429, 429-retry-after/],
      [["--provisioning-outcome", "ONFIRE"], /--provisioning-outcome must be one of ONLINE/],
      [["--timestamp-skew=soon"], /--timestamp-skew must be a duration/],
      [["--kb-jobs-shown", "1.5"], /--kb-jobs-shown must be an integer/],
      [["--running-status", ""], /--running-status must not be empty/],
      [["--cancel-refused-status", "200"], /--cancel-refused-status must be an integer from 400 to 599/],
    ] as const) {
      assert.throws(() => settingsFrom([...args]), message, args.join(" "));
    }
  });

  it("runs with the flags' facts: --real-api's first start is refused with Retry-After", async function () {
    this.timeout(15_000);
    const child = spawn(process.execPath, [CLI, "--port", "0", "--real-api"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${out}`)));
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (/^data sources: /m.test(out)) resolve();
        });
      });
      const field = (name: string) => new RegExp(`^${name}: ?(\\S+)`, "m").exec(out)?.[1] ?? "";
      const url = /listening on (\S+)/.exec(out)?.[1] ?? "";
      const started = await fetch(`${url}/v2/gen-ai/indexing_jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${field("token")}`, "content-type": "application/json" },
        body: JSON.stringify({ knowledge_base_uuid: field("knowledge base") }),
      });
      assert.equal(started.status, 429);
      assert.equal(started.headers.get("retry-after"), "2");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
