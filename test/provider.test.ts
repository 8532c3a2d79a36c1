/**
 * IndexingJobProvider driven exactly as `pulumi up` drives it: serialized by Pulumi's closure
 * serializer, loaded by Pulumi's own dynamic-provider host, called over gRPC, against the simulator.
 */
import * as assert from "node:assert/strict";
import { ManualClock, startSimulator, type Simulator } from "../simulator";
import { HostError, ProviderHost, UNKNOWN, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const { IndexingJobProvider } = installedPackage();

const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };
const UUID_A = "11111111-1111-4111-8111-111111111111";
const UUID_B = "22222222-2222-4222-8222-222222222222";

type Props = Record<string, unknown>;

describe("IndexingJobProvider through the Pulumi dynamic-provider host", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;
  let provider: string;
  let kb: { uuid: string; dataSourceUuids: string[] };

  const apiCalls = () => sim.requests.filter((r) => !r.fault);
  const starts = () => apiCalls().filter((r) => r.method === "POST" && r.path === "/v2/gen-ai/indexing_jobs");
  const inputs = (extra: Props = {}): Props => ({
    __provider: provider,
    knowledgeBaseUuid: kb.uuid,
    ...extra,
  });

  /** A fresh simulator on a manual clock (jobs move only when the test says) and a host for it. */
  async function onManualClock(): Promise<ManualClock> {
    await host.stop();
    await sim.close();
    const clock = new ManualClock();
    sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 600 },
      clock,
    });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 20 }, { items: 30 }] });
    await startHost();
    return clock;
  }

  async function startHost(
    config: Props = { "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url },
  ) {
    host = await ProviderHost.start();
    await host.configure(config);
  }

  before(async () => {
    provider = await serializeProvider(
      new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 6_000 }),
    );
    assert.ok(provider.includes('"pulumi-gradient-indexing/handlers"'));
  });

  beforeEach(async () => {
    sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 600 },
    });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 20 }, { items: 30 }] });
    await startHost();
  });

  afterEach(async () => {
    await host.stop();
    await sim.close();
  });

  describe("check", () => {
    it("refuses bad input, naming each property, before any API call", async () => {
      const { failures } = await host.check(
        {},
        {
          __provider: provider,
          knowledgeBaseUuid: "docs",
          dataSourceUuids: [UUID_A, "nope", UUID_A],
          timeout: "soon",
          waitForCompletion: "yes",
          timout: "1h",
        },
      );
      const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
      assert.match(byProperty.knowledgeBaseUuid ?? "", /UUID/);
      assert.match(byProperty["dataSourceUuids[1]"] ?? "", /UUID/);
      assert.match(byProperty["dataSourceUuids[2]"] ?? "", /repeats/);
      assert.match(byProperty.timeout ?? "", /duration/);
      assert.match(byProperty.waitForCompletion ?? "", /true or false/);
      assert.match(byProperty.timout ?? "", /not an input/);
      assert.equal(sim.requests.length, 0);
    });

    it("refuses a missing knowledge base and a timeout that is not positive", async () => {
      const { failures } = await host.check({}, { __provider: provider, timeout: "0s" });
      assert.deepEqual(failures.map((f) => f.property).sort(), ["knowledgeBaseUuid", "timeout"]);
    });

    it("lets values unknown during a preview pass", async () => {
      const { failures } = await host.check(
        {},
        { __provider: provider, knowledgeBaseUuid: UNKNOWN, dataSourceUuids: [UNKNOWN], timeout: UNKNOWN },
      );
      assert.deepEqual(failures, []);
    });

    it("accepts good input as it is", async () => {
      const news = inputs({ dataSourceUuids: [UUID_A, UUID_B], timeout: "1h30m", triggers: { hash: "abc" } });
      const { inputs: checked, failures } = await host.check({}, news);
      assert.deepEqual(failures, []);
      assert.deepEqual(checked, news);
    });
  });

  describe("diff (no API call)", () => {
    const old = () => ({
      knowledgeBaseUuid: kb.uuid,
      dataSourceUuids: [UUID_A, UUID_B],
      triggers: { v: 1 },
      uuid: "x",
    });

    it("reports nothing for unchanged inputs, whatever the order and repeats of data sources", async () => {
      const same = await host.diff(
        "x",
        old(),
        inputs({ dataSourceUuids: [UUID_B, UUID_A, UUID_B], triggers: { v: 1 } }),
      );
      assert.equal(same.changes, "none");
      assert.equal(sim.requests.length, 0);
    });

    it("replaces on a new knowledge base, data source set or trigger", async () => {
      const cases: [Props, string][] = [
        [
          { knowledgeBaseUuid: UUID_A, dataSourceUuids: [UUID_A, UUID_B], triggers: { v: 1 } },
          "knowledgeBaseUuid",
        ],
        [{ dataSourceUuids: [UUID_A], triggers: { v: 1 } }, "dataSourceUuids"],
        [{ dataSourceUuids: [UUID_A, UUID_B], triggers: { v: 2 } }, "triggers"],
        [{ dataSourceUuids: [UUID_A, UUID_B], triggers: UNKNOWN }, "triggers"],
      ];
      for (const [change, property] of cases) {
        const result = await host.diff("x", old(), inputs(change));
        assert.equal(result.changes, "some", property);
        assert.deepEqual(result.replaces, [property]);
      }
      assert.equal(sim.requests.length, 0);
    });

    it("updates in place when only how to wait changed", async () => {
      const changes = [
        { timeout: "2h" },
        { waitForCompletion: false },
        { failOnPartial: true },
        { poll: { firstDelayMs: 2_000 } },
      ];
      for (const change of changes) {
        const result = await host.diff(
          "x",
          old(),
          inputs({ dataSourceUuids: [UUID_A, UUID_B], triggers: { v: 1 }, ...change }),
        );
        assert.equal(result.changes, "some");
        assert.deepEqual(result.replaces, []);
      }
      assert.equal(sim.requests.length, 0);
    });
  });

  describe("create", () => {
    it("starts one job, waits for it, prints progress, and returns camelCased outputs with numeric counts", async () => {
      const { id, outs } = await host.create(inputs());
      const job = sim.jobs()[0];
      assert.equal(id, job?.uuid);
      assert.equal(outs.uuid, id);
      assert.equal(outs.knowledgeBaseUuid, kb.uuid);
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(outs.totalDatasources, 2);
      assert.equal(outs.completedDatasources, 2);
      assert.equal(outs.totalItemsIndexed, 50);
      assert.equal(typeof outs.totalTokens, "number");
      assert.equal(typeof outs.createdAt, "string");
      assert.equal(typeof outs.finishedAt, "string");
      assert.equal(outs.__provider, provider);
      const sources = outs.dataSourceJobs as Props[];
      assert.equal(sources.length, 2);
      assert.equal(typeof sources[0]?.indexedItemCount, "number");
      assert.ok(sources[0]?.dataSourceUuid);
      assert.equal(starts().length, 1);
      assert.deepEqual(starts()[0]?.body, { knowledge_base_uuid: kb.uuid, data_source_uuids: [] });
      const printed = await host.waitForOutput(
        /SUCCEEDED\/COMPLETED, 2\/2 data sources, 50\/50 items indexed/,
      );
      assert.match(printed, /indexing job \w{8}… of knowledge base \w{8}…: RUNNING\/IN_PROGRESS/);
      const lines = printed.split("\n").filter((l) => l.startsWith("indexing job"));
      assert.equal(new Set(lines).size, lines.length, "a progress line was printed twice");
      assert.ok(!printed.includes(sim.token));
      assert.ok(!JSON.stringify(outs).includes(sim.token));
    });

    it("takes poll tuning from the poll input, the way an IndexingJob can reach it", async () => {
      // No tuning on the provider object: the default first poll comes 5 s after the start.
      const plain = await serializeProvider(new IndexingJobProvider({ requestsPerMinute: 6_000 }));
      const tuned = { firstDelayMs: 100, firstDelayRepeats: 50, minDelayMs: 50 };
      const { outs } = await host.create({ __provider: plain, knowledgeBaseUuid: kb.uuid, poll: tuned });
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.deepEqual(outs.poll, tuned);
      const polls = apiCalls().filter(
        (r) => r.method === "GET" && r.path.startsWith("/v2/gen-ai/indexing_jobs/"),
      );
      // A 700 ms job polled every 100 ms; with the default policy it would have been polled once.
      assert.ok(polls.length >= 3, `${polls.length} polls`);
    });

    it("indexes only the data sources given", async () => {
      const first = kb.dataSourceUuids[0] ?? "";
      const { outs } = await host.create(inputs({ dataSourceUuids: [first] }));
      assert.deepEqual(starts()[0]?.body, { knowledge_base_uuid: kb.uuid, data_source_uuids: [first] });
      assert.deepEqual(outs.jobDataSourceUuids, [first]);
      assert.deepEqual(outs.dataSourceUuids, [first]);
    });

    it("succeeds on NO_CHANGES", async () => {
      sim.planNextJob(kb.uuid, { outcome: "no_changes" });
      const { outs } = await host.create(inputs());
      assert.equal(outs.status, "INDEX_JOB_STATUS_NO_CHANGES");
    });

    it("fails a failed job with the job, its status and each data source's error, keeping it in state", async () => {
      sim.planNextJob(kb.uuid, { outcome: "failed", failingDataSources: [kb.dataSourceUuids[1] ?? ""] });
      const error = await host.create(inputs()).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      const job = sim.jobs()[0];
      assert.match(error.message, new RegExp(`Indexing job ${job?.uuid} .* failed \\(FAILED/FAILED\\)`));
      assert.match(error.message, new RegExp(`data source ${kb.dataSourceUuids[1]} FAILED`));
      const failedSource = job?.data_source_jobs?.find((s) => s.status === "DATA_SOURCE_STATUS_FAILED");
      assert.ok(failedSource?.error_msg && error.message.includes(failedSource.error_msg));
      assert.equal(error.initFailure?.id, job?.uuid);
      assert.equal(error.initFailure?.properties.status, "INDEX_JOB_STATUS_FAILED");
      assert.equal(error.initFailure?.properties.__provider, provider);
      assert.equal(error.initFailure?.properties.knowledgeBaseUuid, kb.uuid);
    });

    it("fails an ERROR job", async () => {
      sim.planNextJob(kb.uuid, { outcome: "error" });
      const error = await host.create(inputs()).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, /ERROR\/FAILED/);
    });

    it("succeeds on PARTIAL with a warning naming what failed, or fails with failOnPartial", async () => {
      const failing = kb.dataSourceUuids[0] ?? "";
      sim.planNextJob(kb.uuid, { outcome: "partial", failingDataSources: [failing] });
      const { outs } = await host.create(inputs());
      assert.equal(outs.status, "INDEX_JOB_STATUS_PARTIAL");
      await host.waitForOutput(
        new RegExp(`warning: indexing job .* only partly succeeded:\\n  - data source ${failing}`),
      );

      sim.planNextJob(kb.uuid, { outcome: "partial", failingDataSources: [failing] });
      const error = await host.create(inputs({ failOnPartial: true })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, /only partly succeeded and failOnPartial is set/);
      assert.ok(error.initFailure?.id);
    });

    it("returns as soon as the job started with waitForCompletion: false", async () => {
      sim.planNextJob(kb.uuid, { durationMs: 30_000 });
      const { outs } = await host.create(inputs({ waitForCompletion: false }));
      assert.equal(outs.phase, "BATCH_JOB_PHASE_PENDING");
      // One look at the jobs (the account's list, which holds them all here), one start, no poll of the
      // job; the knowledge base's data sources are listed for drift (see drift.test).
      assert.deepEqual(
        apiCalls().map((r) => `${r.method} ${r.path.replace(kb.uuid, "{kb}")}`),
        [
          "GET /v2/gen-ai/indexing_jobs",
          "POST /v2/gen-ai/indexing_jobs",
          "GET /v2/gen-ai/knowledge_bases/{kb}/data_sources",
        ],
      );
    });

    it("waits for a job the knowledge base already runs, then starts its own", async () => {
      sim.planNextJob(kb.uuid, { durationMs: 800 });
      const other = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
        body: JSON.stringify({ knowledge_base_uuid: kb.uuid }),
      }).then((r) => r.json() as Promise<{ job: { uuid: string } }>);
      sim.clearRequests();
      const { id, outs } = await host.create(inputs());
      assert.notEqual(id, other.job.uuid);
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(
        sim.job(other.job.uuid)?.phase,
        "BATCH_JOB_PHASE_SUCCEEDED",
        "the other job was disturbed",
      );
      assert.equal(starts().length, 1, "the running job was seen: no start was sent until it ended");
      await host.waitForOutput(new RegExp(`already runs indexing job ${other.job.uuid}: waiting for it`));
    });

    it("times out keeping the job in state; the next deploy's update resumes waiting for the same job", async () => {
      sim.planNextJob(kb.uuid, { durationMs: 2_500 });
      const error = await host.create(inputs({ timeout: "1s" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, /did not finish within 1s .* next `pulumi up` waits for it again/);
      const partial = error.initFailure;
      assert.ok(partial);
      assert.equal(partial.properties.phase, "BATCH_JOB_PHASE_RUNNING");
      assert.equal(sim.job(partial.id)?.phase, "BATCH_JOB_PHASE_RUNNING", "the job was cancelled");

      // Next `pulumi up`: Diff finds nothing changed, and the engine retries with an Update.
      const news = inputs({ timeout: "1s" });
      assert.equal((await host.diff(partial.id, partial.properties, news)).changes, "none");
      const { outs } = await host.update(partial.id, partial.properties, inputs({ timeout: "1m" }));
      assert.equal(outs.uuid, partial.id);
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(starts().length, 1, "a second job was started");
      await host.waitForOutput(/still runs: waiting for it again/);
    });

    it("after a failed job, the next deploy's update starts a new one", async () => {
      sim.planNextJob(kb.uuid, { outcome: "failed" });
      const error = await host.create(inputs()).catch((e: unknown) => e);
      assert.ok(error instanceof HostError && error.initFailure);
      const { id, properties } = error.initFailure;
      const { outs } = await host.update(id, properties, inputs());
      assert.notEqual(outs.uuid, id);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(starts().length, 2);
    });
  });

  describe("update", () => {
    it("changes only how to wait, without an API call, keeping the outputs", async () => {
      const { id, outs } = await host.create(inputs());
      sim.clearRequests();
      const { outs: updated } = await host.update(id, outs, inputs({ timeout: "2h", failOnPartial: true }));
      assert.equal(sim.requests.length, 0);
      assert.equal(updated.timeout, "2h");
      assert.equal(updated.failOnPartial, true);
      for (const key of ["uuid", "phase", "status", "totalItemsIndexed", "dataSourceJobs", "finishedAt"]) {
        assert.deepEqual(updated[key], outs[key], key);
      }
    });
  });

  describe("read (refresh)", () => {
    it("returns fresh outputs", async () => {
      const clock = await onManualClock();
      const { id, outs } = await host.create(inputs({ waitForCompletion: false, triggers: { v: 1 } }));
      assert.equal(outs.phase, "BATCH_JOB_PHASE_PENDING");
      clock.advance(700);
      const read = await host.read(id, outs);
      assert.equal(read.id, id);
      assert.equal(read.props.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.deepEqual(read.props.triggers, { v: 1 });
      assert.equal(read.props.waitForCompletion, false);
    });

    it("keeps the recorded run of a job the API forgot while its knowledge base exists; gone with it", async () => {
      const { id, outs } = await host.create(inputs());
      sim.forgetJob(id);
      const kept = await host.read(id, outs);
      assert.equal(kept.id, id);
      assert.equal(kept.props.uuid, id);
      assert.equal(kept.props.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(kept.props.ownJob, true);
      const other = sim.seedKnowledgeBase();
      const forgotten = await host.create(inputs({ knowledgeBaseUuid: other.uuid }));
      sim.forgetJob(forgotten.id);
      await fetch(`${sim.url}/v2/gen-ai/knowledge_bases/${other.uuid}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${sim.token}` },
      });
      assert.equal((await host.read(forgotten.id, forgotten.outs)).id, "");
    });
  });

  describe("delete", () => {
    it("cancels a job that still runs", async () => {
      sim.planNextJob(kb.uuid, { durationMs: 30_000 });
      const { id, outs } = await host.create(inputs({ waitForCompletion: false }));
      await host.delete(id, outs);
      assert.equal(sim.job(id)?.phase, "BATCH_JOB_PHASE_CANCELLED");
      assert.equal(apiCalls().filter((r) => r.method === "PUT").length, 1);
    });

    it("leaves a finished job alone, and takes a vanished one as deleted", async () => {
      const { id, outs } = await host.create(inputs());
      await host.delete(id, outs);
      assert.equal(apiCalls().filter((r) => r.method === "PUT").length, 0);
      sim.forgetJob(id);
      await host.delete(id, outs);
    });
  });

  describe("faults of the API", () => {
    it("rides out 5xx answers and dropped connections while waiting", async () => {
      sim.injectFault({ kind: "status", status: 503, times: 2, match: { method: "GET" } });
      sim.injectFault({ kind: "drop", times: 2, match: { method: "GET" } });
      const { outs } = await host.create(inputs());
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(starts().length, 1);
    });

    it("starts exactly one job when the answer to the start is lost", async () => {
      sim.injectFault({ kind: "drop-after-processing", match: { method: "POST" } });
      const { id } = await host.create(inputs());
      assert.equal(sim.jobs().length, 1);
      assert.equal(id, sim.jobs()[0]?.uuid);
    });

    it("keeps waiting through phases and statuses it does not know", async () => {
      sim.injectFault({ kind: "unknown-enum", times: 3, match: { method: "GET" } });
      const { outs } = await host.create(inputs());
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
    });

    it("waits out a 429 until ratelimit-reset", async () => {
      const reset = String(Math.ceil(Date.now() / 1000) + 1);
      sim.injectFault({
        kind: "status",
        status: 429,
        match: { method: "GET" },
        headers: { "ratelimit-reset": reset },
      });
      const { outs } = await host.create(inputs());
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.ok(sim.requests.some((r) => r.status === 429));
    });

    it("a 401 fails the create with a clear message, and no token anywhere", async () => {
      await host.stop();
      const wrongToken = "dop_v1_wrong_token_that_must_not_be_printed";
      await startHost({ "digitalocean:token": secret(wrongToken), "digitalocean:apiEndpoint": sim.url });
      const error = await host.create(inputs()).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, /HTTP 401: unauthorized.*check the token/);
      assert.equal(error.initFailure, undefined, "no job was started, so none is recorded");
      for (const text of [error.message, host.output(), JSON.stringify(error)]) {
        assert.ok(!text.includes(wrongToken));
      }
    });

    it("a job that vanishes while waited for, past the API's lag, fails with the job kept in state", async () => {
      const noLag = await serializeProvider(
        new IndexingJobProvider({ poll: { ...FAST_POLL, apiLagMs: 300 }, requestsPerMinute: 6_000 }),
      );
      // On a manual clock the job never ends by itself: it vanishes while waited for, whenever that is.
      await onManualClock();
      const pending = host.create({ ...inputs(), __provider: noLag }).catch((e: unknown) => e);
      while (sim.jobs().length === 0) await new Promise((r) => setTimeout(r, 10));
      const uuid = sim.jobs()[0]?.uuid ?? "";
      sim.forgetJob(uuid);
      const error = await pending;
      assert.ok(error instanceof HostError);
      assert.match(error.message, /Lost track of indexing job .*HTTP 404/);
      assert.equal(error.initFailure?.id, uuid);
    });
  });

  describe("configuration", () => {
    it("takes the token and endpoint from the environment when the stack has no config", async () => {
      await host.stop();
      host = await ProviderHost.start({
        env: { ...process.env, DIGITALOCEAN_TOKEN: sim.token, DIGITALOCEAN_API_URL: sim.url },
      });
      await host.configure({});
      const { outs } = await host.create(inputs());
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
    });

    it("says how to set a token when there is none", async () => {
      await host.stop();
      host = await ProviderHost.start({ env: { PATH: process.env.PATH ?? "" } });
      await host.configure({ "digitalocean:apiEndpoint": sim.url });
      const error = await host.create(inputs()).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, /pulumi config set --secret digitalocean:token/);
      assert.equal(sim.requests.length, 0);
    });

    it("never writes the token into the serialized provider, even after using it in this process", async () => {
      const local = new IndexingJobProvider({ poll: FAST_POLL });
      const values: Record<string, string> = {
        "digitalocean:token": sim.token,
        "digitalocean:apiEndpoint": sim.url,
      };
      const get = (key: string) => values[key];
      await local.configure({ config: { get, require: (key: string) => get(key) ?? "" } });
      await local.create({ knowledgeBaseUuid: kb.uuid });
      const text = await serializeProvider(local);
      assert.ok(!text.includes(sim.token));
      assert.ok(text.length > 0);
    });
  });
});
