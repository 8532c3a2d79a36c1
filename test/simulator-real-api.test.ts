/**
 * The simulator's switches for DigitalOcean's behaviour beyond the spec: new knowledge bases that
 * provision and then index themselves, the refusal of a start on a busy one, `Accept`, malformed
 * UUIDs, and the report of a job cancelled before it ran. On a manual clock.
 */
import assert from "node:assert/strict";
import type { WireIndexingJob } from "../provider/api/types";
import { ManualClock } from "../simulator/manual-clock";
import { startSimulator, type Simulator, type SimulatorOptions } from "../simulator";

type Body = Record<string, unknown>;

describe("API simulator: DigitalOcean's behaviour beyond the spec", () => {
  let clock: ManualClock;
  let sim: Simulator | undefined;

  async function begin(options: SimulatorOptions = {}): Promise<Simulator> {
    clock = new ManualClock();
    sim = await startSimulator({ clock, ...options });
    return sim;
  }

  async function api(
    method: string,
    path: string,
    body?: unknown,
    accept?: string,
  ): Promise<{ status: number; body: Body }> {
    const s = sim;
    assert.ok(s);
    const response = await fetch(`${s.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${s.token}`,
        "content-type": "application/json",
        ...(accept !== undefined && { accept }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Body };
  }

  const createKb = async () => {
    const { status, body } = await api("POST", "/v2/gen-ai/knowledge_bases", {
      name: "docs",
      datasources: [{ spaces_data_source: { bucket_name: "b", item_path: "/a" } }, { bucket_name: "b" }],
    });
    assert.equal(status, 200);
    return String((body.knowledge_base as Body).uuid);
  };
  const start = (kb: string) => api("POST", "/v2/gen-ai/indexing_jobs", { knowledge_base_uuid: kb });
  const kbJobs = async (kb: string) =>
    (await api("GET", `/v2/gen-ai/knowledge_bases/${kb}/indexing_jobs`)).body.jobs as WireIndexingJob[];

  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("by default, a knowledge base created through the API is ready at once and does not index itself", async () => {
    await begin();
    const kb = await createKb();
    assert.equal((await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.database_status, "ONLINE");
    assert.deepEqual(await kbJobs(kb), []);
    assert.equal((await start(kb)).status, 200);
  });

  it("with provisioningMs, a new knowledge base provisions, refuses starts, then runs its own job of all data sources", async () => {
    await begin({ provisioningMs: 5_000 });
    const kb = await createKb();
    const shown = await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`);
    assert.equal(shown.body.database_status, "CREATING");
    assert.ok(shown.body.knowledge_base);

    const refused = await start(kb);
    assert.equal(refused.status, 500);
    assert.match(String(refused.body.message), /failed to get db creds/);
    assert.deepEqual(await kbJobs(kb), []);

    clock.advance(5_000);
    assert.equal((await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.database_status, "ONLINE");
    const jobs = await kbJobs(kb);
    assert.equal(jobs.length, 1);
    const own = jobs[0];
    assert.equal(own?.data_source_uuids?.length, 2);
    assert.equal(own?.created_at, "2026-01-01T00:00:05Z", "dated when the database became ready");
    const last = (await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.knowledge_base as Body;
    assert.equal((last.last_indexing_job as Body | undefined)?.uuid, own?.uuid);

    const busy = await start(kb);
    assert.equal(busy.status, 400);
    assert.match(String(busy.body.message), /already has an indexing job running/);
  });

  it("a seeded knowledge base opts in with its own provisioningMs; the provisioning refusal status is set", async () => {
    const s = await begin({ provisioningStartStatus: 400 });
    const kb = s.seedKnowledgeBase({ dataSources: [{ items: 3 }], provisioningMs: 1_000 });
    assert.equal((await start(kb.uuid)).status, 400);
    clock.advance(1_000);
    assert.equal(s.jobs().length, 1);
    assert.deepEqual(s.jobs()[0]?.data_source_uuids, kb.dataSourceUuids);
  });

  for (const status of [400, 409, 500]) {
    it(`refuses a start on a busy knowledge base with the configured ${status}`, async () => {
      const s = await begin({ concurrentStartStatus: status });
      const kb = s.seedKnowledgeBase();
      assert.equal((await start(kb.uuid)).status, 200);
      const refused = await start(kb.uuid);
      assert.equal(refused.status, status);
      assert.match(String(refused.body.message), /already has an indexing job running/);
    });
  }

  it("answers 406 when Accept excludes application/json, unless told not to check", async () => {
    await begin();
    const path = "/v2/gen-ai/indexing_jobs";
    for (const accept of ["text/*", "text/plain, text/html", "application/json;q=0"]) {
      const refused = await api("GET", path, undefined, accept);
      assert.equal(refused.status, 406, accept);
      assert.equal(refused.body.id, "not_acceptable");
    }
    for (const accept of ["application/json", "*/*", "application/*", "text/*, application/json;q=0.5"]) {
      assert.equal((await api("GET", path, undefined, accept)).status, 200, accept);
    }
    await sim?.close();
    await begin({ checkAccept: false });
    assert.equal((await api("GET", path, undefined, "text/*")).status, 200);
  });

  it("answers 400, not 404, to a malformed UUID", async () => {
    const s = await begin();
    const kb = s.seedKnowledgeBase();
    assert.equal((await api("GET", "/v2/gen-ai/indexing_jobs/not-a-uuid")).status, 400);
    assert.equal((await api("GET", "/v2/gen-ai/knowledge_bases/NOPE/indexing_jobs")).status, 400);
    assert.equal((await start("nope")).status, 400);
    const badSource = await api("POST", "/v2/gen-ai/indexing_jobs", {
      knowledge_base_uuid: kb.uuid,
      data_source_uuids: ["x"],
    });
    assert.equal(badSource.status, 400);
    assert.equal(
      (await api("GET", "/v2/gen-ai/indexing_jobs/00000000-0000-4000-8000-000000000000")).status,
      404,
    );
  });

  it("a job cancelled before it ran has no report; one cancelled while running has", async () => {
    const s = await begin({ defaultJobPlan: { pendingMs: 1_000, durationMs: 2_000 } });
    const kb = s.seedKnowledgeBase();
    const pending = String(((await start(kb.uuid)).body.job as Body).uuid);
    await api("PUT", `/v2/gen-ai/indexing_jobs/${pending}/cancel`, { uuid: pending });
    assert.equal(s.job(pending)?.is_report_available, false);
    assert.equal((await api("GET", `/v2/gen-ai/indexing_jobs/${pending}/details_signed_url`)).status, 404);

    const running = String(((await start(kb.uuid)).body.job as Body).uuid);
    clock.advance(1_500);
    await api("PUT", `/v2/gen-ai/indexing_jobs/${running}/cancel`, { uuid: running });
    assert.equal(s.job(running)?.is_report_available, true);
    assert.equal((await api("GET", `/v2/gen-ai/indexing_jobs/${running}/details_signed_url`)).status, 200);
  });
});
