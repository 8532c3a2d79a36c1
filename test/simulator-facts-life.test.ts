/**
 * Switches for a job's and a knowledge base's life on the real API: a cancel that takes effect later,
 * a database that does not come up, a reindex after a data source is deleted, and all facts at once
 * (REAL_API_PRESET). On a manual clock, over HTTP.
 */
import assert from "node:assert/strict";
import type { WireIndexingJob } from "../provider/api/types";
import { manualSimulator } from "./helpers/sim-api";
import { REAL_API_PRESET } from "../simulator";

type Body = Record<string, unknown>;

describe("API simulator facts: cancels, databases, reindexing", () => {
  const session = manualSimulator();
  const { begin, api } = session;
  const start = (kb: string) => api("POST", "/v2/gen-ai/indexing_jobs", { knowledge_base_uuid: kb });
  const jobUuid = (answer: { body: Body }) => String((answer.body.job as Body).uuid);
  const phaseOf = async (job: string) =>
    ((await api("GET", `/v2/gen-ai/indexing_jobs/${job}`)).body.job as WireIndexingJob).phase;
  const cancel = async (job: string) => {
    const answer = await api("PUT", `/v2/gen-ai/indexing_jobs/${job}/cancel`, { uuid: job });
    assert.equal(answer.status, 200);
    return answer.body.job as WireIndexingJob;
  };
  const createKb = async () => {
    const created = await api("POST", "/v2/gen-ai/knowledge_bases", {
      name: "new",
      datasources: [{ bucket_name: "b" }],
    });
    return String((created.body.knowledge_base as Body).uuid);
  };
  const databaseStatus = async (kb: string) =>
    (await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.database_status;

  it("by default, a cancel takes effect at once", async () => {
    const kb = (await begin()).seedKnowledgeBase().uuid;
    const job = jobUuid(await start(kb));
    session.clock.advance(1000);
    assert.equal((await cancel(job)).phase, "BATCH_JOB_PHASE_CANCELLED");
    assert.equal((await start(kb)).status, 200);
  });

  it("cancelDelayMs: the cancel answers with the job still running; it turns CANCELLED that much later", async () => {
    const s = await begin({ cancelDelayMs: 3000, defaultJobPlan: { pendingMs: 0, durationMs: 10_000 } });
    const kb = s.seedKnowledgeBase().uuid;
    const job = jobUuid(await start(kb));
    session.clock.advance(1000);
    const answered = await cancel(job);
    assert.equal(answered.phase, "BATCH_JOB_PHASE_RUNNING");
    assert.equal(answered.finished_at, undefined);
    session.clock.advance(1000);
    assert.equal((await start(kb)).status, 400, "still active: it blocks a start");
    assert.equal((await cancel(job)).phase, "BATCH_JOB_PHASE_RUNNING", "a second cancel changes nothing");
    session.clock.advance(1999);
    assert.equal(await phaseOf(job), "BATCH_JOB_PHASE_RUNNING");
    session.clock.advance(1);
    assert.equal(await phaseOf(job), "BATCH_JOB_PHASE_CANCELLED");
    assert.equal(s.job(job)?.finished_at, "2026-01-01T00:00:04Z", "3 s after the first cancel");
    assert.equal((await start(kb)).status, 200);
  });

  it("cancelDelayMs: a job that ends before the cancel takes effect simply ends", async () => {
    const s = await begin({ cancelDelayMs: 3000, defaultJobPlan: { pendingMs: 0, durationMs: 2000 } });
    const job = jobUuid(await start(s.seedKnowledgeBase().uuid));
    session.clock.advance(1000);
    await cancel(job);
    session.clock.advance(5000);
    assert.equal(await phaseOf(job), "BATCH_JOB_PHASE_SUCCEEDED");
  });

  it("cancelRefusedStatus: the cancel arrives as the job ends; the job ends then as planned, the cancel is refused", async () => {
    const s = await begin({
      cancelRefusedStatus: 409,
      defaultJobPlan: { pendingMs: 500, durationMs: 10_000 },
    });
    const kb = s.seedKnowledgeBase({ dataSources: [{ items: 4 }, { items: 6 }] }).uuid;
    const job = jobUuid(await start(kb));
    session.clock.advance(2000);
    assert.equal(await phaseOf(job), "BATCH_JOB_PHASE_RUNNING", "the GET before the cancel");
    const refused = await api("PUT", `/v2/gen-ai/indexing_jobs/${job}/cancel`, { uuid: job });
    assert.deepEqual([refused.status, refused.body.id], [409, "conflict"]);
    const ended = (await api("GET", `/v2/gen-ai/indexing_jobs/${job}`)).body.job as WireIndexingJob;
    assert.deepEqual(
      [ended.phase, ended.status],
      ["BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_COMPLETED"],
    );
    assert.equal(ended.finished_at, "2026-01-01T00:00:02Z", "ended at the cancel");
    assert.deepEqual(
      ended.data_source_jobs?.map((d) => d.indexed_item_count),
      ["4", "6"],
      "every data source done",
    );
    session.clock.advance(60_000);
    assert.equal(await phaseOf(job), "BATCH_JOB_PHASE_SUCCEEDED", "and stays so");
    const again = await api("PUT", `/v2/gen-ai/indexing_jobs/${job}/cancel`, { uuid: job });
    assert.equal(again.status, 409, "a cancel of an ended job is refused too");

    // A pending job, and one whose delayed cancel had not taken effect, end the same way.
    const t = await begin({
      cancelRefusedStatus: 400,
      defaultJobPlan: { pendingMs: 5_000, durationMs: 1_000 },
    });
    const pending = jobUuid(await start(t.seedKnowledgeBase().uuid));
    assert.equal((await api("PUT", `/v2/gen-ai/indexing_jobs/${pending}/cancel`)).status, 400);
    assert.equal(await phaseOf(pending), "BATCH_JOB_PHASE_SUCCEEDED");
    assert.equal((await start(t.seedKnowledgeBase().uuid)).status, 200);
  });

  it("provisioningOutcome UNHEALTHY: the database stays so, refuses every start and never indexes itself", async () => {
    const s = await begin({ provisioningMs: 1000, provisioningOutcome: "UNHEALTHY" });
    const kb = await createKb();
    assert.equal(await databaseStatus(kb), "CREATING");
    session.clock.advance(1000);
    for (let i = 0; i < 2; i++) {
      assert.equal(await databaseStatus(kb), "UNHEALTHY");
      const refused = await start(kb);
      assert.equal(refused.status, 500);
      assert.match(String(refused.body.message), /^failed to get db creds/);
      session.clock.advance(3_600_000);
    }
    assert.deepEqual(s.jobs(), []);
  });

  it("provisioningOutcome: DECOMMISSIONED without provisioningMs, ONLINE by default, and per seed", async () => {
    await begin({ provisioningOutcome: "DECOMMISSIONED" });
    const gone = await createKb();
    assert.equal(await databaseStatus(gone), "DECOMMISSIONED");
    assert.equal((await start(gone)).status, 500);

    await begin({ provisioningMs: 1000 });
    const fine = await createKb();
    session.clock.advance(1000);
    assert.equal(await databaseStatus(fine), "ONLINE");
    assert.equal(session.sim?.jobs().length, 1, "it indexed itself");

    const s = await begin({ provisioningStartStatus: 503 });
    const seeded = s.seedKnowledgeBase({ provisioningOutcome: "UNHEALTHY" }).uuid;
    assert.equal(await databaseStatus(seeded), "UNHEALTHY");
    assert.equal((await start(seeded)).status, 503);
    assert.equal(await databaseStatus(s.seedKnowledgeBase().uuid), "ONLINE");
  });

  it("reindexOnDataSourceDelete: deleting a data source indexes the remaining ones, unless busy or none remain", async () => {
    const s = await begin({ reindexOnDataSourceDelete: true });
    const kb = s.seedKnowledgeBase({ dataSources: [{}, {}, {}] });
    const [a, b, c] = kb.dataSourceUuids;
    session.clock.advance(1234);
    const removed = await api("DELETE", `/v2/gen-ai/knowledge_bases/${kb.uuid}/data_sources/${a}`);
    assert.equal(removed.status, 200);
    const [own] = s.jobs();
    assert.deepEqual(own?.data_source_uuids, [b, c]);
    assert.equal(own?.created_at, "2026-01-01T00:00:01Z", "dated at the deletion");
    assert.equal((await start(kb.uuid)).status, 400, "the knowledge base is busy with it");

    s.removeDataSource(kb.uuid, b ?? "");
    assert.equal(s.jobs().length, 1, "a job is active: nothing more");
    session.clock.advance(10_000);
    s.addDataSource(kb.uuid);
    s.removeDataSource(kb.uuid, c ?? "");
    assert.equal(s.jobs().length, 2, "removeDataSource reindexes too");
    session.clock.advance(10_000);
    s.removeDataSource(kb.uuid, s.jobs()[0]?.data_source_uuids?.[0] ?? "");
    assert.equal(s.jobs().length, 2, "none remain: nothing to index");
  });

  it("by default, deleting a data source starts nothing", async () => {
    const s = await begin();
    const kb = s.seedKnowledgeBase({ dataSources: [{}, {}] });
    await api("DELETE", `/v2/gen-ai/knowledge_bases/${kb.uuid}/data_sources/${kb.dataSourceUuids[0]}`);
    s.removeDataSource(kb.uuid, kb.dataSourceUuids[1] ?? "");
    assert.deepEqual(s.jobs(), []);
  });

  it("REAL_API_PRESET holds every fact at once, and overrides spread over it win", async () => {
    assert.deepEqual(REAL_API_PRESET, {
      readAfterWriteLagMs: 3000,
      sourceCounts: "at-end",
      runningStatus: "INDEX_JOB_STATUS_RUNNING",
      timestampSkewMs: 2000,
      subSecondTimestamps: true,
      concurrentStartStatus: 412,
      concurrentStartMessage: "an indexing job is already in progress",
      startFaults: ["429-retry-after", "503", "drop-after"],
      cancelDelayMs: 3000,
      provisioningMs: 5000,
      reindexOnDataSourceDelete: true,
    });
    const s = await begin({ ...REAL_API_PRESET, readAfterWriteLagMs: 0 });
    const kb = s.seedKnowledgeBase().uuid;
    assert.equal((await start(kb)).headers.get("retry-after"), "2");
    assert.equal((await start(kb)).status, 503);
    await assert.rejects(start(kb));
    const refused = await start(kb);
    assert.deepEqual([refused.status, refused.body.message], [412, "an indexing job is already in progress"]);
    const [job] = (await api("GET", "/v2/gen-ai/indexing_jobs")).body.jobs as WireIndexingJob[];
    assert.ok(job, "readAfterWriteLagMs: 0 overrides the preset's lag");
    assert.match(job.created_at ?? "", /^2026-01-01T00:00:02\.\d{6}Z$/);
    session.clock.advance(1000);
    assert.equal(await phaseOf(job.uuid ?? ""), "BATCH_JOB_PHASE_RUNNING");
    const running = (await api("GET", `/v2/gen-ai/indexing_jobs/${job.uuid}`)).body.job as WireIndexingJob;
    assert.equal(running.status, "INDEX_JOB_STATUS_RUNNING");
    assert.equal(running.total_tokens, undefined);
  });
});
