/**
 * Ctrl-C during `pulumi up` under the real CLI: SIGINT to the `pulumi` process while an IndexingJob's
 * create waits for its job, once, then twice. What the CLI does with each signal, what reaches the
 * provider, what the API sees, what the state keeps, and what the next `pulumi up` does.
 */
import * as assert from "node:assert/strict";
import { startSimulator, type Simulator } from "../../simulator";
import { installedPackage } from "../helpers/installed";
import { CliStack, useCli, type CliRun, simulatorConfig } from "../helpers/pulumi-cli";
import { cancels, jobResources, pendingOperations, starts } from "./state";

const { IndexingJob } = installedPackage();

const POLL = { firstDelayMs: 1_000, maxDelayMs: 1_000 };
/** How long the test watches the CLI after the first Ctrl-C: the job must still run, unhindered. */
const AFTER_FIRST_MS = 6_000;

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("e2e: Ctrl-C during `pulumi up`", function () {
  this.timeout(180_000);
  const cli = useCli();
  let sim: Simulator;
  let stack: CliStack;
  let kb: { uuid: string };

  before(async () => {
    sim = await startSimulator({ defaultJobPlan: { pendingMs: 300, durationMs: 2_500 } });
    kb = sim.seedKnowledgeBase({ dataSources: [{ items: 200 }] });
    stack = await CliStack.create({
      cliDir: cli(),
      program: async () => {
        new IndexingJob("long-index", { knowledgeBaseUuid: kb.uuid, timeout: "10m", poll: POLL });
        return {};
      },
      config: simulatorConfig(sim),
    });
  });
  after(async () => {
    stack?.dispose();
    await sim?.close();
  });

  /** Runs `pulumi up` until its job shows RUNNING; returns the run, its output so far, the job and the CLI. */
  async function upUntilRunning(): Promise<{
    up: Promise<CliRun>;
    output: () => string;
    uuid: string;
    pid: number;
  }> {
    let output = "";
    const up = stack.run("up", { onOutput: (text) => (output += text) });
    await until("the job runs and the CLI shows its progress", () =>
      /indexing job \S+ of .*: RUNNING/.test(output),
    );
    const uuid = sim.jobs()[0]?.uuid;
    assert.ok(uuid, "a job was started");
    const pid = CliStack.runningCli();
    assert.ok(pid, "the pulumi process");
    return { up, output: () => output, uuid, pid };
  }

  it("first Ctrl-C: the CLI keeps waiting for the job, showing its progress, and records it when it ends", async () => {
    sim.planNextJob(kb.uuid, { durationMs: 9_000 });
    const { up, output, uuid, pid } = await upUntilRunning();
    const before = output().length;
    process.kill(pid, "SIGINT");
    await new Promise((r) => setTimeout(r, AFTER_FIRST_MS));
    const afterFirst = output().slice(before);
    assert.match(
      afterFirst,
      /\^C received; cancelling\. If you would like to terminate immediately, press \^C again\./,
    );
    assert.ok(alive(pid), `the CLI still runs ${AFTER_FIRST_MS} ms after the first Ctrl-C`);
    assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_RUNNING", "the first Ctrl-C does not stop the job");
    assert.equal(cancels(sim).length, 0, "no cancel reaches the API: a dynamic provider gets no Cancel call");
    // How the user sees the job still runs: its progress lines go on.
    assert.match(
      afterFirst,
      /indexing job \S+ of knowledge base \S+: RUNNING\/IN_PROGRESS, 0\/1 data sources, \d+\/200 items/,
    );

    const run = await up;
    // The create ran to its end: the resource is in the state, nothing pending, but the update says canceled.
    assert.notEqual(run.exitCode, 0);
    assert.match(run.output, /long-index created/);
    assert.match(run.output, /error: update canceled/);
    assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_SUCCEEDED");
    const exported = await stack.export();
    assert.deepEqual(pendingOperations(exported), []);
    assert.deepEqual(
      jobResources(exported).map((r) => r.id),
      [uuid],
    );
    const destroy = await stack.run("destroy");
    assert.equal(destroy.exitCode, 0, destroy.output);
  });

  let interrupted: string;

  it("second Ctrl-C: the provider cancels its job, the CLI exits, the create is left pending", async () => {
    sim.planNextJob(kb.uuid, { durationMs: 120_000 });
    sim.clearRequests();
    const { up, output, uuid, pid } = await upUntilRunning();
    interrupted = uuid;
    process.kill(pid, "SIGINT");
    await until("the CLI took the first Ctrl-C", () => /\^C received; cancelling/.test(output()));
    await new Promise((r) => setTimeout(r, 1_000));
    const sent = Date.now();
    process.kill(pid, "SIGINT");
    const run: CliRun = await up;
    const exitedAfterMs = Date.now() - sent;
    assert.notEqual(run.exitCode, 0);
    assert.match(run.output, /\^C received; terminating/);
    // The CLI shows the provider's last words, then ends the update as cancelled.
    assert.match(
      run.output,
      new RegExp(`interrupted: cancelled indexing job ${uuid} of knowledge base ${kb.uuid}`),
    );
    assert.match(run.output, /long-index creating \(interrupted\)/);
    assert.match(run.output, /error: update cancelled/);
    assert.ok(
      exitedAfterMs < 5_000,
      `the CLI exited ${exitedAfterMs} ms after the second Ctrl-C, before any SIGKILL`,
    );
    assert.deepEqual(
      cancels(sim).map((r) => r.path),
      [`/v2/gen-ai/indexing_jobs/${uuid}/cancel`],
      "the provider cancelled its job on the SIGINT the CLI passed on",
    );
    assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_CANCELLED");
    const exported = await stack.export();
    assert.deepEqual(pendingOperations(exported), [
      {
        type: "creating",
        urn: "urn:pulumi:dev::gradient-e2e::pulumi-nodejs:dynamic/gradient:IndexingJob::long-index",
      },
    ]);
    assert.deepEqual(jobResources(exported), [], "the interrupted create recorded no resource");
  });

  it("the next `pulumi up` warns of the pending create and runs one job; `refresh --clear-pending-creates` clears it", async () => {
    sim.clearRequests();
    const run = await stack.run("up");
    assert.equal(run.exitCode, 0, run.output);
    assert.match(
      run.output,
      /warning: Attempting to deploy or update resources with 1 pending operations from previous deployment/,
    );
    assert.match(run.output, /long-index, interrupted while creating/);
    assert.equal(
      starts(sim).length,
      1,
      "one new job: the cancelled one is not in the way, none is duplicated",
    );
    let exported = await stack.export();
    const [resource] = jobResources(exported);
    assert.ok(resource);
    assert.notEqual(resource.id, interrupted);
    // Nothing runs unrecorded: every job is finished, cancelled, or the state's.
    for (const job of sim.jobs()) {
      const ended = ["BATCH_JOB_PHASE_SUCCEEDED", "BATCH_JOB_PHASE_CANCELLED"].includes(String(job.phase));
      assert.ok(ended || job.uuid === resource.id, `job ${job.uuid} (${job.phase}) runs unrecorded`);
    }
    // A successful `up` does not clear the pending create: only refresh does.
    assert.equal(pendingOperations(exported).length, 1);

    sim.clearRequests();
    const refresh = await stack.run("refresh", { clearPendingCreates: true });
    assert.equal(refresh.exitCode, 0, refresh.output);
    exported = await stack.export();
    assert.deepEqual(pendingOperations(exported), []);
    assert.deepEqual(
      jobResources(exported).map((r) => r.id),
      [resource.id],
    );
    assert.equal(starts(sim).length, 0);
  });
});
