/**
 * The client's scheduled-indexing operations, and the simulator running a schedule when its time
 * comes (on a manual clock).
 */
import * as assert from "node:assert/strict";
import { DigitalOceanApiError, GradientClient, RateLimiter } from "../provider/client";
import { ManualClock } from "../simulator/manual-clock";
import { startSimulator, type Simulator } from "../simulator";

const HOUR = 3_600_000;

function clientFor(sim: Simulator) {
  return new GradientClient({
    token: sim.token,
    baseUrl: sim.url,
    retryLimit: 3,
    attemptTimeoutMs: 2_000,
    rateLimiter: new RateLimiter({ perMinute: 10_000 }),
  });
}

describe("GradientClient scheduled indexing against the simulator", function () {
  let sim: Simulator;
  let clock: ManualClock;
  let kb: { uuid: string; dataSourceUuids: string[] };

  async function start(options: { runSchedules?: boolean } = {}) {
    // 2026-01-01T00:00:00Z, a Thursday (cron day 4).
    clock = new ManualClock();
    sim = await startSimulator({ clock, rateLimitPerMinute: 0, ...options });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 5 }, { items: 7 }] });
  }
  afterEach(() => sim.close());

  it("creates, reads by knowledge base, and deletes a schedule", async () => {
    await start();
    const api = clientFor(sim);
    const created = await api.createIndexingSchedule({
      knowledgeBaseUuid: kb.uuid,
      time: "02:30",
      days: [4, 7],
    });
    assert.ok(created.uuid);
    assert.equal(created.is_active, true);
    assert.equal(created.next_run_at, "2026-01-01T02:30:00Z");
    assert.deepEqual(sim.requests.at(-1)?.body, {
      knowledge_base_uuid: kb.uuid,
      time: "02:30",
      days: [4, 7],
    });

    const read = await api.getIndexingSchedule(kb.uuid);
    assert.equal(read.uuid, created.uuid);

    await api.deleteIndexingSchedule(created.uuid ?? "");
    assert.equal(sim.requests.at(-1)?.method, "DELETE");
    await assert.rejects(api.getIndexingSchedule(kb.uuid), (e: DigitalOceanApiError) => e.status === 404);
    await assert.rejects(
      api.deleteIndexingSchedule(created.uuid ?? ""),
      (e: DigitalOceanApiError) => e.status === 404,
    );
  });

  it("creates one schedule when the answer to the create is lost", async () => {
    // The client tells its own create by the schedule's creation time: the simulator needs real time.
    sim = await startSimulator({ rateLimitPerMinute: 0 });
    kb = sim.seedKnowledgeBase({ name: "docs" });
    sim.injectFault({ kind: "drop-after-processing", match: { method: "POST" } });
    const api = clientFor(sim);
    const created = await api.createIndexingSchedule({
      knowledgeBaseUuid: kb.uuid,
      time: "02:30",
      days: [1],
    });
    const posts = sim.requests.filter((r) => r.method === "POST");
    assert.equal(posts.length, 1, "the lost create was found, not sent again");
    assert.equal((await api.getIndexingSchedule(kb.uuid)).uuid, created.uuid);
  });

  it("the simulator starts an indexing job of every data source when a schedule comes due", async () => {
    await start();
    const api = clientFor(sim);
    await api.createIndexingSchedule({ knowledgeBaseUuid: kb.uuid, time: "02:30", days: [4] });
    clock.advance(2 * HOUR);
    assert.equal((await api.listKnowledgeBaseIndexingJobs(kb.uuid)).items.length, 0, "not due yet");

    clock.advance(HOUR); // 03:00, past 02:30 on a Thursday
    const { items } = await api.listKnowledgeBaseIndexingJobs(kb.uuid);
    assert.equal(items.length, 1);
    assert.deepEqual([...(items[0]?.data_source_uuids ?? [])].sort(), [...kb.dataSourceUuids].sort());
    const info = await api.getIndexingSchedule(kb.uuid);
    assert.equal(info.last_ran_at, "2026-01-01T03:00:00Z");
    assert.equal(info.next_run_at, "2026-01-08T02:30:00Z");

    clock.advance(HOUR);
    assert.equal(
      (await api.listKnowledgeBaseIndexingJobs(kb.uuid)).items.length,
      1,
      "runs once per due time",
    );
  });

  it("runSchedules: false keeps schedules from starting jobs", async () => {
    await start({ runSchedules: false });
    const api = clientFor(sim);
    await api.createIndexingSchedule({ knowledgeBaseUuid: kb.uuid, time: "00:10", days: [4] });
    clock.advance(HOUR);
    assert.equal((await api.listKnowledgeBaseIndexingJobs(kb.uuid)).items.length, 0);
    assert.equal((await api.getIndexingSchedule(kb.uuid)).last_ran_at, undefined);
  });
});
