/**
 * An IndexingJob's life under the real Pulumi CLI, against the simulator: `pulumi preview`, `up`, an
 * unchanged `up`, a change, a failed job, `refresh` and `destroy`. Each step asserts on what the CLI
 * printed, on `pulumi stack export`, and on the simulator's request log.
 */
import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { startSimulator, type Simulator } from "../../simulator";
import { installedPackage } from "../helpers/installed";
import { CliStack, useCli, type CliRun, simulatorConfig } from "../helpers/pulumi-cli";
import { callApi } from "../helpers/sim-api";
import { apiCalls, jobResources, starts, cancels, type StateResource } from "./state";

const { IndexingJob } = installedPackage();

/** The quickest polling the `poll` input allows: jobs here last seconds. */
const POLL = { firstDelayMs: 1_000, maxDelayMs: 1_000 };

interface Args {
  dataSourceUuids: string[];
  triggers: Record<string, string>;
  waitForCompletion?: boolean;
}

/** The newest job the simulator knows. */
function newestJob(sim: Simulator): { uuid: string; phase?: string; status?: string } {
  const job = sim.jobs()[0];
  assert.ok(job?.uuid, "no job at the simulator");
  return { ...job, uuid: job.uuid };
}

function expectOk(run: CliRun): void {
  assert.equal(run.exitCode, 0, `pulumi ${run.command} failed:\n${run.output}`);
}

