/**
 * Jobs waited for together (provider/waiting/job-board.ts), against the simulator on a manual clock with
 * the real client: one page of the account's job list for many jobs, and a fallback to each job's own
 * GET and each knowledge base's own list wherever that page cannot be trusted to show them (its order
 * and largest page are not in the spec: the simulator's switches play each).
 */
import * as assert from "node:assert/strict";
import type { IndexingJob } from "../provider/api/types";
import { GradientClient } from "../provider/client";
import { RateLimiter } from "../provider/client/rate-limiter";
import { JobBoard } from "../provider/waiting/job-board";
import { waitForJob } from "../provider/waiting/poller";
import { startSimulator, type Simulator, type SimulatorOptions } from "../simulator";
import { HostError, ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";
import { manualSimulator, startOthersJob } from "./helpers/sim-api";

const SECOND = 1_000;
const LIST_PATH = "/v2/gen-ai/indexing_jobs";
/** When DigitalOcean's SDK waiter polls, counted from the start. */
const SDK_POLLS_S = [5, 10, 15, 25, 45, 75, 105, 135];

describe("JobBoard: jobs waited for together", () => {
  const session = manualSimulator();
  /** API calls the board made that have not come back: the clock stands still meanwhile. */
  let inFlight = 0;
  const tracked = <T>(call: Promise<T>): Promise<T> => {
    inFlight++;
    return call.finally(() => inFlight--);
  };

  async function setUp(options: SimulatorOptions = {}) {
    const sim = await session.begin({ rateLimitPerMinute: 0, ...options });
    const api = new GradientClient({
      token: sim.token,
      baseUrl: sim.url,
      rateLimiter: new RateLimiter({ perMinute: 100_000 }),
    });
    const board = new JobBoard(
      (perPage, signal) => tracked(api.listIndexingJobs({ perPage }, { signal })),
      session.clock,
    );
    return { sim, api, board };
  }

  /**
   * Runs `work` to its end, moving the manual clock straight to each wake-up once no API call is out
   * (the board sleeps till its deadlines while its calls are out, and they take real time).
   */
  async function drive<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const result = work.finally(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const next = session.clock.nextWakeUp();
      if (!done && inFlight === 0 && next !== undefined)
        session.clock.advance(Math.max(0, next - session.clock.now()));
    }
    return result;
  }

  /** Starts a job of `lengthMs` on each of `count` new knowledge bases. */
  async function startJobs(setup: Awaited<ReturnType<typeof setUp>>, lengths: number[]) {
    const started: { job: IndexingJob; endsAt: number }[] = [];
    for (const durationMs of lengths) {
      const kb = setup.sim.seedKnowledgeBase().uuid;
      setup.sim.planNextJob(kb, { pendingMs: 0, durationMs });
      const job = await setup.api.startIndexingJob({ knowledgeBaseUuid: kb });
      started.push({ job, endsAt: session.clock.now() + durationMs });
    }
    return started;
  }

  function waitAll(setup: Awaited<ReturnType<typeof setUp>>, started: { job: IndexingJob }[]) {
    const seenEnded = new Map<string, number>();
    const waits = started.map(({ job }) =>
      waitForJob(job, (signal) => tracked(setup.api.getIndexingJob(job.uuid ?? "", { signal })), {
        deadline: session.clock.now() + 3_600_000,
        notFoundGraceUntil: session.clock.now() + 60 * SECOND,
        board: setup.board,
        onObserve: (seen) => {
          if (seen.phase === "BATCH_JOB_PHASE_SUCCEEDED" && !seenEnded.has(seen.uuid ?? ""))
            seenEnded.set(seen.uuid ?? "", session.clock.now());
        },
      }),
    );
    return { done: drive(Promise.all(waits)), seenEnded };
  }

  const requests = (sim: { requests: { method: string; path: string }[] }, path: string) =>
    sim.requests.filter((r) => r.method === "GET" && r.path === path).length;
  const jobGets = (sim: { requests: { method: string; path: string }[] }) =>
    sim.requests.filter((r) => r.method === "GET" && r.path.startsWith(`${LIST_PATH}/`)).length;

  it("twenty jobs: listings as often as their schedules together poll see each end before the SDK's waiter would, no job's own GET", async () => {
    const setup = await setUp();
    const lengths = Array.from({ length: 20 }, (_, i) => (20 + 2 * i) * SECOND + 300);
    const started = await startJobs(setup, lengths);
    const t0 = session.clock.now();
    setup.sim.clearRequests();
    const { done, seenEnded } = waitAll(setup, started);
    const results = await done;
    assert.ok(results.every((r) => r.ended));
    const lateness = started.map(({ job, endsAt }) => {
      const seen = seenEnded.get(job.uuid ?? "") ?? Infinity;
      const sdkSees = t0 + (SDK_POLLS_S.find((s) => t0 + s * SECOND >= endsAt) ?? Infinity) * SECOND;
      assert.ok(seen <= sdkSees, `job ${job.uuid} seen ${seen - endsAt} ms after its end`);
      return seen - endsAt;
    });
    // While many wait, a listing every 2 s; as they end, the few left are looked at less often.
    const mean = lateness.reduce((a, b) => a + b, 0) / lateness.length;
    assert.ok(mean <= 3 * SECOND, `mean lateness ${mean} ms`);
    assert.equal(jobGets(setup.sim), 0);
    // The SDK's waiter would have spent 6 or 7 GETs on each job.
    const listings = requests(setup.sim, LIST_PATH);
    assert.ok(listings <= 30, `${listings} listings`);
  });

  it("alone, a job is polled with its own GET on the SDK's schedule, never listed", async () => {
    const setup = await setUp();
    const started = await startJobs(setup, [40 * SECOND]);
    setup.sim.clearRequests();
    await waitAll(setup, started).done;
    assert.equal(requests(setup.sim, LIST_PATH), 0);
    // 5, 10, 15, 25, 45 s.
    assert.equal(jobGets(setup.sim), 5);
  });

  it("two long jobs with past runs as long: each end seen within 2 s, though their listings are 15 s apart by then", async () => {
    const setup = await setUp();
    const lengthMs = 10 * 60 * SECOND + 500;
    const started = await startJobs(setup, [lengthMs, lengthMs + 20 * SECOND]);
    const seenEnded = new Map<string, number>();
    const waits = started.map(({ job }, i) =>
      waitForJob(job, (signal) => tracked(setup.api.getIndexingJob(job.uuid ?? "", { signal })), {
        deadline: session.clock.now() + 3_600_000,
        board: setup.board,
        typicalRunMs: lengthMs + i * 20 * SECOND,
        onObserve: (seen) => {
          if (seen.phase === "BATCH_JOB_PHASE_SUCCEEDED") seenEnded.set(seen.uuid ?? "", session.clock.now());
        },
      }),
    );
    await drive(Promise.all(waits));
    for (const { job, endsAt } of started) {
      const late = (seenEnded.get(job.uuid ?? "") ?? Infinity) - endsAt;
      assert.ok(late >= 0 && late <= 2 * SECOND, `job ${job.uuid} seen ${late} ms after its end`);
    }
  });

  it("a list that shows none of our jobs (oldest first, past a page) is read once, then each job's GET", async () => {
    const setup = await setUp({ jobListOrder: "oldest-first", jobListMaxPerPage: 5 });
    await startJobs(
      setup,
      Array.from({ length: 6 }, () => 0),
    );
    const started = await startJobs(setup, [30 * SECOND, 30 * SECOND, 30 * SECOND]);
    setup.sim.clearRequests();
    const results = await waitAll(setup, started).done;
    assert.ok(results.every((r) => r.ended));
    assert.equal(requests(setup.sim, LIST_PATH), 1);
    // Each on the SDK's schedule: 5, 10, 15, 25, 45 s.
    assert.equal(jobGets(setup.sim), 3 * 5);
  });

  it("an end the list tells without data source jobs is read once with the job's own GET", async () => {
    const setup = await setUp({ jobListOmitsSourceJobs: true });
    const started = await startJobs(setup, [7 * SECOND, 8 * SECOND, 9 * SECOND]);
    setup.sim.clearRequests();
    const results = await waitAll(setup, started).done;
    for (const { ended, job } of results) {
      assert.ok(ended);
      assert.equal(job.data_source_jobs?.length, 1, "the outputs would lack the data source jobs");
    }
    // Listings found each end; one GET each then, nothing more.
    assert.equal(jobGets(setup.sim), 3);
  });

  it("jobs the list leaves out for a while (the API's lag) are waited for all the same", async () => {
    const setup = await setUp({ readAfterWriteLagMs: 4 * SECOND });
    const started = await startJobs(setup, [3 * SECOND, 12 * SECOND, 12 * SECOND]);
    const { done, seenEnded } = waitAll(setup, started);
    assert.ok((await done).every((r) => r.ended));
    assert.equal(seenEnded.size, 3);
  });

  it("a knowledge base's jobs from the account's list: as its own list shows them, newest first, the latest 15", async () => {
    const setup = await setUp();
    const kbs = [setup.sim.seedKnowledgeBase().uuid, setup.sim.seedKnowledgeBase().uuid];
    for (let i = 0; i < 18; i++) {
      for (const kb of kbs) {
        setup.sim.planNextJob(kb, { pendingMs: 0, durationMs: 0 });
        await setup.api.startIndexingJob({ knowledgeBaseUuid: kb });
      }
      session.clock.advance(SECOND);
    }
    setup.sim.clearRequests();
    const [fromBoard, own] = await Promise.all([
      Promise.all(kbs.map((kb) => setup.board.knowledgeBaseJobs(kb))),
      Promise.all(kbs.map((kb) => setup.api.listKnowledgeBaseIndexingJobs(kb))),
    ]);
    for (const [i, jobs] of fromBoard.entries()) {
      assert.equal(jobs?.length, 15);
      assert.deepEqual(
        jobs?.map((job) => job.uuid),
        own[i]?.items.map((job) => job.uuid),
      );
    }
    // Both asked before the listing went out: one listing served them.
    assert.equal(requests(setup.sim, LIST_PATH), 1);
  });

  it("a list that does not hold every job stands in for no knowledge base's, and is not read again for that", async () => {
    const setup = await setUp({ jobListMaxPerPage: 3 });
    const kb = setup.sim.seedKnowledgeBase().uuid;
    await startJobs(setup, [0, 0, 0, 0]);
    assert.equal(await setup.board.knowledgeBaseJobs(kb), undefined);
    assert.equal(await setup.board.knowledgeBaseJobs(kb), undefined);
    assert.equal(requests(setup.sim, LIST_PATH), 1);
  });
});

