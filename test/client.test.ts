import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  DEFAULT_REQUESTS_PER_MINUTE,
  DigitalOceanApiError,
  GradientClient,
  RateLimiter,
} from "../provider/client";
import { sharedRateLimiter } from "../provider/client/rate-limiter";
import { deadlineSignal } from "../provider/clock";
import { apiClient } from "../provider/host/process-config";
import { ManualClock } from "../simulator/manual-clock";
import { startSimulator, type Simulator } from "../simulator";

/** A client with fast retries, its own budget, against the simulator. */
function clientFor(
  sim: Simulator,
  options: { token?: string; retryLimit?: number; perMinute?: number } = {},
) {
  return new GradientClient({
    token: options.token ?? sim.token,
    baseUrl: sim.url,
    retryLimit: options.retryLimit ?? 3,
    attemptTimeoutMs: 2_000,
    rateLimiter: new RateLimiter({ perMinute: options.perMinute ?? 10_000 }),
  });
}

const posts = (sim: Simulator) => sim.requests.filter((r) => r.method === "POST" && !r.fault);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("GradientClient against the simulator", function () {
  let sim: Simulator;
  let kb: { uuid: string; dataSourceUuids: string[] };

  beforeEach(async () => {
    sim = await startSimulator({ rateLimitPerMinute: 0, defaultJobPlan: { pendingMs: 50, durationMs: 300 } });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 5 }, { items: 7 }] });
  });
  afterEach(() => sim.close());

  describe("operations", () => {
    it("starts a job, reads it with its data source jobs, and counts as numbers", async () => {
      const api = clientFor(sim);
      const started = await api.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
      assert.equal(started.knowledge_base_uuid, kb.uuid);
      assert.deepEqual([...(started.data_source_uuids ?? [])].sort(), [...kb.dataSourceUuids].sort());
      assert.deepEqual(posts(sim)[0]?.body, { knowledge_base_uuid: kb.uuid, data_source_uuids: [] });
      await new Promise((r) => setTimeout(r, 500));
      const job = await api.getIndexingJob(started.uuid ?? "");
      assert.equal(job.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.equal(job.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(job.data_source_jobs?.length, 2);
      for (const source of job.data_source_jobs ?? []) {
        assert.equal(typeof source.indexed_item_count, "number");
        assert.equal(typeof source.total_file_count, "number");
      }
      assert.equal(typeof job.total_tokens, "number");
      const wire = sim.job(job.uuid ?? "");
      assert.equal(typeof wire?.total_tokens, "string", "the simulator sends uint64 as strings");
    });

    it("starts a job for chosen data sources only", async () => {
      const api = clientFor(sim);
      const first = kb.dataSourceUuids[0] ?? "";
      const job = await api.startIndexingJob({ knowledgeBaseUuid: kb.uuid, dataSourceUuids: [first] });
      assert.deepEqual(job.data_source_uuids, [first]);
    });

    it("cancels a running job", async () => {
      sim.planNextJob(kb.uuid, { durationMs: 60_000 });
      const api = clientFor(sim);
      const job = await api.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
      const cancelled = await api.cancelIndexingJob(job.uuid ?? "");
      assert.equal(cancelled.phase, "BATCH_JOB_PHASE_CANCELLED");
      const put = sim.requests.find((r) => r.method === "PUT");
      assert.equal(put?.path, `/v2/gen-ai/indexing_jobs/${job.uuid}/cancel`);
      assert.deepEqual(put?.body, { uuid: job.uuid });
    });

    it("lists a knowledge base's jobs, its data sources, a job's data sources, and the knowledge base", async () => {
      const api = clientFor(sim);
      const job = await api.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
      const jobs = await api.listKnowledgeBaseIndexingJobs(kb.uuid);
      assert.deepEqual(
        jobs.items.map((j) => j.uuid),
        [job.uuid],
      );
      const sources = await collect(api.allKnowledgeBaseDataSources(kb.uuid));
      assert.deepEqual(sources.map((s) => s.uuid).sort(), [...kb.dataSourceUuids].sort());
      const indexed = await api.listIndexingJobDataSources(job.uuid ?? "");
      assert.equal(indexed.length, 2);
      const base = await api.getKnowledgeBase(kb.uuid);
      assert.equal(base.name, "docs");
      assert.equal(base.last_indexing_job?.uuid, job.uuid);
    });

    it("gets a job's report URL once it finished", async () => {
      const api = clientFor(sim);
      const job = await api.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
      await new Promise((r) => setTimeout(r, 500));
      const url = await api.getIndexingJobReportUrl(job.uuid ?? "");
      assert.match(url ?? "", /^https:\/\//);
    });

    it("walks every page of the job list, following links.pages.next", async () => {
      const bases = Array.from({ length: 7 }, (_, i) => sim.seedKnowledgeBase({ name: `kb${i}` }));
      const api = clientFor(sim);
      const started: string[] = [];
      for (const base of bases)
        started.push((await api.startIndexingJob({ knowledgeBaseUuid: base.uuid })).uuid ?? "");
      sim.clearRequests();
      const all = await collect(api.allIndexingJobs(3));
      assert.deepEqual(all.map((j) => j.uuid).sort(), [...started].sort());
      const pages = sim.requests.map((r) => r.query.page);
      assert.deepEqual(pages, ["1", "2", "3"]);
      const first = await api.listIndexingJobs({ page: 1, perPage: 3 });
      assert.equal(first.meta?.pages, 3);
      assert.equal(first.meta?.total, 7);
    });
  });

  describe("errors", () => {
    it("a 404 is a DigitalOceanApiError with status, id, message and request id, and is not retried", async () => {
      const api = clientFor(sim);
      const error = await api.getIndexingJob("00000000-0000-4000-8000-000000000000").catch((e: unknown) => e);
      assert.ok(error instanceof DigitalOceanApiError);
      assert.equal(error.kind, "http");
      assert.equal(error.status, 404);
      assert.equal(error.errorId, "not_found");
      assert.ok(error.apiMessage);
      assert.ok(error.requestId);
      assert.equal(sim.requests.length, 1);
    });

    it("a 401 names the token as the likely cause, never the token itself, and is not retried", async () => {
      const badToken = "dop_v1_this_token_is_wrong_0123456789";
      const api = clientFor(sim, { token: badToken });
      const error = await api.getKnowledgeBase(kb.uuid).catch((e: unknown) => e);
      assert.ok(error instanceof DigitalOceanApiError);
      assert.equal(error.status, 401);
      assert.match(error.message, /token/);
      const printed = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)} ${error.stack}`;
      assert.ok(!printed.includes(badToken), "the token leaked into the error");
      assert.ok(!printed.includes(sim.token));
      assert.equal(sim.requests.length, 1);
    });

    it("a 400 and a 403 are final", async () => {
      const api = clientFor(sim);
      for (const status of [400, 403]) {
        sim.clearRequests();
        sim.injectFault({ kind: "status", status, match: { method: "GET" } });
        const error = await api.getKnowledgeBase(kb.uuid).catch((e: unknown) => e);
        assert.ok(error instanceof DigitalOceanApiError && error.status === status);
        assert.equal(sim.requests.length, 1);
      }
    });

    it("a body that is not JSON is a malformed-answer error", async () => {
      sim.injectFault({ kind: "malformed-json", match: { method: "GET" } });
      const error = await clientFor(sim)
        .getKnowledgeBase(kb.uuid)
        .catch((e: unknown) => e);
      assert.ok(error instanceof DigitalOceanApiError);
      assert.equal(error.kind, "malformed");
    });

    it("no answer at all, after the retries, is a network error", async () => {
      sim.injectFault({ kind: "drop", times: 10 });
      const error = await clientFor(sim, { retryLimit: 2 })
        .getKnowledgeBase(kb.uuid)
        .catch((e: unknown) => e);
      assert.ok(error instanceof DigitalOceanApiError);
      assert.equal(error.kind, "network");
      assert.equal(sim.requests.length, 3, "one attempt and two retries");
    });
  });

  describe("retries", () => {
    for (const status of [500, 502, 503, 504]) {
      it(`retries a GET answered ${status}`, async () => {
        sim.injectFault({ kind: "status", status, times: 2 });
        const base = await clientFor(sim).getKnowledgeBase(kb.uuid);
        assert.equal(base.uuid, kb.uuid);
        assert.deepEqual(
          sim.requests.map((r) => r.status),
          [status, status, 200],
        );
      });
    }

    it("retries a dropped connection", async () => {
      sim.injectFault({ kind: "drop" });
      const base = await clientFor(sim).getKnowledgeBase(kb.uuid);
      assert.equal(base.uuid, kb.uuid);
      assert.equal(sim.requests.length, 2);
    });

    it("waits for ratelimit-reset after a 429, then succeeds", async () => {
      const resetAt = Math.ceil(Date.now() / 1000) + 1;
      sim.injectFault({
        kind: "status",
        status: 429,
        headers: { "ratelimit-reset": String(resetAt), "ratelimit-remaining": "0" },
      });
      const started = Date.now();
      const base = await clientFor(sim).getKnowledgeBase(kb.uuid);
      assert.equal(base.uuid, kb.uuid);
      assert.ok(Date.now() >= resetAt * 1000 - 50, "retried before the reset time");
      assert.ok(Date.now() - started < 5_000);
    });

    it("meets the simulator's real rate limit and recovers from its 429", async function () {
      this.timeout(10_000);
      await sim.close();
      sim = await startSimulator({ rateLimitPerMinute: 3 });
      kb = sim.seedKnowledgeBase();
      const api = clientFor(sim, { retryLimit: 6 });
      for (let i = 0; i < 3; i++) await api.getKnowledgeBase(kb.uuid);
      // The fourth is refused until the oldest of the three leaves the 60 s window: too long for a
      // test, so check the refusal itself and the headers the client learns from.
      const fourth = await fetch(`${sim.url}/v2/gen-ai/knowledge_bases/${kb.uuid}`, {
        headers: { authorization: `Bearer ${sim.token}` },
      });
      assert.equal(fourth.status, 429);
      assert.equal(fourth.headers.get("ratelimit-remaining"), "0");
      const budget = new RateLimiter({ perMinute: 100 });
      budget.observe(fourth.status, fourth.headers);
      assert.equal(budget.stats().throttled, 1);
    });

    it("never retries a refused POST (4xx)", async () => {
      sim.injectFault({ kind: "status", status: 400, match: { method: "POST" } });
      const error = await clientFor(sim)
        .startIndexingJob({ knowledgeBaseUuid: kb.uuid })
        .catch((e: unknown) => e);
      assert.ok(error instanceof DigitalOceanApiError && error.status === 400);
      assert.equal(sim.requests.length, 1);
    });

    it("never resends a POST whose answer was lost (the job may have started): the caller decides", async () => {
      for (const fault of [
        { kind: "drop-after-processing" } as const,
        { kind: "drop" } as const,
        { kind: "status", status: 503 } as const,
      ]) {
        sim.clearRequests();
        sim.injectFault({ ...fault, match: { method: "POST" } });
        const error = await clientFor(sim)
          .startIndexingJob({ knowledgeBaseUuid: kb.uuid })
          .catch((e: unknown) => e);
        assert.ok(error instanceof DigitalOceanApiError, fault.kind);
        assert.equal(sim.requests.filter((r) => r.method === "POST").length, 1, fault.kind);
      }
    });

    it("resends a POST refused with a 429, which started nothing", async () => {
      sim.injectFault({
        kind: "status",
        status: 429,
        match: { method: "POST" },
        headers: { "ratelimit-reset": String(Math.ceil(Date.now() / 1000)) },
      });
      const job = await clientFor(sim).startIndexingJob({ knowledgeBaseUuid: kb.uuid });
      assert.equal(job.uuid, sim.jobs()[0]?.uuid);
      assert.deepEqual(
        sim.requests.map((r) => r.method),
        ["POST", "POST"],
      );
    });

    it("asks for application/json, so a server honouring the spec does not answer 406", async () => {
      const api = clientFor(sim);
      await api.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
      await api.listKnowledgeBaseIndexingJobs(kb.uuid);
      assert.ok(sim.requests.every((r) => r.status === 200));
      const refused = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs`, {
        headers: { authorization: `Bearer ${sim.token}`, accept: "text/*" },
      });
      assert.equal(refused.status, 406);
    });
  });

  describe("a caller's signal bounds the call", () => {
    /** Fails with what the call threw, and how long it took. */
    async function timed(call: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
      const started = Date.now();
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      return { error, ms: Date.now() - started };
    }

    const stoppedAtTheDeadline = (error: unknown) =>
      error instanceof DigitalOceanApiError &&
      error.kind === "network" &&
      /got no answer: stopped at the deadline/.test(error.message);

    it("a GET retried after 5xx answers stops at its deadline, with no retry after it", async function () {
      this.timeout(20_000);
      sim.injectFault({ kind: "status", status: 503, times: 100 });
      // Six attempts with ky's backoff would take seconds.
      const api = clientFor(sim, { retryLimit: 6 });
      const deadline = deadlineSignal(Date.now() + 700);
      const { error, ms } = await timed(api.getKnowledgeBase(kb.uuid, { signal: deadline.signal }));
      assert.ok(stoppedAtTheDeadline(error), String(error));
      assert.ok(ms >= 650 && ms < 1_200, `returned after ${ms} ms`);
      const sent = sim.requests.length;
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(sim.requests.length, sent, "a retry went out after the deadline");
    });

    it("a 429's wait for ratelimit-reset, and the budget's pause after it, stop at the deadline", async function () {
      this.timeout(20_000);
      sim.injectFault({ kind: "rate-limit", resetMs: 60_000 });
      const budget = new RateLimiter({ perMinute: 10_000 });
      const api = new GradientClient({ token: sim.token, baseUrl: sim.url, rateLimiter: budget });
      const first = await timed(
        api.getKnowledgeBase(kb.uuid, { signal: deadlineSignal(Date.now() + 500).signal }),
      );
      assert.ok(stoppedAtTheDeadline(first.error), String(first.error));
      assert.ok(first.ms < 1_500, `returned after ${first.ms} ms`);
      assert.equal(sim.requests.length, 1);
      // The budget now pauses everyone for the reset; a request queued there gives up its turn too.
      const queued = await timed(
        api.listKnowledgeBaseIndexingJobs(kb.uuid, { signal: deadlineSignal(Date.now() + 300).signal }),
      );
      assert.ok(stoppedAtTheDeadline(queued.error), String(queued.error));
      assert.ok(queued.ms < 1_000, `returned after ${queued.ms} ms`);
      assert.equal(sim.requests.length, 1, "sent during the pause");
    });

    it("a request that gave up its turn in the budget's queue hands the slot back when it comes", async () => {
      const budget = new RateLimiter({ perMinute: 10_000, maxInFlight: 1 });
      const api = new GradientClient({ token: sim.token, baseUrl: sim.url, rateLimiter: budget });
      await budget.acquire();
      const controller = new AbortController();
      const queued = api.getKnowledgeBase(kb.uuid, { signal: controller.signal }).catch((e: unknown) => e);
      // Queued for the slot by now.
      await new Promise((r) => setTimeout(r, 50));
      controller.abort(new Error("gave up"));
      assert.match(String(await queued), /stopped by the caller's signal \(gave up\)/);
      budget.release();
      // Its turn came after the held slot was released, and went back at once: the next one gets it.
      const base = await api.getKnowledgeBase(kb.uuid, { signal: AbortSignal.timeout(2_000) });
      assert.equal(base.uuid, kb.uuid);
      assert.equal(sim.requests.length, 1, "the request that gave up went out");
    });

    it("an attempt that hangs is stopped at the deadline; any other signal's reason is named as the caller's", async () => {
      sim.injectFault({ kind: "latency", ms: 10_000, match: { method: "GET" } });
      const api = clientFor(sim);
      const hung = await timed(api.getIndexingJob("x", { signal: deadlineSignal(Date.now() + 300).signal }));
      assert.ok(stoppedAtTheDeadline(hung.error), String(hung.error));
      assert.ok(hung.ms < 1_000, `returned after ${hung.ms} ms`);
      const controller = new AbortController();
      controller.abort(new Error("Ctrl-C"));
      const stopped = await timed(api.startIndexingJob({ knowledgeBaseUuid: kb.uuid }, controller));
      assert.match(String(stopped.error), /got no answer: stopped by the caller's signal \(Ctrl-C\)/);
      assert.equal(posts(sim).length, 0, "a start went out though its signal had aborted");
    });
  });

  describe("request budget", () => {
    it("reads a 429's ratelimit-reset against the answer's Date, not our clock; Retry-After as a wait", async () => {
      for (const [headers, pauseMs] of [
        // The API's clock is an hour behind ours: its reset, 3 s after its Date, is 3 s away.
        [
          {
            date: new Date(Date.parse("2025-12-31T23:00:00Z")).toUTCString(),
            "ratelimit-reset": "1767222003",
          },
          3_000,
        ],
        [{ "retry-after": "2" }, 2_000],
      ] as const) {
        const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
        const budget = new RateLimiter({ perMinute: 100, clock });
        budget.observe(429, new Headers(headers));
        let granted = false;
        const next = budget.acquire().then(() => (granted = true));
        clock.advance(pauseMs - 1);
        await new Promise((r) => setImmediate(r));
        assert.equal(granted, false, `let through before the ${pauseMs} ms pause ended`);
        clock.advance(1);
        await next;
      }
    });

    it("keeps requests within its per-minute window, in order", async () => {
      const clock = new ManualClock();
      const budget = new RateLimiter({ perMinute: 3, clock });
      const granted: number[] = [];
      const waiters = Array.from({ length: 5 }, (_, i) => budget.acquire().then(() => granted.push(i)));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(granted, [0, 1, 2]);
      clock.advance(59_999);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(granted, [0, 1, 2], "let through before the window moved on");
      clock.advance(1);
      await Promise.all(waiters);
      assert.deepEqual(granted, [0, 1, 2, 3, 4]);
      assert.equal(budget.stats().peakPerMinute, 3);
    });

    it("is shared per token at the lowest requestsPerMinute asked for: a lower one lowers it, a higher one does not raise it", () => {
      const url = "http://127.0.0.1:1/lowest-wins";
      const first = sharedRateLimiter(url, "token-a", 150);
      assert.equal(first.perMinute, 150);
      assert.equal(sharedRateLimiter(url, "token-a", 40), first, "one budget per token");
      assert.equal(first.perMinute, 40, "a lower value lowers it");
      sharedRateLimiter(url, "token-a", 180);
      sharedRateLimiter(url, "token-a");
      assert.equal(first.perMinute, 40, "a higher value, or none, does not raise it");
      assert.equal(sharedRateLimiter(url, "token-b", 90).perMinute, 90, "another token, another budget");
      // The default counts for a resource that sets none: a later 250 does not raise it.
      assert.equal(sharedRateLimiter(url, "token-c").perMinute, DEFAULT_REQUESTS_PER_MINUTE);
      assert.equal(sharedRateLimiter(url, "token-c", 250).perMinute, DEFAULT_REQUESTS_PER_MINUTE);
    });

    it("the clients of two resources of one token keep to the lower one's requestsPerMinute", () => {
      const provider = {};
      const reach = { token: "token-of-two-resources", apiEndpoint: "http://127.0.0.1:1/two-resources" };
      const generous = apiClient(provider, { ...reach, requestsPerMinute: 200 });
      const careful = apiClient(provider, { ...reach, requestsPerMinute: 100 });
      assert.equal(generous.rateLimiter, careful.rateLimiter);
      assert.equal(generous.rateLimiter.perMinute, 100);
    });

    it("a lowered limit holds for requests already waiting", async () => {
      const clock = new ManualClock();
      const budget = new RateLimiter({ perMinute: 3, clock });
      budget.lowerTo(2);
      const granted: number[] = [];
      const waiters = Array.from({ length: 3 }, (_, i) => budget.acquire().then(() => granted.push(i)));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(granted, [0, 1]);
      clock.advance(60_000);
      await Promise.all(waiters);
      assert.throws(() => budget.lowerTo(0), /positive/);
    });

    it("counts the token's requests by other processes, from how far ratelimit-remaining fell", async () => {
      const clock = new ManualClock();
      const budget = new RateLimiter({ perMinute: 100, clock });
      const answer = (remaining: number) =>
        budget.observe(
          200,
          new Headers({ "ratelimit-remaining": String(remaining), "ratelimit-reset": "0" }),
        );
      await budget.acquire();
      answer(4_990);
      budget.release();
      clock.advance(10_000);
      await budget.acquire();
      // 98 requests by others in between: with ours, the minute's 100 are used up.
      answer(4_891);
      budget.release();
      let granted = false;
      const next = budget.acquire().then(() => (granted = true));
      clock.advance(49_999);
      await new Promise((r) => setImmediate(r));
      assert.equal(granted, false, "let through while the token's minute was full");
      clock.advance(1);
      await next;
      assert.equal(budget.stats().peakPerMinute, 2, "its own window alone would not have waited");
    });

    it("does not count requests of the token's past hour that are older than a minute", async () => {
      const clock = new ManualClock();
      const budget = new RateLimiter({ perMinute: 200, clock });
      await budget.acquire();
      budget.observe(
        200,
        new Headers({
          "ratelimit-limit": "5000",
          "ratelimit-remaining": "3000",
          // The oldest of the hour's 2,000 requests is 20 minutes old: they tell nothing of the minute.
          "ratelimit-reset": String(Math.ceil((clock.now() + 40 * 60_000) / 1000)),
        }),
      );
      budget.release();
      for (let i = 0; i < 100; i++) {
        await budget.acquire();
        budget.release();
      }
      assert.equal(budget.stats().granted, 101);
    });

    it("counts only how far ratelimit-remaining fell, never the API's whole count of the hour", async () => {
      const clock = new ManualClock();
      const budget = new RateLimiter({ perMinute: 200, clock });
      const answer = (remaining: number) => {
        budget.observe(
          200,
          new Headers({
            "ratelimit-limit": "5000",
            "ratelimit-remaining": String(remaining),
            // An oldest request always a second ago: no API says so, but one that did must not stall us.
            "ratelimit-reset": String(Math.ceil((clock.now() - 1_000 + 3_600_000) / 1000)),
          }),
        );
        budget.release();
      };
      await budget.acquire();
      answer(4_700);
      clock.advance(61_000);
      for (let remaining = 4_699; remaining > 4_600; remaining--) {
        await budget.acquire();
        answer(remaining);
      }
      assert.equal(budget.stats().granted, 100);
    });

    it("has at most maxInFlight requests unanswered; a release lets the next one out", async () => {
      const budget = new RateLimiter({ perMinute: 1_000, maxInFlight: 2 });
      let granted = 0;
      const all = Array.from({ length: 4 }, () => budget.acquire().then(() => granted++));
      await new Promise((r) => setImmediate(r));
      assert.equal(granted, 2);
      budget.release();
      await new Promise((r) => setImmediate(r));
      assert.equal(granted, 3);
      budget.release();
      await Promise.all(all);
      assert.equal(granted, 4);
    });

    it("through ky: never more than maxInFlight requests at the API at once, failed ones released", async () => {
      let open = 0;
      let most = 0;
      const server = http.createServer((request, response) => {
        open++;
        most = Math.max(most, open);
        setTimeout(() => {
          open--;
          if (request.url?.includes("broken")) {
            request.socket.destroy();
            return;
          }
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify({ job: { uuid: "x", status: "INDEX_JOB_STATUS_PENDING" } }));
        }, 30);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const budget = new RateLimiter({ perMinute: 10_000, maxInFlight: 3 });
      const client = new GradientClient({
        token: "t",
        baseUrl: `http://127.0.0.1:${port}`,
        retryLimit: 0,
        attemptTimeoutMs: 2_000,
        rateLimiter: budget,
      });
      try {
        // Dropped connections fail without an answer: their slots must come back all the same.
        const broken = Array.from({ length: 4 }, () => client.getIndexingJob("broken").catch(() => "failed"));
        assert.deepEqual(await Promise.all(broken), ["failed", "failed", "failed", "failed"]);
        const jobs = await Promise.all(Array.from({ length: 10 }, () => client.getIndexingJob("x")));
        assert.equal(jobs.length, 10);
        assert.equal(most, 3, `${most} requests were at the server at once`);
      } finally {
        server.close();
      }
    });

    it("pauses everyone until the reset when the API says the quota is used up", async () => {
      const budget = new RateLimiter({ perMinute: 100 });
      const headers = new Headers({
        "ratelimit-remaining": "0",
        "ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1),
      });
      budget.observe(200, headers);
      const before = Date.now();
      await budget.acquire();
      assert.ok(Date.now() - before >= 900);
    });
  });
});
