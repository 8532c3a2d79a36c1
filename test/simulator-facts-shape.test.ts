/**
 * Switches for what a job looks like on the real API: the job-level totals the spec dropped in Nov
 * 2025, counts that come only at the end, the running status and phase, and the API's timestamps.
 * On a manual clock, over HTTP.
 */
import assert from "node:assert/strict";
import { DATA_SOURCE_COUNT_FIELDS, type WireIndexingJob } from "../provider/api/types";
import { manualSimulator } from "./helpers/sim-api";
import type { Simulator, SimulatorOptions } from "../simulator";

type Body = Record<string, unknown>;

describe("API simulator facts: the shape of a job", () => {
  const session = manualSimulator();
  const { begin, api } = session;

  /** Starts a 1 s job (no pending time) over two data sources of 6 and 4 items; its uuid. */
  async function startTwoSourceJob(s: Simulator): Promise<{ kb: string; job: string }> {
    const kb = s.seedKnowledgeBase({ dataSources: [{ items: 6 }, { items: 4 }] });
    s.planJobs(kb.uuid, { pendingMs: 0, durationMs: 1000 });
    const started = await api("POST", "/v2/gen-ai/indexing_jobs", { knowledge_base_uuid: kb.uuid });
    assert.equal(started.status, 200);
    return { kb: kb.uuid, job: String((started.body.job as Body).uuid) };
  }
  const getJob = async (uuid: string) =>
    (await api("GET", `/v2/gen-ai/indexing_jobs/${uuid}`)).body.job as WireIndexingJob & Body;

  it("sends the Nov 2025 job shape by default: total_tokens, no job-level total_items_*; legacyJobCounts adds them", async () => {
    const { job } = await startTwoSourceJob(await begin());
    session.clock.advance(1000);
    const now = await getJob(job);
    assert.equal(now.total_tokens, String(10 * 850));
    assert.equal(now.tokens, 10 * 850);
    for (const field of ["total_items_indexed", "total_items_failed", "total_items_skipped"]) {
      assert.equal(field in now, false, field);
    }

    const legacy = await startTwoSourceJob(await begin({ legacyJobCounts: true }));
    session.clock.advance(1000);
    const old = await getJob(legacy.job);
    assert.deepEqual(
      [old.total_items_indexed, old.total_items_failed, old.total_items_skipped],
      ["10", "0", "0"],
    );
  });

  it('sourceCounts "at-end": a data source has no counts until it ended, the job no tokens until it ended', async () => {
    const { job } = await startTwoSourceJob(await begin({ sourceCounts: "at-end" }));
    session.clock.advance(800); // the first data source (600 ms) ended, the second runs
    const running = await getJob(job);
    const [first, second] = running.data_source_jobs ?? [];
    assert.equal(first?.indexed_item_count, "6");
    assert.equal(second?.status, "DATA_SOURCE_STATUS_IN_PROGRESS");
    for (const field of DATA_SOURCE_COUNT_FIELDS) assert.equal(second?.[field], undefined, field);
    assert.equal(running.total_tokens, undefined);
    assert.equal(running.tokens, undefined);

    session.clock.advance(200);
    const done = await getJob(job);
    for (const field of DATA_SOURCE_COUNT_FIELDS)
      assert.equal(typeof done.data_source_jobs?.[1]?.[field], "string");
    assert.equal(done.total_tokens, String(10 * 850));
  });

  it('sourceCounts "live" (the default): counts grow while a data source runs', async () => {
    const { job } = await startTwoSourceJob(await begin());
    session.clock.advance(300);
    const running = await getJob(job);
    assert.equal(running.data_source_jobs?.[0]?.indexed_item_count, "3");
    assert.equal(running.data_source_jobs?.[1]?.indexed_item_count, "0");
    assert.equal(running.total_tokens, String(3 * 850));
  });

  it("runningStatus and runningPhase replace only the running job's status and phase", async () => {
    const shown = async (options: SimulatorOptions) => {
      const s = await begin(options);
      const kb = s.seedKnowledgeBase();
      s.planJobs(kb.uuid, { pendingMs: 500, durationMs: 1000 });
      const started = await api("POST", "/v2/gen-ai/indexing_jobs", { knowledge_base_uuid: kb.uuid });
      const uuid = String((started.body.job as Body).uuid);
      const seen = [started.body.job as WireIndexingJob];
      session.clock.advance(500);
      seen.push(await getJob(uuid));
      seen.push(((await api("GET", "/v2/gen-ai/indexing_jobs")).body.jobs as WireIndexingJob[])[0] ?? {});
      session.clock.advance(1000);
      seen.push(await getJob(uuid));
      return seen.map((job) => `${job.phase}/${job.status}`);
    };
    assert.deepEqual(await shown({}), [
      "BATCH_JOB_PHASE_PENDING/INDEX_JOB_STATUS_PENDING",
      "BATCH_JOB_PHASE_RUNNING/INDEX_JOB_STATUS_IN_PROGRESS",
      "BATCH_JOB_PHASE_RUNNING/INDEX_JOB_STATUS_IN_PROGRESS",
      "BATCH_JOB_PHASE_SUCCEEDED/INDEX_JOB_STATUS_COMPLETED",
    ]);
    assert.deepEqual(
      await shown({ runningStatus: "INDEX_JOB_STATUS_RUNNING", runningPhase: "BATCH_JOB_PHASE_INDEXING" }),
      [
        "BATCH_JOB_PHASE_PENDING/INDEX_JOB_STATUS_PENDING",
        "BATCH_JOB_PHASE_INDEXING/INDEX_JOB_STATUS_RUNNING",
        "BATCH_JOB_PHASE_INDEXING/INDEX_JOB_STATUS_RUNNING",
        "BATCH_JOB_PHASE_SUCCEEDED/INDEX_JOB_STATUS_COMPLETED",
      ],
    );
  });

  it("writes whole-second timestamps on the simulator's clock by default, as is the Date header", async () => {
    const s = await begin();
    session.clock.advance(1234);
    const { job, kb } = await startTwoSourceJob(s);
    const answer = await api("GET", `/v2/gen-ai/indexing_jobs/${job}`);
    assert.equal(answer.headers.get("date"), "Thu, 01 Jan 2026 00:00:01 GMT");
    assert.equal((answer.body.job as Body).created_at, "2026-01-01T00:00:01Z");
    const shown = (await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.knowledge_base as Body;
    assert.equal(shown.created_at, "2026-01-01T00:00:01Z");
  });

  it("timestampSkewMs and subSecondTimestamps move every timestamp the API writes, never the Date header", async () => {
    const s = await begin({ timestampSkewMs: 2000, subSecondTimestamps: true });
    session.clock.advance(1234);
    const { job, kb } = await startTwoSourceJob(s);
    session.clock.advance(1000);
    const answer = await api("GET", `/v2/gen-ai/indexing_jobs/${job}`);
    assert.equal(answer.headers.get("date"), "Thu, 01 Jan 2026 00:00:02 GMT");
    const done = answer.body.job as WireIndexingJob;
    const sub = /^2026-01-01T00:00:0\d\.\d{6}Z$/;
    const at = (text: string | undefined) => {
      assert.match(text ?? "", sub);
      return Date.parse(text ?? "") - Date.parse("2026-01-01T00:00:00Z");
    };
    // Written 2 s ahead of the clock: started at 1.234 s, ended at 2.234 s.
    assert.deepEqual(
      [done.created_at, done.started_at, done.updated_at, done.finished_at].map(at),
      [3234, 3234, 4234, 4234],
    );
    assert.deepEqual(
      (done.data_source_jobs ?? []).map((ds) => [at(ds.started_at), at(ds.completed_at)]),
      [
        [3234, 3834],
        [3834, 4234],
      ],
    );
    const base = (await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.knowledge_base as Body;
    assert.equal(at(String(base.created_at)), 3234);
    const sources = await api("GET", `/v2/gen-ai/knowledge_bases/${kb}/data_sources`);
    const source = (sources.body.knowledge_base_data_sources as Body[])[0];
    assert.equal(at(String(source?.updated_at)), 3234);
    assert.deepEqual(
      (await api("GET", `/v2/gen-ai/indexing_jobs/${job}`)).body.job,
      done,
      "digits are stable",
    );

    const behind = await startTwoSourceJob(await begin({ timestampSkewMs: -3000 }));
    assert.equal((await getJob(behind.job)).created_at, "2025-12-31T23:59:57Z");
  });
});
