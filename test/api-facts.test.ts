/**
 * Issue 16's facts about DigitalOcean's API, each switched on in the simulator, driven through Pulumi's
 * real dynamic-provider host: read-after-write lag, the job object of the November 2025 spec, statuses
 * outside the spec, clocks that disagree, the latest-15 job list, busy refusals of any status and
 * wording, outages during the start, late cancels, cancels refused as the job ends, dead databases and
 * the reindex after a data source is deleted.
 */
import * as assert from "node:assert/strict";
import { startSimulator, type Simulator, type SimulatorOptions } from "../simulator";
import { HostError, ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";
import { callApi, startOthersJob as startOthers } from "./helpers/sim-api";

const { IndexingJobProvider } = installedPackage();

// The API's lag as the provider allows for it: 5 s, so that a start without an answer is looked for
// that long before another is sent.
const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400, apiLagMs: 5_000 };
const JOBS_PATH = "/v2/gen-ai/indexing_jobs";

type Props = Record<string, unknown>;

/** Waits (at most 10 s) until `condition` holds: the simulator runs on real time here. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("IndexingJob on the facts of DigitalOcean's API (through the Pulumi host)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;
  let provider: string;

  const starts = () => sim.requests.filter((r) => r.method === "POST" && r.path === JOBS_PATH);
  const cancels = () => sim.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/cancel"));
  const inputs = (knowledgeBaseUuid: string, extra: Props = {}): Props => ({
    __provider: provider,
    knowledgeBaseUuid,
    ...extra,
  });

  async function begin(options: SimulatorOptions = {}): Promise<void> {
    sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 600 },
      ...options,
    });
    host = await ProviderHost.start();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
  }

  const startOthersJob = (kbUuid: string) => startOthers(sim, kbUuid);

  /** A knowledge base created through the API, as @pulumi/digitalocean creates one. */
  async function createKnowledgeBase(): Promise<string> {
    const answer = await callApi(sim, "POST", "/v2/gen-ai/knowledge_bases", {
      name: "docs",
      region: "tor1",
      datasources: [{ spaces_data_source: { bucket_name: "docs", item_path: "/", region: "tor1" } }],
    });
    return String((answer.body.knowledge_base as { uuid: string }).uuid);
  }

  before(async () => {
    provider = await serializeProvider(
      new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 6_000 }),
    );
  });

  afterEach(async () => {
    await host?.stop();
    await sim?.close();
  });

  describe("1. a new job is missing from GETs and lists for a while", () => {
    it("create, a reindex and a failure ride out the 404s; destroy still cancels the unseen job", async () => {
      await begin({ readAfterWriteLagMs: 1_500 });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 4 }, { items: 4 }] });
      const first = await host.create(inputs(kb.uuid, { triggers: { v: 1 } }));
      assert.equal(first.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.ok(
        sim.requests.some(
          (r) => r.method === "GET" && r.path === `${JOBS_PATH}/${first.id}` && r.status === 404,
        ),
        "the lag was never seen: the test proves nothing",
      );
      const diff = await host.diff(first.id, first.outs, inputs(kb.uuid, { triggers: { v: 2 } }));
      assert.deepEqual(diff.replaces, ["triggers"]);
      const second = await host.create(inputs(kb.uuid, { triggers: { v: 2 } }));
      assert.notEqual(second.id, first.id);
      assert.equal(starts().length, 2);

      sim.planNextJob(kb.uuid, { outcome: "failed" });
      const failed = await host.create(inputs(kb.uuid, { triggers: { v: 3 } })).catch((e: unknown) => e);
      assert.ok(failed instanceof HostError);
      assert.match(failed.message, /Indexing job .* failed \(FAILED\/FAILED\)/);

      sim.planNextJob(kb.uuid, { durationMs: 30_000 });
      const running = await host.create(inputs(kb.uuid, { triggers: { v: 4 }, waitForCompletion: false }));
      await host.delete(running.id, running.outs);
      assert.equal(cancels().length, 1, "the job the API did not show yet was not cancelled");
    });

    it("the deploy after a timeout resumes its job even while the API does not show it yet", async () => {
      await begin({ readAfterWriteLagMs: 3_000 });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 4 }] });
      sim.planNextJob(kb.uuid, { durationMs: 4_000 });
      const error = await host.create(inputs(kb.uuid, { timeout: "1s" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError && error.initFailure, "the create did not time out");
      const { id, properties } = error.initFailure;
      const { outs } = await host.update(id, properties, inputs(kb.uuid, { timeout: "1m" }));
      assert.equal(sim.jobs().length, 1, "a second job was started instead of resuming");
      assert.equal(outs.uuid, id);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
    });

    it("a job someone started just before, not yet listed, is waited for once it shows", async () => {
      await begin({ readAfterWriteLagMs: 1_000, concurrentStartStatus: 409 });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 4 }] });
      sim.planNextJob(kb.uuid, { durationMs: 2_000 });
      const others = await startOthersJob(kb.uuid);
      const { id, outs } = await host.create(inputs(kb.uuid));
      // Absent from our first listing, but first seen after it refused our start: it may have started
      // before the deploy (it did), so it is waited for, and our own job runs after it.
      assert.notEqual(id, others, "a job that began before the deploy passed as its run");
      assert.equal(sim.jobs().length, 2);
      assert.equal(outs.ownJob, true);
      assert.equal(sim.job(others)?.status, "INDEX_JOB_STATUS_COMPLETED");
    });
  });

  describe("2. the job object of the spec as of November 2025", () => {
    it("no job-level totals: outputs claim no counts the API did not give, progress lines neither", async () => {
      await begin({ sourceCounts: "at-end" });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }, { items: 7 }] });
      sim.planNextJob(kb.uuid, { durationMs: 30_000 });
      const started = await host.create(inputs(kb.uuid, { waitForCompletion: false }));
      for (const key of ["totalItemsIndexed", "totalItemsFailed", "totalItemsSkipped", "totalTokens"])
        assert.equal(started.outs[key], undefined, `${key} claimed while the API said nothing`);
      await host.delete(started.id, started.outs);

      const done = await host.create(inputs(kb.uuid, { triggers: 2 }));
      assert.equal(done.outs.totalItemsIndexed, 12, "summed from the data sources once each reported");
      assert.equal(done.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.doesNotMatch(host.output(), /\b0\/\d+ items indexed|\b0 items indexed/);
    });

    it("a job stopped half-way (timeout): no total from the data sources that reported so far", async () => {
      await begin({ sourceCounts: "at-end" });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }, { items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 3_000 });
      const error = await host.create(inputs(kb.uuid, { timeout: "2500ms" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      const partial = error.initFailure?.properties ?? {};
      const reported = (partial.dataSourceJobs as Props[]).filter((j) => j.indexedItemCount !== undefined);
      assert.equal(reported.length, 1, "the first data source had not reported: the test proves nothing");
      assert.equal(partial.totalItemsIndexed, undefined, "a sum over some data sources was claimed");
      assert.doesNotMatch(host.output(), /items indexed/);
    });

    it("a failure with per-source counts only at the end still names the failed data source", async () => {
      await begin({ sourceCounts: "at-end" });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }, { items: 7 }] });
      const failing = kb.dataSourceUuids[1] ?? "";
      sim.planNextJob(kb.uuid, { outcome: "partial", failingDataSources: [failing] });
      const error = await host.create(inputs(kb.uuid, { failOnPartial: true })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, new RegExp(`data source ${failing} FAILED \\(7 items failed\\)`));
    });
  });

  describe("3. statuses and phases outside the spec", () => {
    it("INDEX_JOB_STATUS_RUNNING and a new phase while running: waits for the spec's terminal phase", async () => {
      await begin({ runningStatus: "INDEX_JOB_STATUS_RUNNING", runningPhase: "BATCH_JOB_PHASE_INDEXING" });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 1_500 });
      const { outs } = await host.create(inputs(kb.uuid));
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.match(host.output(), /INDEXING\/INDEX_JOB_STATUS_RUNNING|INDEXING\/RUNNING/);
    });

    it("an unknown phase with a final-looking status never ends the wait: the timeout does", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      const finished = {
        uuid: "0b1c2d3e-0000-4000-8000-000000000001",
        knowledge_base_uuid: kb.uuid,
        phase: "BATCH_JOB_PHASE_ARCHIVED",
        status: "INDEX_JOB_STATUS_COMPLETED",
        finished_at: "2026-01-01T00:00:00Z",
      };
      sim.injectFault({
        kind: "status",
        status: 200,
        body: { job: finished },
        times: 1_000,
        match: { method: "GET", path: /^\/v2\/gen-ai\/indexing_jobs\/[^/]+$/ },
      });
      const error = await host.create(inputs(kb.uuid, { timeout: "2s" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, /did not finish within 2s/);
    });
  });

  describe("4. the Date header and job timestamps from different clocks", () => {
    for (const skew of [2_000, -2_000]) {
      it(`a job in the first listing is never this deploy's run (timestamps ${skew > 0 ? "ahead" : "behind"})`, async () => {
        await begin({ timestampSkewMs: skew, subSecondTimestamps: true });
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
        sim.planNextJob(kb.uuid, { durationMs: 1_500 });
        const others = await startOthersJob(kb.uuid);
        const { id, outs } = await host.create(inputs(kb.uuid));
        assert.notEqual(id, others, "a run that began before this deploy passed as its reindex");
        assert.equal(starts().length, 2);
        assert.equal(outs.ownJob, true);
        assert.match(String(outs.createdAt), /\.\d{6}Z$/);
      });
    }
  });

  describe("5. the knowledge base's job list holds the latest 15", () => {
    it("a knowledge base with 20 past jobs: one new job, ours", async () => {
      await begin({ defaultJobPlan: { pendingMs: 0, durationMs: 0 } });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      for (let i = 0; i < 20; i++) await startOthersJob(kb.uuid);
      sim.planJobs(kb.uuid, { pendingMs: 100, durationMs: 600 });
      const listed = await callApi(
        sim,
        "GET",
        `/v2/gen-ai/knowledge_bases/${kb.uuid}/indexing_jobs?per_page=100`,
      );
      assert.equal((listed.body.jobs as unknown[]).length, 15);
      const { id, outs } = await host.create(inputs(kb.uuid));
      assert.equal(sim.jobs().length, 21);
      assert.equal(id, sim.jobs()[0]?.uuid);
      assert.equal(outs.ownJob, true);
    });
  });

  describe("6. a busy knowledge base refuses with any status and wording", () => {
    const variants: [number, string][] = [
      [412, "an indexing job is already in progress"],
      [422, "conflict"],
      [409, "knowledge base {kb} already has an indexing job running"],
      [500, "an indexing job is already in progress"],
    ];
    for (const [status, message] of variants) {
      it(`HTTP ${status} "${message}": the job list decides, once it shows the job in the way, then ours runs`, async () => {
        await begin({
          concurrentStartStatus: status,
          concurrentStartMessage: message,
          readAfterWriteLagMs: 1_000,
        });
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
        sim.planNextJob(kb.uuid, { durationMs: 2_000 });
        // Someone's job starts after our first look and just before our start, which is refused; the
        // job list does not show that job yet.
        sim.injectFault({ kind: "latency", ms: 600, match: { method: "POST", path: JOBS_PATH } });
        const creating = host.create(inputs(kb.uuid));
        // Our start has arrived (and is held back): the other one overtakes it.
        const held = () => sim.requests.some((r) => r.method === "POST" && r.fault === "latency");
        while (!held()) await new Promise((r) => setTimeout(r, 10));
        const others = await startOthersJob(kb.uuid);
        const { id, outs } = await creating;
        assert.ok(
          sim.requests.some((r) => r.method === "POST" && r.status === status),
          "no refusal was seen: the test proves nothing",
        );
        if (status >= 500) {
          // A 5xx may come after the API acted: the job over exactly what we asked for that shows is
          // taken, and no second job starts.
          assert.equal(id, others);
          assert.equal(sim.jobs().length, 1);
          return;
        }
        // First seen after the refusal, the other job may have begun before us: waited for, then ours.
        assert.notEqual(id, others);
        assert.equal(outs.ownJob, true);
        assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
        assert.equal(sim.jobs().length, 2);
      });
    }
  });

  describe("7. outages while starting", () => {
    for (const fault of ["429", "429-retry-after", "503", "drop", "drop-after"] as const) {
      it(`a start met by ${fault} is waited out: exactly one job, ours`, async () => {
        await begin({ startFaults: [fault, fault] });
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
        const { id, outs } = await host.create(inputs(kb.uuid));
        assert.equal(sim.jobs().length, 1, "a start was sent again blindly");
        assert.equal(id, sim.jobs()[0]?.uuid);
        assert.equal(outs.ownJob, true);
        assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      });
    }

    for (const fault of ["502-after", "504-after", "drop-after"] as const) {
      it(`a start met by ${fault} (the API acted) while lists lag: one job, ours, never a second`, async () => {
        await begin({ readAfterWriteLagMs: 2_500, startFaults: [fault] });
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
        const { id, outs } = await host.create(inputs(kb.uuid));
        assert.equal(sim.jobs().length, 1, "a second job was started");
        assert.equal(id, sim.jobs()[0]?.uuid);
        assert.equal(outs.ownJob, true, "the job our start made was not recorded as ours");
        assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      });
    }

    it("a lost answer near the deadline: the error says a job may run, the state records the start, the next up takes that job", async () => {
      await begin({ readAfterWriteLagMs: 4_000, startFaults: ["drop-after"] });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 1_000 });
      const error = await host.create(inputs(kb.uuid, { timeout: "2s" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError && error.initFailure, "the start was not recorded");
      assert.match(error.message, /may have started a job/);
      assert.doesNotMatch(error.message, /no indexing job was started/);
      const { id, properties } = error.initFailure;
      assert.ok(properties.unconfirmedStart, "nothing in the state finds the job");
      assert.equal(sim.jobs().length, 1, "the API did not start the job: the test proves nothing");
      await new Promise((r) => setTimeout(r, 4_000));
      const { outs } = await host.update(id, properties, inputs(kb.uuid, { timeout: "1m" }));
      assert.equal(starts().length, 1, "a second job was started");
      assert.equal(outs.uuid, sim.jobs()[0]?.uuid);
      assert.equal(outs.ownJob, true);
      assert.equal(outs.unconfirmedStart, undefined);
    });

    it("refresh and destroy of a recorded unconfirmed start find its job: destroy cancels it", async () => {
      await begin({ readAfterWriteLagMs: 4_000, startFaults: ["drop-after"] });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 60_000 });
      const error = await host.create(inputs(kb.uuid, { timeout: "2s" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError && error.initFailure);
      const { id, properties } = error.initFailure;
      await new Promise((r) => setTimeout(r, 4_000));
      const refreshed = await host.read(id, properties);
      assert.equal(refreshed.props.uuid, sim.jobs()[0]?.uuid, "refresh did not find the job");
      await host.delete(id, properties);
      assert.equal(cancels().length, 1, "destroy left the job running, unrecorded");
    });

    it("no answer, then someone else's job over more data sources: the run, never ours to cancel", async () => {
      await begin({ startFaults: ["drop"] });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }, { items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 3_000 });
      const [mine] = kb.dataSourceUuids;
      const creating = host.create(inputs(kb.uuid, { dataSourceUuids: [mine] }));
      while (!sim.requests.some((r) => r.method === "POST" && r.fault === "drop"))
        await new Promise((r) => setTimeout(r, 10));
      const others = await startOthers(sim, kb.uuid, kb.dataSourceUuids);
      const { id, outs } = await creating;
      assert.equal(id, others);
      assert.equal(outs.ownJob, false, "someone else's job was taken as ours");
      await host.delete(id, { ...outs, phase: "BATCH_JOB_PHASE_RUNNING" });
      assert.equal(cancels().length, 0, "destroy cancelled someone else's job");
    });
  });

  describe("8. a cancel takes effect later", () => {
    it("destroy returns once the cancel is accepted; the job ends CANCELLED afterwards", async () => {
      await begin({ cancelDelayMs: 2_000 });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 60_000 });
      const { id, outs } = await host.create(inputs(kb.uuid, { waitForCompletion: false }));
      const sent = Date.now();
      await host.delete(id, outs);
      assert.ok(Date.now() - sent < 1_500, "destroy waited for the cancel to take effect");
      assert.match(String(sim.job(id)?.phase), /PENDING|RUNNING/);
      await new Promise((r) => setTimeout(r, 2_200));
      assert.equal(sim.job(id)?.phase, "BATCH_JOB_PHASE_CANCELLED");
    });

    it("new triggers while our job runs (waitForCompletion: false): cancel it first, then start anew", async () => {
      await begin({ cancelDelayMs: 1_000 });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 60_000 });
      const old = await host.create(inputs(kb.uuid, { waitForCompletion: false, triggers: 1 }));
      const news = inputs(kb.uuid, { waitForCompletion: false, triggers: 2 });
      const diff = await host.diff(old.id, old.outs, news);
      assert.deepEqual(diff.replaces, ["triggers"]);
      assert.equal(diff.deleteBeforeReplace, true);
      const began = Date.now();
      await host.delete(old.id, old.outs);
      const fresh = await host.create(news);
      assert.ok(Date.now() - began < 20_000, "the new run waited for the superseded one to finish");
      assert.equal(sim.job(old.id)?.phase, "BATCH_JOB_PHASE_CANCELLED");
      assert.notEqual(fresh.id, old.id);
      assert.equal(fresh.outs.ownJob, true);
    });
  });

  describe("8b. a cancel that arrives as the job ends is refused", () => {
    for (const status of [400, 409, 412]) {
      it(`destroy while the job ends: the cancel refused with ${status}, the job is seen ended, destroy succeeds`, async () => {
        await begin({ cancelRefusedStatus: status });
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
        sim.planNextJob(kb.uuid, { durationMs: 60_000 });
        const { id, outs } = await host.create(inputs(kb.uuid, { waitForCompletion: false }));
        await host.delete(id, outs);
        assert.deepEqual(
          cancels().map((r) => r.status),
          [status],
          "no refused cancel: the test proves nothing",
        );
        assert.equal(sim.job(id)?.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      });
    }

    it("a refused cancel of a job that still runs fails destroy with the API's words", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.planNextJob(kb.uuid, { durationMs: 60_000 });
      const { id, outs } = await host.create(inputs(kb.uuid, { waitForCompletion: false }));
      sim.injectFault({
        kind: "status",
        status: 409,
        body: { id: "conflict", message: "indexing job is locked", request_id: "r" },
        match: { method: "PUT" },
      });
      const error = await host.delete(id, outs).catch((e: unknown) => e);
      assert.ok(error instanceof HostError, "destroy succeeded while the job runs on");
      assert.match(
        error.message,
        new RegExp(`Could not cancel indexing job ${id}, which still runs: .*indexing job is locked`),
      );
      assert.match(String(sim.job(id)?.phase), /PENDING|RUNNING/);
    });
  });

  describe("9. a new knowledge base's database", () => {
    for (const status of ["UNHEALTHY", "DECOMMISSIONED"] as const) {
      it(`${status}: fails at once, naming the knowledge base and the status`, async () => {
        await begin({ provisioningMs: 300, provisioningOutcome: status });
        const kb = await createKnowledgeBase();
        await new Promise((r) => setTimeout(r, 400));
        const started = Date.now();
        const error = await host.create(inputs(kb, { timeout: "10m" })).catch((e: unknown) => e);
        assert.ok(error instanceof HostError);
        assert.match(
          error.message,
          new RegExp(`Knowledge base ${kb} cannot index: its database is ${status}`),
        );
        assert.ok(Date.now() - started < 5_000, "waited for a database that will never be ready");
        assert.ok(starts().length <= 1);
      });
    }
  });

  describe("behaviour no fact covers", () => {
    it("an in-place update makes no API call; failOnPartial turned on after a PARTIAL run replaces", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }, { items: 5 }] });
      sim.planNextJob(kb.uuid, { outcome: "partial" });
      const { id, outs } = await host.create(inputs(kb.uuid));
      assert.equal(outs.status, "INDEX_JOB_STATUS_PARTIAL");
      const seen = sim.requests.length;
      for (const change of [
        { timeout: "2h" },
        { cancelOnInterrupt: false },
        { poll: { firstDelayMs: 2_000 } },
      ]) {
        const news = inputs(kb.uuid, change);
        const diff = await host.diff(id, outs, news);
        assert.equal(diff.changes, "some");
        assert.deepEqual(diff.replaces, []);
        await host.update(id, outs, news);
      }
      assert.equal(sim.requests.length, seen, "an in-place update called the API");
      const strict = await host.diff(id, outs, inputs(kb.uuid, { failOnPartial: true }));
      assert.deepEqual(strict.replaces, ["failOnPartial"]);
      assert.equal(starts().length, 1);
    });

    it("waitForCompletion turned on: an update that waits for the recorded job; only a failed one runs anew", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      const ended = (uuid: string) => async () => !/PENDING|RUNNING/.test(String(sim.job(uuid)?.phase));
      /** A run recorded by a create that did not wait, then the same inputs but waiting. */
      const turnOnWaiting = async (triggers: number) => {
        const recorded = await host.create(inputs(kb.uuid, { waitForCompletion: false, triggers }));
        assert.match(String(recorded.outs.phase), /PENDING|RUNNING/, "recorded as running");
        const news = inputs(kb.uuid, { waitForCompletion: true, triggers });
        const diff = await host.diff(recorded.id, recorded.outs, news);
        assert.equal(diff.changes, "some");
        assert.deepEqual(diff.replaces, [], "a replace would cancel the job or run it again");
        return { recorded, update: () => host.update(recorded.id, recorded.outs, news) };
      };

      // Still running: waited for, not cancelled, no second job.
      sim.planNextJob(kb.uuid, { durationMs: 1_500 });
      const running = await turnOnWaiting(1);
      const waited = await running.update();
      assert.equal(waited.outs.uuid, running.recorded.id);
      assert.equal(waited.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(starts().length, 1);
      assert.equal(cancels().length, 0);

      // Ended well since it was recorded: its outcome is the update's.
      sim.planNextJob(kb.uuid, { durationMs: 200 });
      const succeeded = await turnOnWaiting(2);
      await until(ended(succeeded.recorded.id));
      const kept = await succeeded.update();
      assert.equal(kept.outs.uuid, succeeded.recorded.id);
      assert.equal(kept.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(starts().length, 2);

      // Failed since it was recorded: a new run, as after a failed create.
      sim.planNextJob(kb.uuid, { durationMs: 200, outcome: "failed" });
      const failed = await turnOnWaiting(3);
      await until(ended(failed.recorded.id));
      const rerun = await failed.update();
      assert.notEqual(rerun.outs.uuid, failed.recorded.id);
      assert.equal(rerun.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(starts().length, 4);
      assert.equal(cancels().length, 0);
    });

    it("check refuses poll values below 1 s, naming the field", async () => {
      await begin();
      const { failures } = await host.check(
        {},
        inputs(sim.seedKnowledgeBase().uuid, { poll: { firstDelayMs: 200 } }),
      );
      // A known setting, so that the refusal is about its value (an unknown key is refused anyway).
      assert.deepEqual(failures, [
        { property: "poll.firstDelayMs", reason: "must be at least 1000 (1 s), got 200" },
      ]);
      assert.equal(sim.requests.length, 0);
    });
  });

  describe("10. deleting a data source makes DigitalOcean reindex by itself", () => {
    it("the reindex that ran when the deploy began is waited for, then the drift's run is ours", async () => {
      await begin({ reindexOnDataSourceDelete: true });
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }, { items: 5 }] });
      const { id, outs } = await host.create(inputs(kb.uuid));
      sim.planNextJob(kb.uuid, { durationMs: 1_500 });
      sim.removeDataSource(kb.uuid, kb.dataSourceUuids[1] ?? "");
      const reindex = sim.jobs()[0]?.uuid ?? "";
      assert.notEqual(reindex, id, "the simulator did not reindex: the test proves nothing");
      const refreshed = await host.read(id, outs);
      const diff = await host.diff(id, refreshed.props, inputs(kb.uuid));
      assert.deepEqual(diff.replaces, ["knowledgeBaseDataSourceUuids"]);
      const before = starts().length;
      // Documents uploaded after the reindex began are not in it: this deploy's run starts after it.
      const next = await host.create(inputs(kb.uuid));
      assert.notEqual(next.id, reindex, "a job that ran before the deploy began passed as its run");
      assert.equal(starts().length, before + 1);
      assert.equal(sim.job(reindex)?.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(next.outs.ownJob, true);
    });
  });
});