describe("e2e: an IndexingJob's life under the Pulumi CLI", function () {
  this.timeout(120_000);
  const cli = useCli();
  let sim: Simulator;
  let kb: { uuid: string; dataSourceUuids: string[] };
  let stack: CliStack;
  const args: Args = { dataSourceUuids: [], triggers: { docs: "v1" } };

  const program = async (): Promise<Record<string, pulumi.Output<unknown>>> => {
    const job = new IndexingJob("docs-index", {
      knowledgeBaseUuid: kb.uuid,
      dataSourceUuids: args.dataSourceUuids,
      triggers: args.triggers,
      timeout: "2m",
      poll: POLL,
      ...(args.waitForCompletion !== undefined && { waitForCompletion: args.waitForCompletion }),
    });
    return { uuid: job.uuid, status: job.status, totalItemsIndexed: job.totalItemsIndexed };
  };

  before(async () => {
    sim = await startSimulator({ defaultJobPlan: { pendingMs: 300, durationMs: 2_500 } });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 40 }, { items: 60 }] });
    args.dataSourceUuids = [kb.dataSourceUuids[0]!];
    stack = await CliStack.create({
      cliDir: cli(),
      program,
      config: simulatorConfig(sim),
    });
  });
  after(async () => {
    stack?.dispose();
    await sim?.close();
  });

  let firstJob: string;

  it("`pulumi preview` of a new stack shows the create and starts nothing", async () => {
    const run = await stack.run("preview");
    expectOk(run);
    assert.match(run.output, /\+\s+pulumi-nodejs:dynamic\/gradient:IndexingJob\s+docs-index\s+create/);
    assert.match(run.output, /2 to create/); // the stack and the IndexingJob
    assert.deepEqual(apiCalls(sim), [], "a preview makes no API call");
  });

  it("`pulumi up` starts one job, waits for it, shows progress and exports its outputs", async () => {
    const run = await stack.run("up");
    expectOk(run);
    assert.equal(starts(sim).length, 1, "one job started");
    const job = newestJob(sim);
    firstJob = job.uuid;
    assert.equal(job.status, "INDEX_JOB_STATUS_COMPLETED");
    // The provider's progress lines, as the CLI shows a provider's console output.
    assert.match(
      run.output,
      new RegExp(
        `indexing job ${job.uuid.slice(0, 8)}… of knowledge base ${kb.uuid.slice(0, 8)}…: \\S+, 0/1 data sources`,
      ),
    );
    assert.match(run.output, /1\/1 data sources, 40\/40 items indexed/);
    assert.match(run.output, /\+\s+pulumi-nodejs:dynamic\/gradient:IndexingJob\s+docs-index\s+created/);
    const outputs = await stack.outputs();
    assert.equal(outputs.uuid?.value, job.uuid);
    assert.equal(outputs.status?.value, "INDEX_JOB_STATUS_COMPLETED");
    assert.equal(outputs.totalItemsIndexed?.value, 40);
    const [resource] = jobResources(await stack.export());
    assert.equal(resource?.id, job.uuid, "the resource id is the job");
    assert.equal(resource?.outputs.ownJob, true);
  });

  it("a second `pulumi up` with nothing changed makes no API call and starts no job", async () => {
    sim.clearRequests();
    const run = await stack.run("up");
    expectOk(run);
    assert.match(run.output, /2 unchanged/);
    assert.deepEqual(apiCalls(sim), [], "an unchanged up makes no API call");
    assert.equal(sim.jobs().length, 1);
  });

  it("new `triggers`: `preview` shows a replace on triggers, `up` runs exactly one new job", async () => {
    args.triggers = { docs: "v2" };
    sim.clearRequests();
    const preview = await stack.run("preview", { diff: true });
    expectOk(preview);
    assert.match(preview.output, /\+-pulumi-nodejs:dynamic\/gradient:IndexingJob: \(replace\)/);
    assert.match(preview.output, /~ triggers\s*:/);
    assert.match(preview.output, /1 to replace/);
    assert.deepEqual(apiCalls(sim), [], "a preview makes no API call");

    const up = await stack.run("up");
    expectOk(up);
    assert.equal(starts(sim).length, 1, "exactly one new job");
    assert.match(up.output, /1 replaced/);
    const [resource] = jobResources(await stack.export());
    assert.equal(resource?.id, newestJob(sim).uuid);
    assert.notEqual(resource?.id, firstJob);
  });

  it("a data source added: `preview` shows a replace on dataSourceUuids, `up` runs one job of both", async () => {
    args.dataSourceUuids = [...kb.dataSourceUuids];
    sim.clearRequests();
    const preview = await stack.run("preview", { diff: true });
    expectOk(preview);
    assert.match(preview.output, /\+-pulumi-nodejs:dynamic\/gradient:IndexingJob: \(replace\)/);
    assert.match(preview.output, /~ dataSourceUuids\s*:/);
    assert.doesNotMatch(preview.output, /~ triggers/);

    const up = await stack.run("up");
    expectOk(up);
    const posted = starts(sim);
    assert.equal(posted.length, 1, "exactly one new job");
    assert.deepEqual(
      [...((posted[0]!.body as { data_source_uuids: string[] }).data_source_uuids ?? [])].sort(),
      [...kb.dataSourceUuids].sort(),
    );
  });

  let failedJob: string;
  let failedId: string;

  it("a job that fails: `up` exits non-zero with the job's reason, and the job is in the state", async () => {
    sim.planNextJob(kb.uuid, { outcome: "failed", durationMs: 1_500 });
    args.triggers = { docs: "v3" };
    sim.clearRequests();
    const run = await stack.run("up");
    assert.notEqual(run.exitCode, 0, "a failed job fails the deploy");
    failedJob = newestJob(sim).uuid;
    assert.equal(starts(sim).length, 1);
    // The job's own reason: its status and each failed data source's error_msg and error_details.
    assert.match(run.output, new RegExp(`Indexing job ${failedJob} of knowledge base ${kb.uuid} failed`));
    assert.match(run.output, /indexing_failed: simulated failure: \d+ of \d+ items could not be indexed/);
    const resources = jobResources(await stack.export());
    const failed = resources.find((r) => r.outputs.uuid === failedJob);
    assert.ok(failed, `the failed job is recorded in the state: ${JSON.stringify(resources)}`);
    assert.equal(failed.outputs.phase, "BATCH_JOB_PHASE_FAILED");
    failedId = failed.id;
  });

  it("the next `up` updates that resource with one new job (the README's retry)", async () => {
    sim.clearRequests();
    const preview = await stack.run("preview", { diff: true });
    expectOk(preview);
    // The replaced resource was never deleted (its replacement failed); the failed one is updated.
    assert.match(preview.output, /~ pulumi-nodejs:dynamic\/gradient:IndexingJob: \(update\)/);
    const run = await stack.run("up");
    expectOk(run);
    assert.equal(starts(sim).length, 1, "one new job, no more");
    const resources = jobResources(await stack.export());
    assert.equal(resources.length, 1, "the replaced resource was deleted once its replacement succeeded");
    assert.equal(resources[0]!.id, failedId, "the id stays the first run's");
    assert.notEqual(resources[0]!.outputs.uuid, failedJob, "uuid follows the new job");
    assert.equal(resources[0]!.outputs.status, "INDEX_JOB_STATUS_COMPLETED");
  });

  it("`pulumi refresh` with the job gone keeps the recorded run (its knowledge base exists)", async () => {
    const [before] = jobResources(await stack.export());
    sim.forgetJob(String(before!.outputs.uuid));
    sim.clearRequests();
    const run = await stack.run("refresh");
    expectOk(run);
    assert.equal(starts(sim).length, 0);
    const [after] = jobResources(await stack.export());
    assert.equal(after?.id, before!.id);
    assert.equal(after?.outputs.uuid, before!.outputs.uuid);
    const up = await stack.run("up");
    expectOk(up);
    assert.equal(starts(sim).length, 0, "no reindex because the API forgot an old job");
  });

  it("`pulumi destroy` cancels our job that still runs, never a job that is not ours", async () => {
    args.waitForCompletion = false;
    args.triggers = { docs: "v4" };
    sim.planNextJob(kb.uuid, { durationMs: 120_000 });
    const up = await stack.run("up");
    expectOk(up);
    const ours = newestJob(sim);
    assert.equal(ours.phase, "BATCH_JOB_PHASE_RUNNING");
    // Someone else's job on another knowledge base (another stack, the control panel).
    const other = sim.seedKnowledgeBase({ name: "other", dataSources: [{ items: 5 }] });
    sim.planNextJob(other.uuid, { durationMs: 120_000 });
    const answer = await callApi(sim, "POST", "/v2/gen-ai/indexing_jobs", {
      knowledge_base_uuid: other.uuid,
    });
    const othersJob = String((answer.body.job as { uuid: string }).uuid);

    sim.clearRequests();
    const run = await stack.run("destroy");
    expectOk(run);
    assert.match(run.output, /2 deleted/);
    assert.deepEqual(
      cancels(sim).map((r) => r.path),
      [`/v2/gen-ai/indexing_jobs/${ours.uuid}/cancel`],
    );
    assert.equal(sim.job(ours.uuid)?.phase, "BATCH_JOB_PHASE_CANCELLED");
    assert.equal(sim.job(othersJob)?.phase, "BATCH_JOB_PHASE_RUNNING", "not ours: left alone");
    assert.deepEqual(jobResources(await stack.export()), []);
  });
});

