import assert from "node:assert/strict";
import { DATA_SOURCE_COUNT_FIELDS, type WireIndexingJob } from "../provider/api/types";
import { ManualClock } from "../simulator/manual-clock";
import { startSimulator, type JobOutcome, type Simulator, type SimulatorOptions } from "../simulator";

interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Narrows an answer body to a JSON object, to read fields without casting all over the tests. */
function fields(value: unknown): Record<string, unknown> {
  assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), `not an object: ${value}`);
  return value as Record<string, unknown>;
}

function list(value: unknown): unknown[] {
  assert.ok(Array.isArray(value), `not an array: ${JSON.stringify(value)}`);
  return value;
}

function jobOf(response: ApiResponse): WireIndexingJob {
  return fields(fields(response.body).job) as WireIndexingJob;
}

describe("API simulator", () => {
  let clock: ManualClock;
  let sim: Simulator;

  async function restart(options: SimulatorOptions = {}): Promise<void> {
    await sim.close();
    sim = await startSimulator({ clock, ...options });
  }

  async function api(method: string, path: string, body?: unknown, token = sim.token): Promise<ApiResponse> {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? undefined : JSON.parse(text),
    };
  }

  const startJob = (knowledgeBaseUuid: string, dataSourceUuids?: string[]) =>
    api("POST", "/v2/gen-ai/indexing_jobs", {
      knowledge_base_uuid: knowledgeBaseUuid,
      data_source_uuids: dataSourceUuids,
    });
  const getJob = (uuid: string) => api("GET", `/v2/gen-ai/indexing_jobs/${uuid}`);

  beforeEach(async () => {
    clock = new ManualClock();
    sim = await startSimulator({ clock });
  });

  afterEach(() => sim.close());

  describe("authentication and errors", () => {
    it("answers 401 without the token, with the error body, request id and rate-limit headers", async () => {
      for (const token of ["", "dop_v1_wrong"]) {
        const response = await api("GET", "/v2/gen-ai/indexing_jobs", undefined, token);
        assert.equal(response.status, 401);
        const body = fields(response.body);
        assert.equal(body.id, "unauthorized");
        assert.equal(typeof body.message, "string");
        assert.equal(body.request_id, response.headers.get("x-request-id"));
        assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
        assert.equal(response.headers.get("ratelimit-limit"), "5000");
      }
      assert.match(sim.token, /^dop_v1_sim[0-9a-f]+$/);
    });

    it("answers 404 not_found for unknown paths, jobs, knowledge bases and forgotten jobs", async () => {
      const kb = sim.seedKnowledgeBase();
      assert.equal(fields((await api("GET", "/v2/nothing/here")).body).id, "not_found");
      assert.equal((await getJob("00000000-0000-4000-8000-000000000000")).status, 404);
      assert.equal((await startJob("00000000-0000-4000-8000-000000000000")).status, 404);
      // A malformed id is a bad request, not an unknown resource.
      assert.equal((await api("GET", "/v2/gen-ai/knowledge_bases/nope")).status, 400);

      const job = jobOf(await startJob(kb.uuid));
      sim.forgetJob(job.uuid ?? "");
      const forgotten = await getJob(job.uuid ?? "");
      assert.equal(forgotten.status, 404);
      assert.equal(sim.job(job.uuid ?? ""), undefined);
      // Fresh request id per answer.
      assert.notEqual(
        fields(forgotten.body).request_id,
        fields((await getJob(job.uuid ?? "")).body).request_id,
      );
    });

    it("refuses wrong methods, invalid JSON and data sources of another knowledge base", async () => {
      const kb = sim.seedKnowledgeBase();
      const other = sim.seedKnowledgeBase();
      const wrongMethod = await api("DELETE", "/v2/gen-ai/indexing_jobs");
      assert.equal(wrongMethod.status, 405);
      assert.equal(fields(wrongMethod.body).id, "method_not_allowed");

      const invalid = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${sim.token}` },
        body: "{not json",
      });
      assert.equal(invalid.status, 400);
      assert.equal(fields(await invalid.json()).id, "bad_request");

      const foreign = await startJob(kb.uuid, other.dataSourceUuids);
      assert.equal(foreign.status, 400);
      assert.match(String(fields(foreign.body).message), new RegExp(other.dataSourceUuids[0] ?? "?"));
    });
  });

  describe("job life", () => {
    const expectations: Record<
      JobOutcome,
      { phase: string; status: string; dataSources: [string, string]; indexed: [string, string] }
    > = {
      succeeded: {
        phase: "BATCH_JOB_PHASE_SUCCEEDED",
        status: "INDEX_JOB_STATUS_COMPLETED",
        dataSources: ["DATA_SOURCE_STATUS_UPDATED", "DATA_SOURCE_STATUS_UPDATED"],
        indexed: ["6", "4"],
      },
      no_changes: {
        phase: "BATCH_JOB_PHASE_SUCCEEDED",
        status: "INDEX_JOB_STATUS_NO_CHANGES",
        dataSources: ["DATA_SOURCE_STATUS_NOT_UPDATED", "DATA_SOURCE_STATUS_NOT_UPDATED"],
        indexed: ["0", "0"],
      },
      partial: {
        phase: "BATCH_JOB_PHASE_SUCCEEDED",
        status: "INDEX_JOB_STATUS_PARTIAL",
        dataSources: ["DATA_SOURCE_STATUS_UPDATED", "DATA_SOURCE_STATUS_FAILED"],
        indexed: ["6", "0"],
      },
      failed: {
        phase: "BATCH_JOB_PHASE_FAILED",
        status: "INDEX_JOB_STATUS_FAILED",
        dataSources: ["DATA_SOURCE_STATUS_FAILED", "DATA_SOURCE_STATUS_FAILED"],
        indexed: ["0", "0"],
      },
      error: {
        phase: "BATCH_JOB_PHASE_ERROR",
        status: "INDEX_JOB_STATUS_FAILED",
        dataSources: ["DATA_SOURCE_STATUS_FAILED", "DATA_SOURCE_STATUS_FAILED"],
        indexed: ["0", "0"],
      },
    };

    for (const [outcome, expected] of Object.entries(expectations) as [
      JobOutcome,
      (typeof expectations)["succeeded"],
    ][]) {
      it(`goes PENDING -> RUNNING -> ${expected.phase}/${expected.status} for "${outcome}"`, async () => {
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 6 }, { items: 4 }] });
        sim.planNextJob(kb.uuid, { outcome, pendingMs: 500, durationMs: 1000 });

        const started = await startJob(kb.uuid);
        assert.equal(started.status, 200);
        const job = jobOf(started);
        const uuid = job.uuid ?? "";
        assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(job.phase, "BATCH_JOB_PHASE_PENDING");
        assert.equal(job.status, "INDEX_JOB_STATUS_PENDING");
        assert.deepEqual(job.data_source_uuids, kb.dataSourceUuids);
        assert.equal(job.knowledge_base_uuid, kb.uuid);
        assert.equal(job.started_at, undefined);
        assert.equal(job.is_report_available, false);
        assert.equal((await api("GET", `/v2/gen-ai/indexing_jobs/${uuid}/details_signed_url`)).status, 404);

        clock.advance(500 + 300); // 300 ms into the first data source's 600 ms
        const running = jobOf(await getJob(uuid));
        assert.equal(running.phase, "BATCH_JOB_PHASE_RUNNING");
        assert.equal(running.status, "INDEX_JOB_STATUS_IN_PROGRESS");
        assert.ok(running.started_at);
        const [first, second] = running.data_source_jobs ?? [];
        assert.equal(first?.status, "DATA_SOURCE_STATUS_IN_PROGRESS");
        assert.ok(first?.started_at);
        assert.equal(second?.status, undefined, "the second data source waits for the first");
        assert.equal(running.completed_datasources, 0);

        clock.advance(699); // 1 ms before the end
        assert.equal(jobOf(await getJob(uuid)).phase, "BATCH_JOB_PHASE_RUNNING");
        clock.advance(1);
        const done = jobOf(await getJob(uuid));
        assert.equal(done.phase, expected.phase);
        assert.equal(done.status, expected.status);
        assert.deepEqual(
          done.data_source_jobs?.map((ds) => ds.status),
          expected.dataSources,
        );
        assert.deepEqual(
          done.data_source_jobs?.map((ds) => ds.indexed_item_count),
          expected.indexed,
        );
        for (const ds of done.data_source_jobs ?? []) {
          assert.equal(ds.error_msg !== undefined, ds.status === "DATA_SOURCE_STATUS_FAILED");
          assert.equal(ds.error_details !== undefined, ds.status === "DATA_SOURCE_STATUS_FAILED");
          assert.ok(ds.completed_at);
        }
        assert.equal(done.finished_at, "2026-01-01T00:00:01Z");
        assert.equal(done.completed_datasources, 2);
        assert.equal(done.is_report_available, true);
        const signed = await api("GET", `/v2/gen-ai/indexing_jobs/${uuid}/details_signed_url`);
        assert.match(String(fields(signed.body).signed_url), /^https:\/\//);
        const perDataSource = await api("GET", `/v2/gen-ai/indexing_jobs/${uuid}/data_sources`);
        assert.deepEqual(fields(perDataSource.body).indexed_data_sources, done.data_source_jobs);
      });
    }

    it("sends uint64 counts as strings and int64 ones as numbers", async () => {
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 3 }] });
      const uuid = jobOf(await startJob(kb.uuid)).uuid ?? "";
      clock.advance(10_000);
      const job = jobOf(await getJob(uuid));
      assert.equal(typeof job.total_tokens, "string");
      assert.equal(typeof job.tokens, "number");
      assert.equal(job.total_datasources, 1);
      assert.equal(typeof job.completed_datasources, "number");
      const ds = job.data_source_jobs?.[0];
      for (const field of DATA_SOURCE_COUNT_FIELDS) assert.equal(typeof ds?.[field], "string", field);
      assert.equal(ds?.total_file_count, "3");
      assert.equal(ds?.indexed_file_count, "3");
    });

    it("ends steady and erratic jobs at the same time, and erratic progress stalls", async () => {
      const steadyKb = sim.seedKnowledgeBase({ dataSources: [{ items: 1000 }] });
      const erraticKb = sim.seedKnowledgeBase({ dataSources: [{ items: 1000 }] });
      const plan = { pendingMs: 0, durationMs: 10_000 };
      sim.planJobs(steadyKb.uuid, { ...plan, progress: "steady" });
      sim.planJobs(erraticKb.uuid, { ...plan, progress: "erratic" });
      const steady = jobOf(await startJob(steadyKb.uuid)).uuid ?? "";
      const erratic = jobOf(await startJob(erraticKb.uuid)).uuid ?? "";

      const indexed = (uuid: string) => Number(sim.job(uuid)?.data_source_jobs?.[0]?.indexed_item_count);
      const samples: { steady: number; erratic: number }[] = [];
      for (let t = 0; t < 10_000; t += 100) {
        samples.push({ steady: indexed(steady), erratic: indexed(erratic) });
        assert.equal(sim.job(steady)?.phase, "BATCH_JOB_PHASE_RUNNING");
        assert.equal(sim.job(erratic)?.phase, "BATCH_JOB_PHASE_RUNNING");
        clock.advance(100);
      }
      assert.equal(sim.job(steady)?.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(sim.job(erratic)?.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(sim.job(steady)?.finished_at, sim.job(erratic)?.finished_at);

      const pairs = samples.slice(1).map((sample, i) => ({ before: samples[i], after: sample }));
      assert.ok(
        pairs.every(({ before, after }) => after.steady === (before?.steady ?? 0) + 10),
        "steady grows linearly",
      );
      assert.ok(
        pairs.every(({ before, after }) => after.erratic >= (before?.erratic ?? 0)),
        "erratic never goes back",
      );
      const stalls = pairs.filter(
        ({ before, after }) => after.erratic === before?.erratic && after.erratic < 1000,
      );
      assert.ok(stalls.length >= 5, `erratic progress should stall, saw ${stalls.length} flat samples`);
    });

    it("refuses a second job while one runs, with the configured status", async () => {
      const kb = sim.seedKnowledgeBase();
      const first = jobOf(await startJob(kb.uuid)).uuid ?? "";
      const refused = await startJob(kb.uuid);
      assert.equal(refused.status, 400);
      assert.equal(fields(refused.body).id, "bad_request");
      assert.match(String(fields(refused.body).message), /already has an indexing job running/);
      assert.ok(first);
      clock.advance(3500);
      assert.equal((await startJob(kb.uuid)).status, 200);

      await restart({ concurrentStartStatus: 409 });
      const other = sim.seedKnowledgeBase();
      await startJob(other.uuid);
      const conflict = await startJob(other.uuid);
      assert.equal(conflict.status, 409);
      assert.equal(fields(conflict.body).id, "conflict");
    });

    it("cancels a running job, freezes it, and leaves a finished one unchanged", async () => {
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 10 }, { items: 10 }] });
      sim.planJobs(kb.uuid, { pendingMs: 0, durationMs: 2000 });
      const uuid = jobOf(await startJob(kb.uuid)).uuid ?? "";
      clock.advance(500);
      const cancelled = await api("PUT", `/v2/gen-ai/indexing_jobs/${uuid}/cancel`, { uuid });
      assert.equal(cancelled.status, 200);
      const job = jobOf(cancelled);
      assert.equal(job.phase, "BATCH_JOB_PHASE_CANCELLED");
      assert.equal(job.status, "INDEX_JOB_STATUS_CANCELLED");
      assert.equal(job.finished_at, "2026-01-01T00:00:00Z");
      assert.deepEqual(
        job.data_source_jobs?.map((ds) => ds.status),
        ["DATA_SOURCE_STATUS_CANCELLED", "DATA_SOURCE_STATUS_CANCELLED"],
      );
      assert.equal(job.data_source_jobs?.[0]?.indexed_item_count, "5");

      clock.advance(5000);
      assert.deepEqual(jobOf(await getJob(uuid)), { ...job, is_report_available: true });
      const again = await api("PUT", `/v2/gen-ai/indexing_jobs/${uuid}/cancel`, { uuid });
      assert.deepEqual(jobOf(again), jobOf(await getJob(uuid)));

      const next = jobOf(await startJob(kb.uuid)).uuid ?? "";
      clock.advance(2000);
      const finished = jobOf(await getJob(next));
      const cancelFinished = await api("PUT", `/v2/gen-ai/indexing_jobs/${next}/cancel`, { uuid: next });
      assert.equal(cancelFinished.status, 200);
      assert.deepEqual(jobOf(cancelFinished), finished);
      assert.equal((await api("PUT", "/v2/gen-ai/indexing_jobs/unknown/cancel", {})).status, 400);
    });
  });

  describe("listings", () => {
    it("paginates jobs newest first with absolute links and meta", async () => {
      const kb = sim.seedKnowledgeBase();
      sim.planJobs(kb.uuid, { pendingMs: 0, durationMs: 0 });
      const created: string[] = [];
      for (let i = 0; i < 45; i++) created.push(jobOf(await startJob(kb.uuid)).uuid ?? "");

      const first = fields((await api("GET", "/v2/gen-ai/indexing_jobs")).body);
      assert.deepEqual(first.meta, { page: 1, pages: 3, total: 45 });
      assert.equal(list(first.jobs).length, 20);
      assert.equal(fields(list(first.jobs)[0]).uuid, created[44]);
      const firstLinks = fields(fields(first.links).pages);
      assert.deepEqual(Object.keys(firstLinks).sort(), ["last", "next"]);
      assert.equal(firstLinks.next, `${sim.url}/v2/gen-ai/indexing_jobs?page=2&per_page=20`);

      const seen: unknown[] = [];
      let next: unknown = `${sim.url}/v2/gen-ai/indexing_jobs?page=1&per_page=20`;
      while (typeof next === "string") {
        const page = fields((await api("GET", next.slice(sim.url.length))).body);
        seen.push(...list(page.jobs).map((job) => fields(job).uuid));
        const pages = fields(fields(page.links).pages);
        if (fields(page.meta).page === 2)
          assert.deepEqual(Object.keys(pages).sort(), ["first", "last", "next", "previous"]);
        next = pages.next;
      }
      assert.deepEqual(seen, [...created].reverse());

      const capped = fields((await api("GET", "/v2/gen-ai/indexing_jobs?per_page=500")).body);
      assert.equal(list(capped.jobs).length, 45);
      assert.equal(fields(capped.meta).pages, 1);
      assert.equal((await api("GET", "/v2/gen-ai/indexing_jobs?page=0")).status, 400);
    });

    it("lists only the latest 15 jobs of a knowledge base", async () => {
      const kb = sim.seedKnowledgeBase();
      sim.planJobs(kb.uuid, { pendingMs: 0, durationMs: 0 });
      const created: string[] = [];
      for (let i = 0; i < 18; i++) created.push(jobOf(await startJob(kb.uuid)).uuid ?? "");
      const body = fields((await api("GET", `/v2/gen-ai/knowledge_bases/${kb.uuid}/indexing_jobs`)).body);
      assert.deepEqual(
        list(body.jobs).map((job) => fields(job).uuid),
        created.slice(3).reverse(),
      );
      assert.deepEqual(body.meta, { page: 1, pages: 1, total: 15 });
    });

    it("shows knowledge bases and data sources with their latest indexing job", async () => {
      const kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 2, bucketName: "b" }] });
      const job = jobOf(await startJob(kb.uuid));
      const shown = fields((await api("GET", `/v2/gen-ai/knowledge_bases/${kb.uuid}`)).body);
      assert.equal(shown.database_status, "ONLINE");
      assert.equal(fields(shown.knowledge_base).name, "docs");
      assert.equal(fields(fields(shown.knowledge_base).last_indexing_job).uuid, job.uuid);

      const sources = fields((await api("GET", `/v2/gen-ai/knowledge_bases/${kb.uuid}/data_sources`)).body);
      const source = fields(list(sources.knowledge_base_data_sources)[0]);
      assert.equal(source.uuid, kb.dataSourceUuids[0]);
      assert.equal(fields(source.spaces_data_source).bucket_name, "b");
      assert.equal(fields(source.last_datasource_indexing_job).data_source_uuid, kb.dataSourceUuids[0]);
      assert.deepEqual(sources.meta, { page: 1, pages: 1, total: 1 });

      const created = await api("POST", "/v2/gen-ai/knowledge_bases", {
        name: "made",
        region: "nyc3",
        datasources: [{ spaces_data_source: { bucket_name: "x", region: "nyc3" } }],
      });
      const madeUuid = String(fields(fields(created.body).knowledge_base).uuid);
      const added = await api("POST", `/v2/gen-ai/knowledge_bases/${madeUuid}/data_sources`, {
        web_crawler_data_source: { base_url: "https://example.com" },
      });
      assert.equal(added.status, 200);
      const all = fields((await api("GET", "/v2/gen-ai/knowledge_bases")).body);
      assert.equal(list(all.knowledge_bases).length, 2);
      const started = jobOf(await startJob(madeUuid));
      assert.equal(started.data_source_uuids?.length, 2);
    });

    it("stores scheduled indexing", async () => {
      const kb = sim.seedKnowledgeBase();
      const created = await api("POST", "/v2/gen-ai/scheduled-indexing", {
        knowledge_base_uuid: kb.uuid,
        days: [1, 3],
        time: "06:30",
      });
      const info = fields(fields(created.body).indexing_info);
      // The clock starts on Thursday 2026-01-01: the next Monday or Wednesday is Monday the 5th.
      assert.equal(info.next_run_at, "2026-01-05T06:30:00Z");
      const fetched = await api("GET", `/v2/gen-ai/scheduled-indexing/knowledge-base/${kb.uuid}`);
      assert.equal(fields(fields(fetched.body).indexing_info).uuid, info.uuid);
      const deleted = await api("DELETE", `/v2/gen-ai/scheduled-indexing/${String(info.uuid)}`);
      assert.equal(fields(fields(deleted.body).indexing_info).is_active, false);
      assert.equal((await api("GET", `/v2/gen-ai/scheduled-indexing/knowledge-base/${kb.uuid}`)).status, 404);
    });
  });

  describe("rate limits", () => {
    it("answers 429 past the per-minute limit and recovers once the window slides", async () => {
      await restart({ rateLimitPerMinute: 3 });
      const t0 = clock.now();
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await api("GET", "/v2/gen-ai/indexing_jobs");
        assert.equal(response.status, 200);
        remaining.push(response.headers.get("ratelimit-remaining"));
        assert.equal(response.headers.get("ratelimit-reset"), String(t0 / 1000 + 3600));
        clock.advance(1000);
      }
      assert.deepEqual(remaining, ["4999", "4998", "4997"]);
      assert.equal((await api("GET", "/v2/gen-ai/indexing_jobs", undefined, "bad")).status, 401);

      const limited = await api("GET", "/v2/gen-ai/indexing_jobs");
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body, {
        id: "too_many_requests",
        message: "API rate limit exceeded.",
        request_id: limited.headers.get("x-request-id"),
      });
      assert.equal(limited.headers.get("ratelimit-remaining"), "0");
      assert.equal(limited.headers.get("ratelimit-reset"), String(t0 / 1000 + 60));
      assert.equal(limited.headers.get("ratelimit-limit"), "5000");

      clock.advance(t0 + 60_000 - clock.now()); // the first request leaves the window
      const recovered = await api("GET", "/v2/gen-ai/indexing_jobs");
      assert.equal(recovered.status, 200);
      assert.equal(recovered.headers.get("ratelimit-remaining"), "4996", "401 and 429 did not count");
    });
  });

  describe("faults", () => {
    it("drop: the client sees a network error and nothing happens", async () => {
      const kb = sim.seedKnowledgeBase();
      sim.injectFault({ kind: "drop", match: { method: "POST" } });
      await assert.rejects(startJob(kb.uuid));
      assert.deepEqual(sim.jobs(), []);
      assert.equal((await startJob(kb.uuid)).status, 200);
      assert.deepEqual(
        sim.requests.map((r) => [r.status, r.fault]),
        [
          [0, "drop"],
          [200, undefined],
        ],
      );
    });

    it("drop-after-processing: the job really started though the answer was lost", async () => {
      const kb = sim.seedKnowledgeBase();
      sim.injectFault({ kind: "drop-after-processing", match: { path: "/v2/gen-ai/indexing_jobs" } });
      await assert.rejects(startJob(kb.uuid));
      assert.equal(sim.jobs().length, 1);
      assert.equal(sim.jobs()[0]?.phase, "BATCH_JOB_PHASE_PENDING");
      assert.equal(sim.requests[0]?.fault, "drop-after-processing");
      assert.equal(sim.requests[0]?.status, 200);
      assert.equal((await startJob(kb.uuid)).status, 400, "the knowledge base is busy");
    });

    it("latency: answers normally after a real delay", async () => {
      sim.injectFault({ kind: "latency", ms: 120 });
      const before = performance.now();
      assert.equal((await api("GET", "/v2/gen-ai/indexing_jobs")).status, 200);
      assert.ok(performance.now() - before >= 110);
      assert.equal(sim.requests[0]?.fault, "latency");
    });

    it("malformed-json: 200 with a truncated body", async () => {
      sim.injectFault({ kind: "malformed-json" });
      const response = await fetch(`${sim.url}/v2/gen-ai/knowledge_bases`, {
        headers: { authorization: `Bearer ${sim.token}` },
      });
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.ok(text.length > 0);
      assert.throws(() => JSON.parse(text));
    });

    it("unknown-enum: phases and statuses the client cannot know", async () => {
      const kb = sim.seedKnowledgeBase({ dataSources: [{}, {}] });
      const uuid = jobOf(await startJob(kb.uuid)).uuid ?? "";
      clock.advance(600);
      sim.injectFault({ kind: "unknown-enum", match: { path: /^\/v2\/gen-ai\/indexing_jobs\/[^/]+$/ } });
      const job = jobOf(await getJob(uuid));
      assert.equal(job.phase, "BATCH_JOB_PHASE_FUTURE_VALUE");
      assert.equal(job.status, "INDEX_JOB_STATUS_FUTURE_VALUE");
      assert.equal(job.data_source_jobs?.[0]?.status, "DATA_SOURCE_STATUS_FUTURE_VALUE");
      assert.equal(jobOf(await getJob(uuid)).phase, "BATCH_JOB_PHASE_RUNNING");
    });

    it("status: injected answers, matched by method and path, `times` over", async () => {
      sim.injectFault({
        kind: "status",
        status: 503,
        times: 2,
        match: { method: "get", path: /knowledge_bases/ },
      });
      sim.injectFault({
        kind: "status",
        status: 502,
        body: { custom: true },
        headers: { "retry-after": "7" },
      });
      const unmatched = await api("POST", "/v2/gen-ai/knowledge_bases", { name: "x" });
      assert.equal(unmatched.status, 502, "the catch-all fault takes the non-matching request");
      assert.deepEqual(unmatched.body, { custom: true });
      assert.equal(unmatched.headers.get("retry-after"), "7");
      assert.ok(unmatched.headers.get("ratelimit-remaining"));

      for (let i = 0; i < 2; i++) {
        const response = await api("GET", "/v2/gen-ai/knowledge_bases");
        assert.equal(response.status, 503);
        assert.equal(fields(response.body).id, "service_unavailable");
        assert.equal(fields(response.body).request_id, response.headers.get("x-request-id"));
      }
      assert.equal((await api("GET", "/v2/gen-ai/knowledge_bases")).status, 200);
      assert.deepEqual(
        sim.requests.map((r) => r.fault),
        ["status", "status", "status", undefined],
      );
      sim.injectFault({ kind: "status", status: 500, times: Infinity });
      sim.clearFaults();
      assert.equal((await api("GET", "/v2/gen-ai/knowledge_bases")).status, 200);
    });
  });

  it("logs every request with its query, body, status and clock time", async () => {
    const kb = sim.seedKnowledgeBase();
    await api("GET", "/v2/gen-ai/indexing_jobs?page=1&per_page=5");
    clock.advance(1234);
    await startJob(kb.uuid);
    assert.deepEqual(sim.requests, [
      {
        method: "GET",
        path: "/v2/gen-ai/indexing_jobs",
        query: { page: "1", per_page: "5" },
        status: 200,
        at: Date.parse("2026-01-01T00:00:00Z"),
      },
      {
        method: "POST",
        path: "/v2/gen-ai/indexing_jobs",
        query: {},
        status: 200,
        body: { knowledge_base_uuid: kb.uuid },
        at: Date.parse("2026-01-01T00:00:01.234Z"),
      },
    ]);
    sim.clearRequests();
    assert.deepEqual(sim.requests, []);
  });
});