describe("JobBoard through the Pulumi dynamic-provider host: many creates of one `pulumi up`", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;
  let provider: string;

  /** A simulator with `options`, and a configured host with our provider as installed. */
  async function begin(options: SimulatorOptions = {}): Promise<void> {
    sim = await startSimulator({ rateLimitPerMinute: 0, ...options });
    host = await ProviderHost.start();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
    const { IndexingJobProvider } = installedPackage();
    provider = await serializeProvider(new IndexingJobProvider());
  }

  afterEach(async () => {
    await host.stop();
    await sim.close();
  });

  const createAll = async (kbs: string[]) => {
    const created = await Promise.all(
      kbs.map((knowledgeBaseUuid) => host.create({ __provider: provider, knowledgeBaseUuid })),
    );
    assert.ok(created.every(({ outs }) => outs.phase === "BATCH_JOB_PHASE_SUCCEEDED"));
    return sim.requests.filter((r) => r.method === "GET");
  };

  /** A create with `timeout: "8s"` while the requests `match` names hang 45 s: its error, returned within seconds of 8 s. */
  const createWhileHanging = async (kb: string, match: { method: string; path: string | RegExp }) => {
    sim.injectFault({ kind: "latency", ms: 45_000, match, times: 100 });
    const began = Date.now();
    const error = await host
      .create({ __provider: provider, knowledgeBaseUuid: kb, timeout: "8s" })
      .catch((e: unknown) => e);
    const seconds = (Date.now() - began) / 1_000;
    assert.ok(error instanceof HostError, String(error));
    assert.ok(seconds >= 8 && seconds <= 14, `the create returned after ${seconds} s`);
    sim.clearFaults();
    return error;
  };

  it("ten creates at once: one look at the account's jobs before the starts, listings instead of polls", async () => {
    await begin({ defaultJobPlan: { pendingMs: 500, durationMs: 6_000 } });
    const gets = await createAll(Array.from({ length: 10 }, () => sim.seedKnowledgeBase().uuid));
    const firstStart = sim.requests.findIndex((r) => r.method === "POST");
    const listingsBeforeStarts = gets.filter(
      (r) => r.path === LIST_PATH && sim.requests.indexOf(r) < firstStart,
    );
    assert.ok(listingsBeforeStarts.length <= 3, `${listingsBeforeStarts.length} listings before the starts`);
    assert.equal(gets.filter((r) => /knowledge_bases\/[^/]+\/indexing_jobs/.test(r.path)).length, 0);
    // 6.5 s jobs: the SDK's waiter would GET each at 5 and 10 s; one listing every 2 s serves them all.
    assert.equal(gets.filter((r) => r.path.startsWith(`${LIST_PATH}/`)).length, 0);
    assert.ok(gets.filter((r) => r.path === LIST_PATH).length <= listingsBeforeStarts.length + 5);
  });

  it('a create with `timeout: "8s"` while every GET of its job hangs 45 s fails within seconds of 8 s, the job recorded', async function () {
    this.timeout(120_000);
    await begin({ defaultJobPlan: { pendingMs: 500, durationMs: 10 * 60_000 } });
    const kb = sim.seedKnowledgeBase().uuid;
    // Only the job's own GETs: the create's listing and start answer (the next test hangs those).
    const error = await createWhileHanging(kb, { method: "GET", path: /indexing_jobs\// });
    assert.match(error.message, /did not finish within 8s/);
    const job = sim.jobs()[0];
    assert.ok(job?.uuid);
    assert.equal(error.initFailure?.id, job.uuid, "the job was not recorded");
    // As the start's answer showed it: no GET came back.
    assert.equal(error.initFailure?.properties.phase, "BATCH_JOB_PHASE_PENDING");
    assert.ok(
      sim.requests.some((r) => r.fault === "latency"),
      "no GET of the job went out: the test proved nothing",
    );
  });

  it('a create with `timeout: "8s"` returns within seconds of 8 s when its listings hang, or its start (recorded as unconfirmed)', async function () {
    this.timeout(120_000);
    await begin();
    const kb = sim.seedKnowledgeBase().uuid;
    const listing = await createWhileHanging(kb, { method: "GET", path: /indexing_jobs/ });
    assert.match(listing.message, /Could not list the indexing jobs.*no indexing job was started/s);
    const start = await createWhileHanging(kb, { method: "POST", path: "/v2/gen-ai/indexing_jobs" });
    assert.match(start.message, /may have started a job/);
    assert.ok(start.initFailure?.properties.unconfirmedStart, "the hanging start was not recorded");
  });

  it("an account whose list does not fit one page: each create reads its knowledge base's own list, as before", async () => {
    await begin({
      jobListMaxPerPage: 2,
      jobListOrder: "oldest-first",
      defaultJobPlan: { pendingMs: 200, durationMs: 1_500 },
    });
    // Three jobs of the past, on other knowledge bases: more than a page.
    for (let i = 0; i < 3; i++) {
      const other = sim.seedKnowledgeBase().uuid;
      sim.planNextJob(other, { pendingMs: 0, durationMs: 0 });
      await startOthersJob(sim, other);
    }
    const kbs = [sim.seedKnowledgeBase().uuid, sim.seedKnowledgeBase().uuid];
    sim.clearRequests();
    const gets = await createAll(kbs);
    for (const kb of kbs) {
      const own = gets.filter((r) => r.path === `/v2/gen-ai/knowledge_bases/${kb}/indexing_jobs`);
      assert.equal(own.length, 1);
    }
    // The account's list was read for the first listings and found wanting, then once for the polls:
    // its first page, oldest first, shows none of the jobs waited for, so it is not read again.
    const listings = gets.filter((r) => r.path === LIST_PATH).length;
    assert.ok(listings <= 3, `${listings} listings`);
    const polls = gets.filter((r) => r.path.startsWith(`${LIST_PATH}/`)).length;
    assert.ok(polls >= 2, "each job polled by its GET");
  });
});