describe("e2e: `pulumi refresh` with the knowledge base gone", function () {
  this.timeout(120_000);
  const cli = useCli();
  let sim: Simulator;
  let stack: CliStack;

  after(async () => {
    stack?.dispose();
    await sim?.close();
  });

  it("keeps the IndexingJob while its job still answers; removes it once the job is gone too", async () => {
    sim = await startSimulator({ defaultJobPlan: { pendingMs: 200, durationMs: 1_000 } });
    const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 10 }] });
    stack = await CliStack.create({
      cliDir: cli(),
      program: async () => {
        new IndexingJob("gone-index", { knowledgeBaseUuid: kb.uuid, poll: POLL });
        return {};
      },
      config: simulatorConfig(sim),
    });
    expectOk(await stack.run("up"));
    assert.equal(jobResources(await stack.export()).length, 1);
    const deleted = await callApi(sim, "DELETE", `/v2/gen-ai/knowledge_bases/${kb.uuid}`);
    assert.equal(deleted.status, 200);
    // Refresh reads the job first: while the API still shows it, the recorded run stands.
    const kept = await stack.run("refresh");
    expectOk(kept);
    assert.match(kept.output, /2 unchanged/);
    assert.equal(jobResources(await stack.export()).length, 1);

    const [resource] = jobResources(await stack.export());
    sim.forgetJob(resource!.id);
    const run = await stack.run("refresh");
    expectOk(run);
    assert.match(run.output, /-\s+pulumi-nodejs:dynamic\/gradient:IndexingJob\s+gone-index\s+deleted/);
    assert.deepEqual(jobResources(await stack.export()), [] as StateResource[]);
  });
});
