/**
 * The simulator's command line, run as users run it: a child process of dist/simulator/cli.js.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";

const CLI = path.resolve(__dirname, "..", "simulator", "cli.js");

interface Running {
  url: string;
  token: string;
  kb: string;
  dataSources: string;
  stop(): Promise<void>;
}

/** Starts the CLI and resolves once it printed its data sources (the last line about the seeded data). */
function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => void stop().then(() => reject(new Error(`no start within 10 s:\n${out}`))),
      10_000,
    );
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const field = (name: string) => new RegExp(`^${name}: ?(.+)$`, "m").exec(out)?.[1] ?? "";
      if (!/^data sources: .+\n/m.test(out)) return;
      clearTimeout(timer);
      resolve({
        url: /listening on (\S+)/.exec(out)?.[1] ?? "",
        token: field("token"),
        kb: field("knowledge base"),
        dataSources: field("data sources"),
        stop,
      });
    });
  });
}

describe("simulator command line", function () {
  this.timeout(30_000);

  it("--help lists every flag", () => {
    const res = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    assert.equal(res.status, 0);
    for (const flag of [
      "--port",
      "--token",
      "--id-seed",
      "--job-duration",
      "--pending",
      "--outcome",
      "--progress",
      "--rate-limit",
      "--no-seed",
    ]) {
      assert.match(res.stdout, new RegExp(`^  ${flag}\\b`, "m"), flag);
    }
  });

  it("refuses a bad flag value, naming the flag", () => {
    for (const [args, message] of [
      [["--outcome", "maybe"], /--outcome must be one of succeeded/],
      [["--job-duration", "soon"], /--job-duration must be a duration/],
      [["--rate-limit", "1.5"], /--rate-limit must be an integer/],
      [["--no-such-flag"], /Unknown option '--no-such-flag'/],
    ] as const) {
      const res = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
      assert.equal(res.status, 2, args.join(" "));
      assert.match(res.stderr, message);
    }
  });

  it("gives the same token and UUIDs after a restart with the same --id-seed, others with another", async () => {
    const first = await startCli(["--id-seed", "stack-a"]);
    await first.stop();
    const again = await startCli(["--id-seed", "stack-a"]);
    await again.stop();
    const other = await startCli(["--id-seed", "stack-b"]);
    await other.stop();
    assert.match(first.kb, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([again.kb, again.dataSources, again.token], [first.kb, first.dataSources, first.token]);
    assert.notEqual(other.kb, first.kb);
    assert.notEqual(other.token, first.token);
  });

  it("runs jobs as the flags say (duration, pending time, outcome)", async () => {
    const sim = await startCli([
      "--job-duration",
      "300ms",
      "--pending",
      "0",
      "--outcome",
      "failed",
      "--rate-limit",
      "0",
    ]);
    try {
      const headers = { authorization: `Bearer ${sim.token}`, "content-type": "application/json" };
      const started = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs`, {
        method: "POST",
        headers,
        body: JSON.stringify({ knowledge_base_uuid: sim.kb }),
      });
      assert.equal(started.status, 200);
      const { job } = (await started.json()) as { job: { uuid: string } };
      const deadline = Date.now() + 5_000;
      let phase = "";
      while (Date.now() < deadline) {
        const res = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs/${job.uuid}`, { headers });
        phase = ((await res.json()) as { job: { phase: string } }).job.phase;
        if (phase !== "BATCH_JOB_PHASE_PENDING" && phase !== "BATCH_JOB_PHASE_RUNNING") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(phase, "BATCH_JOB_PHASE_FAILED");
    } finally {
      await sim.stop();
    }
  });
});
