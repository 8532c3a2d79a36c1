/**
 * The IndexingJob against DigitalOcean's behaviour beyond the spec, each switched on in the simulator:
 * a new knowledge base provisions and then indexes itself, a busy one refuses a start with an
 * undocumented status, a start's answer may be lost, and the API honours `Accept`. Driven through
 * Pulumi's real dynamic-provider host, as `pulumi up` drives it.
 */
import * as assert from "node:assert/strict";
import { startSimulator, type Simulator, type SimulatorOptions } from "../simulator";
import { HostError, ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";
import { startOthersJob as startOthers } from "./helpers/sim-api";

const { IndexingJobProvider } = installedPackage();

const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400, apiLagMs: 5_000 };
const JOBS_PATH = "/v2/gen-ai/indexing_jobs";

type Props = Record<string, unknown>;

describe("IndexingJob against the real API's behaviour (through the Pulumi host)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;
  let provider: string;

  const starts = () => sim.requests.filter((r) => r.method === "POST" && r.path === JOBS_PATH);
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

  /** What `@pulumi/digitalocean` does before the IndexingJob: create the knowledge base through the API. */
  async function createKnowledgeBase(): Promise<{ uuid: string; dataSourceUuids: string[] }> {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }).then((r) => r.json() as Promise<Record<string, { uuid: string }[] & { uuid: string }>>);
    const created = await call("POST", "/v2/gen-ai/knowledge_bases", {
      name: "docs",
      region: "tor1",
      datasources: [
        { spaces_data_source: { bucket_name: "docs", item_path: "/guides", region: "tor1" } },
        { spaces_data_source: { bucket_name: "docs", item_path: "/faq", region: "tor1" } },
      ],
    });
    const uuid = created.knowledge_base?.uuid ?? "";
    const listed = await call("GET", `/v2/gen-ai/knowledge_bases/${uuid}/data_sources`);
    return { uuid, dataSourceUuids: (listed.knowledge_base_data_sources ?? []).map((ds) => ds.uuid) };
  }

  const startOthersJob = (kbUuid: string, dataSourceUuids: string[] = []) =>
    startOthers(sim, kbUuid, dataSourceUuids);

  before(async () => {
    provider = await serializeProvider(
      new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 6_000 }),
    );
  });

  afterEach(async () => {
    await host?.stop();
    await sim?.close();
  });

  describe("the first deploy of a new knowledge base", () => {
    it("waits for its database, then takes the knowledge base's own job: exactly one job, recorded", async () => {
      await begin({ provisioningMs: 2_500 });
      const kb = await createKnowledgeBase();
      const { id, outs } = await host.create(inputs(kb.uuid));

      const jobs = sim.jobs();
      assert.equal(jobs.length, 1, "the knowledge base was indexed twice");
      assert.equal(id, jobs[0]?.uuid);
      assert.equal(outs.uuid, id);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.deepEqual([...(outs.jobDataSourceUuids as string[])].sort(), [...kb.dataSourceUuids].sort());
      assert.ok(starts().length <= 1, `${starts().length} starts were sent while the database provisioned`);
      const printed = await host.waitForOutput(
        new RegExp(`knowledge base ${kb.uuid} is not ready yet \\(database CREATING\\)`),
      );
      assert.equal(printed.match(/is not ready yet/g)?.length, 1, "the waiting line was repeated");
      assert.match(printed, new RegExp(`started indexing job ${id} after this deployment began`));
      // The knowledge base shows the job as its latest.
      const shown = await fetch(`${sim.url}/v2/gen-ai/knowledge_bases/${kb.uuid}`, {
        headers: { authorization: `Bearer ${sim.token}` },
      }).then((r) => r.json() as Promise<{ database_status: string; knowledge_base: Props }>);
      assert.equal(shown.database_status, "ONLINE");
      assert.equal((shown.knowledge_base.last_indexing_job as Props | undefined)?.uuid, id);
    });

    it("takes the knowledge base's own job even when it began and ended between two looks", async () => {
      // Slow rechecks and a quick job: the knowledge base indexes itself while we sleep.
      const slow = await serializeProvider(
        new IndexingJobProvider({ poll: { ...FAST_POLL, minDelayMs: 2_500 }, requestsPerMinute: 6_000 }),
      );
      await begin({ provisioningMs: 500, defaultJobPlan: { pendingMs: 50, durationMs: 300 } });
      const kb = await createKnowledgeBase();
      const { id, outs } = await host.create({ ...inputs(kb.uuid), __provider: slow });

      assert.equal(sim.jobs().length, 1, "the knowledge base was indexed twice");
      assert.equal(id, sim.jobs()[0]?.uuid);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      await host.waitForOutput(new RegExp(`ran indexing job ${id} after this deployment began`));
    });

    it("with a subset of its data sources, the knowledge base's job of all of them is the one run", async () => {
      await begin({ provisioningMs: 2_000 });
      const kb = await createKnowledgeBase();
      const first = kb.dataSourceUuids[0] ?? "";
      const { id, outs } = await host.create(inputs(kb.uuid, { dataSourceUuids: [first] }));
      assert.equal(sim.jobs().length, 1);
      assert.equal(id, sim.jobs()[0]?.uuid);
      assert.deepEqual(outs.dataSourceUuids, [first]);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
    });
  });

  describe("a knowledge base busy with someone else's job", () => {
    for (const status of [400, 409, 500]) {
      it(`recognises the refusal answered with HTTP ${status}, waits for that job, then runs its own`, async () => {
        await begin({ concurrentStartStatus: status });
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 20 }, { items: 30 }] });
        sim.planNextJob(kb.uuid, { pendingMs: 0, durationMs: 1_200 });
        // Delay our start so that the other job starts between our look at the knowledge base and it:
        // the start is refused, as it would be on DigitalOcean.
        sim.injectFault({ kind: "latency", ms: 300, match: { method: "POST", path: JOBS_PATH } });
        const creating = host.create(inputs(kb.uuid));
        while (!starts().length) await new Promise((r) => setTimeout(r, 10));
        // Over one data source: it cannot stand for a run over both.
        const other = await startOthersJob(kb.uuid, [kb.dataSourceUuids[0] ?? ""]);
        const { id, outs } = await creating;

        const refused = starts().filter((r) => r.status === status);
        assert.equal(refused.length, 1, `no start was refused with ${status}`);
        assert.notEqual(id, other);
        assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
        assert.equal(sim.job(other)?.phase, "BATCH_JOB_PHASE_SUCCEEDED", "the other job was disturbed");
        assert.equal(sim.jobs().length, 2);
        // Refused, then one start once the other job ended: never retried blindly.
        assert.equal(starts().length, 3, "the provider's two starts and the other one");
        await host.waitForOutput(new RegExp(`already runs indexing job ${other}: waiting for it`));
      });
    }

    it("a job that ran before this deploy is waited for, never taken as this resource's run", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 20 }, { items: 30 }] });
      sim.planNextJob(kb.uuid, { pendingMs: 0, durationMs: 2_500 });
      const other = await startOthersJob(kb.uuid);
      // Let the API's clock pass a second: started before this deploy, on its own clock.
      await new Promise((r) => setTimeout(r, 1_100));
      const { id } = await host.create(inputs(kb.uuid));
      assert.notEqual(id, other);
      assert.equal(sim.jobs().length, 2);
      const mine = sim.job(id);
      assert.ok(Date.parse(mine?.created_at ?? "") >= Date.parse(sim.job(other)?.finished_at ?? ""));
    });
  });

  describe("an unready database", () => {
    it("is waited for within timeout, with one progress line, and no storm of starts", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }], provisioningMs: 20_000 });
      const started = Date.now();
      const error = await host.create(inputs(kb.uuid, { timeout: "2s" })).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(
        error.message,
        new RegExp(`Knowledge base ${kb.uuid} was still not ready within the timeout`),
      );
      assert.equal(error.initFailure, undefined, "no job was started, so none is recorded");
      assert.ok(Date.now() - started >= 1_900, "gave up before the timeout");
      assert.equal(starts().length, 1, "a start was sent again while the database provisioned");
      const printed = await host.waitForOutput(/is not ready yet \(database CREATING\)/);
      assert.equal(printed.match(/is not ready yet \(database CREATING\)/g)?.length, 1);
      assert.equal(sim.jobs().length, 0);
    });
  });

  describe("two IndexingJobs on one knowledge base", () => {
    it("with different data sources, each gets its own run", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 20 }, { items: 30 }] });
      const [a = "", b = ""] = kb.dataSourceUuids;
      const [first, second] = await Promise.all([
        host.create(inputs(kb.uuid, { dataSourceUuids: [a] })),
        host.create(inputs(kb.uuid, { dataSourceUuids: [b] })),
      ]);
      assert.notEqual(first.id, second.id);
      assert.deepEqual(first.outs.jobDataSourceUuids, [a]);
      assert.deepEqual(second.outs.jobDataSourceUuids, [b]);
      assert.equal(sim.jobs().length, 2);
    });
  });

  describe("a start whose answer is lost just after an earlier job", () => {
    for (const kind of ["drop", "drop-after-processing"] as const) {
      it(`(${kind}) finds the job that start created, or starts one; never the earlier job`, async () => {
        await begin();
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
        const earlier = (await host.create(inputs(kb.uuid, { triggers: { v: 1 } }))).id;
        sim.injectFault({ kind, match: { method: "POST", path: JOBS_PATH } });
        const { id, outs } = await host.create(inputs(kb.uuid, { triggers: { v: 2 } }));
        assert.notEqual(id, earlier, "the earlier job was taken as this start's");
        assert.equal(sim.jobs().length, 2, "exactly one new job");
        assert.equal(id, sim.jobs()[0]?.uuid);
        assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      });
    }
  });

  describe("requests", () => {
    it("ask for application/json, which a server honouring the spec requires", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase();
      await host.create(inputs(kb.uuid));
      assert.ok(sim.requests.length >= 2);
      assert.deepEqual(
        sim.requests.filter((r) => r.status === 406),
        [],
      );
      // The check is live: what ky's .text() used to send is refused.
      const refused = await fetch(`${sim.url}${JOBS_PATH}`, {
        headers: { authorization: `Bearer ${sim.token}`, accept: "text/*" },
      });
      assert.equal(refused.status, 406);
    });
  });

  describe("errors name what is missing", () => {
    it("a knowledge base that does not exist", async () => {
      await begin();
      const missing = "33333333-3333-4333-8333-333333333333";
      const error = await host.create(inputs(missing)).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(error.message, new RegExp(`Knowledge base ${missing} not found: check knowledgeBaseUuid`));
      assert.match(error.message, /HTTP 404/);
    });

    it("a start refused with 404 for longer than the API's lag names the knowledge base", async () => {
      await begin();
      const quick = await serializeProvider(
        new IndexingJobProvider({ poll: { ...FAST_POLL, apiLagMs: 1_000 }, requestsPerMinute: 6_000 }),
      );
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      sim.injectFault({
        kind: "status",
        status: 404,
        times: 100,
        match: { method: "POST", path: JOBS_PATH },
      });
      const error = await host.create({ ...inputs(kb.uuid), __provider: quick }).catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(
        error.message,
        new RegExp(`Knowledge base ${kb.uuid} refused to start an indexing job: .*HTTP 404`),
      );
      // Each resend came only after the job list showed nothing in the way, and not for long.
      assert.ok(starts().length >= 2 && starts().length <= 6, `${starts().length} starts`);
      const calls = sim.requests.map((r) => `${r.method} ${r.path}`);
      calls.forEach((call, i) => {
        if (i > 0 && call === `POST ${JOBS_PATH}`)
          assert.match(calls[i - 1] ?? "", /\/indexing_jobs$|\/data_sources$|knowledge_bases\/[^/]+$/);
      });
    });

    it("a data source not in the knowledge base, looked up only once the start was refused", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      const stranger = sim.seedKnowledgeBase().dataSourceUuids[0] ?? "";
      const error = await host
        .create(inputs(kb.uuid, { dataSourceUuids: [kb.dataSourceUuids[0] ?? "", stranger] }))
        .catch((e: unknown) => e);
      assert.ok(error instanceof HostError);
      assert.match(
        error.message,
        new RegExp(`Data source ${stranger} is not in knowledge base ${kb.uuid}: check dataSourceUuids`),
      );
      const calls = sim.requests.map((r) => `${r.method} ${r.path}`);
      const lookup = calls.indexOf(`GET /v2/gen-ai/knowledge_bases/${kb.uuid}/data_sources`);
      assert.ok(lookup > calls.indexOf(`POST ${JOBS_PATH}`), "data sources were looked up before the start");
    });

    it("upper-case UUIDs are lower-cased in check, so diff, state and API agree", async () => {
      await begin();
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 5 }] });
      const ds = kb.dataSourceUuids[0] ?? "";
      const { inputs: checked, failures } = await host.check(
        {},
        inputs(kb.uuid.toUpperCase(), { dataSourceUuids: [ds.toUpperCase()] }),
      );
      assert.deepEqual(failures, []);
      assert.equal(checked.knowledgeBaseUuid, kb.uuid);
      assert.deepEqual(checked.dataSourceUuids, [ds]);
      const { outs } = await host.create(checked);
      assert.equal(outs.knowledgeBaseUuid, kb.uuid);
      assert.equal((await host.diff(String(outs.uuid), outs, checked)).changes, "none");
    });
  });
});
