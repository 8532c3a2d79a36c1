/**
 * Switches for how the real API answers reads and starts: a job not readable right after its start,
 * the short job list of a knowledge base, the busy refusal's message, and failures of the start itself.
 * On a manual clock, over HTTP.
 */
import assert from "node:assert/strict";
import type { WireIndexingJob } from "../provider/api/types";
import { manualSimulator } from "./helpers/sim-api";
import type { SimulatorOptions } from "../simulator";

type Body = Record<string, unknown>;

describe("API simulator facts: reads and starts", () => {
  const session = manualSimulator();
  const { begin, api } = session;
  const start = (kb: string) => api("POST", "/v2/gen-ai/indexing_jobs", { knowledge_base_uuid: kb });
  const uuidsOf = (answer: { body: Body }) => (answer.body.jobs as WireIndexingJob[]).map((job) => job.uuid);
  /** What reads show of a job: its GET status, and whether each list and its knowledge base show it. */
  const seen = async (kb: string, job: string) => {
    const shownKb = (await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).body.knowledge_base as Body;
    return {
      get: (await api("GET", `/v2/gen-ai/indexing_jobs/${job}`)).status,
      list: uuidsOf(await api("GET", "/v2/gen-ai/indexing_jobs")).includes(job),
      kbList: uuidsOf(await api("GET", `/v2/gen-ai/knowledge_bases/${kb}/indexing_jobs`)).includes(job),
      latest: (shownKb.last_indexing_job as Body | undefined)?.uuid === job,
    };
  };
  const everywhere = { get: 200, list: true, kbList: true, latest: true };
  const nowhere = { get: 404, list: false, kbList: false, latest: false };

  it("by default, a started job is readable at once", async () => {
    const kb = (await begin()).seedKnowledgeBase().uuid;
    const job = String(((await start(kb)).body.job as Body).uuid);
    assert.deepEqual(await seen(kb, job), everywhere);
  });

  it("readAfterWriteLagMs hides a new job from reads only, for that long", async () => {
    const s = await begin({ readAfterWriteLagMs: 3000 });
    const kb = s.seedKnowledgeBase().uuid;
    const started = await start(kb);
    assert.equal(started.status, 200);
    const job = String((started.body.job as Body).uuid);
    assert.equal((started.body.job as Body).phase, "BATCH_JOB_PHASE_PENDING", "the start's answer has it");
    assert.deepEqual(await seen(kb, job), nowhere);
    assert.equal((await api("GET", `/v2/gen-ai/indexing_jobs/${job}`)).body.id, "not_found");

    const busy = await start(kb);
    assert.equal(busy.status, 400, "it blocks a second start");
    session.clock.advance(2999);
    assert.deepEqual(await seen(kb, job), nowhere);
    session.clock.advance(1);
    assert.deepEqual(await seen(kb, job), everywhere);

    const other = s.seedKnowledgeBase().uuid;
    const next = String(((await start(other)).body.job as Body).uuid);
    assert.equal((await api("GET", `/v2/gen-ai/indexing_jobs/${next}`)).status, 404);
    const cancelled = await api("PUT", `/v2/gen-ai/indexing_jobs/${next}/cancel`, { uuid: next });
    assert.equal(cancelled.status, 200, "cancel reaches a job reads do not see");
    assert.equal((cancelled.body.job as Body).phase, "BATCH_JOB_PHASE_CANCELLED");
  });

  it("readAfterWriteLagMs also hides a new knowledge base's own job, from when its database is ready", async () => {
    await begin({ readAfterWriteLagMs: 3000, provisioningMs: 1000 });
    const created = await api("POST", "/v2/gen-ai/knowledge_bases", {
      name: "n",
      datasources: [{ bucket_name: "b" }],
    });
    const kb = String((created.body.knowledge_base as Body).uuid);
    session.clock.advance(1000);
    assert.equal((await start(kb)).status, 400, "its own job runs");
    const own = session.sim?.jobs()[0]?.uuid ?? "";
    assert.deepEqual(await seen(kb, own), nowhere);
    session.clock.advance(3000);
    assert.deepEqual(await seen(kb, own), everywhere);
  });

  it("knowledgeBaseJobsShown: a knowledge base's list shows that many latest jobs, newest first, as one page", async () => {
    const listed = async (options: SimulatorOptions, query = "") => {
      const s = await begin(options);
      const kb = s.seedKnowledgeBase();
      s.planJobs(kb.uuid, { pendingMs: 0, durationMs: 0 });
      const created: unknown[] = [];
      for (let i = 0; i < 6; i++) created.push(((await start(kb.uuid)).body.job as Body).uuid);
      const answer = await api("GET", `/v2/gen-ai/knowledge_bases/${kb.uuid}/indexing_jobs${query}`);
      return { created: created.reverse(), answer };
    };
    const all = await listed({});
    assert.deepEqual(uuidsOf(all.answer), all.created);

    for (const query of ["", "?page=2&per_page=2", "?per_page=1"]) {
      const { created, answer } = await listed({ knowledgeBaseJobsShown: 4 }, query);
      assert.deepEqual(uuidsOf(answer), created.slice(0, 4), query);
      assert.deepEqual(answer.body.meta, { page: 1, pages: 1, total: 4 }, query);
      assert.deepEqual(answer.body.links, { pages: {} }, query);
    }
  });

  it("jobListOrder and jobListMaxPerPage: the account's list in either order, pages capped", async () => {
    const listed = async (options: SimulatorOptions, query: string) => {
      const s = await begin(options);
      const created: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const kb = s.seedKnowledgeBase().uuid;
        created.push(((await start(kb)).body.job as Body).uuid);
      }
      return { created, answer: await api("GET", `/v2/gen-ai/indexing_jobs${query}`) };
    };
    const newest = await listed({}, "?per_page=200");
    assert.deepEqual(uuidsOf(newest.answer), [...newest.created].reverse());
    const oldest = await listed({ jobListOrder: "oldest-first" }, "?per_page=200");
    assert.deepEqual(uuidsOf(oldest.answer), oldest.created);
    const capped = await listed({ jobListMaxPerPage: 2 }, "?per_page=200");
    assert.equal(uuidsOf(capped.answer).length, 2);
    assert.deepEqual(capped.answer.body.meta, { page: 1, pages: 2, total: 3 });
  });

  it("concurrentStartMessage words the busy refusal, {kb} standing for the knowledge base", async () => {
    const refusal = async (options: SimulatorOptions) => {
      const kb = (await begin(options)).seedKnowledgeBase().uuid;
      assert.equal((await start(kb)).status, 200);
      const refused = await start(kb);
      return {
        status: refused.status,
        id: refused.body.id,
        message: String(refused.body.message).replace(kb, "KB"),
      };
    };
    assert.deepEqual(await refusal({}), {
      status: 400,
      id: "bad_request",
      message: "knowledge base KB already has an indexing job running",
    });
    assert.deepEqual(
      await refusal({
        concurrentStartStatus: 412,
        concurrentStartMessage: "an indexing job is already in progress",
      }),
      { status: 412, id: "bad_request", message: "an indexing job is already in progress" },
    );
    assert.deepEqual(await refusal({ concurrentStartStatus: 409, concurrentStartMessage: "conflict" }), {
      status: 409,
      id: "conflict",
      message: "conflict",
    });
    assert.equal((await refusal({ concurrentStartMessage: "{kb} is busy" })).message, "KB is busy");
  });

  it("startFaults: each entry fails the next job start, in order; only a drop-after starts the job", async () => {
    const s = await begin({
      startFaults: ["429", "429-retry-after", "500", "502", "503", "drop", "drop-after"],
    });
    const kb = s.seedKnowledgeBase().uuid;
    assert.equal((await api("GET", "/v2/gen-ai/indexing_jobs")).status, 200, "other requests pass");
    const resetAt = String(session.clock.now() / 1000 + 2);

    const limited = await start(kb);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.id, "too_many_requests");
    assert.deepEqual(
      ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"].map((h) =>
        limited.headers.get(h),
      ),
      ["5000", "0", resetAt, null],
    );
    const retryAfter = await start(kb);
    assert.equal(retryAfter.status, 429);
    assert.deepEqual(
      ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"].map((h) =>
        retryAfter.headers.get(h),
      ),
      [null, null, null, "2"],
    );
    for (const status of [500, 502, 503]) assert.equal((await start(kb)).status, status);
    await assert.rejects(start(kb), "drop");
    assert.deepEqual(s.jobs(), [], "nothing started so far");

    await assert.rejects(start(kb), "drop-after");
    assert.equal(s.jobs().length, 1, "the lost answer's job started");
    const after = await start(kb);
    assert.equal(after.status, 400, "faults used up: the busy knowledge base refuses");
    // Counted: the first GET, the drop-after start and this one; no faulted answer.
    assert.equal(after.headers.get("ratelimit-remaining"), "4997");
    assert.deepEqual(
      s.requests.map((r) => r.fault ?? r.status),
      [200, "rate-limit", "rate-limit", "status", "status", "status", "drop", "drop-after-processing", 400],
    );
  });

  it("startFaults 502-after and 504-after: the job starts, and the answer is a gateway's error all the same", async () => {
    const s = await begin({ startFaults: ["502-after", "504-after"] });
    const kb = s.seedKnowledgeBase().uuid;
    const first = await start(kb);
    assert.deepEqual([first.status, first.body.id], [502, "bad_gateway"]);
    assert.equal(s.jobs().length, 1, "the first start was carried out");
    session.clock.advance(60_000);
    const second = await start(kb);
    assert.deepEqual([second.status, second.body.id], [504, "gateway_timeout"]);
    assert.equal(s.jobs().length, 2, "so was the second");
    assert.deepEqual(
      s.requests.map((r) => [r.fault, r.status]),
      [
        ["status-after-processing", 502],
        ["status-after-processing", 504],
      ],
    );
    assert.equal((await start(kb)).status, 400, "faults used up: the second job is in the way");
  });

  it("jobReadLatencyMs: every GET of jobs hangs that long; other requests answer meanwhile", async () => {
    const s = await begin({ jobReadLatencyMs: 2_000 });
    const kb = s.seedKnowledgeBase().uuid;
    const job = String(((await start(kb)).body.job as Body).uuid);
    for (const path of [
      `/v2/gen-ai/indexing_jobs/${job}`,
      "/v2/gen-ai/indexing_jobs",
      `/v2/gen-ai/knowledge_bases/${kb}/indexing_jobs`,
    ]) {
      const sent = Date.now();
      let answered = false;
      const read = api("GET", path).then((answer) => {
        answered = true;
        return answer;
      });
      // Neither the knowledge base's GET nor a cancel waits behind it.
      assert.equal((await api("GET", `/v2/gen-ai/knowledge_bases/${kb}`)).status, 200);
      assert.equal(answered, false, `${path} was answered before the other request`);
      assert.equal((await read).status, 200);
      assert.ok(Date.now() - sent >= 1_990, `${path} answered after ${Date.now() - sent} ms`);
    }
  });

  it("without startFaults, the first start succeeds", async () => {
    const kb = (await begin()).seedKnowledgeBase().uuid;
    assert.equal((await start(kb)).status, 200);
  });
});
