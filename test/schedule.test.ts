/**
 * IndexingScheduleProvider driven as `pulumi up` drives it: serialized by Pulumi's closure serializer,
 * loaded by Pulumi's own dynamic-provider host, called over gRPC, against the simulator.
 */
import * as assert from "node:assert/strict";
import { ManualClock } from "../simulator/manual-clock";
import { startSimulator, type Simulator } from "../simulator";
import { HostError, ProviderHost, UNKNOWN, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const { IndexingScheduleProvider } = installedPackage();

type Props = Record<string, unknown>;

describe("IndexingScheduleProvider through the Pulumi dynamic-provider host", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let clock: ManualClock;
  let host: ProviderHost;
  let provider: string;
  let kb: { uuid: string; dataSourceUuids: string[] };

  const inputs = (extra: Props = {}): Props => ({
    __provider: provider,
    knowledgeBaseUuid: kb.uuid,
    time: "02:30",
    days: [1, 4],
    ...extra,
  });
  const scheduleCalls = () => sim.requests.filter((r) => r.path.startsWith("/v2/gen-ai/scheduled-indexing"));

  before(async () => {
    provider = await serializeProvider(new IndexingScheduleProvider());
    assert.ok(provider.includes('"pulumi-gradient-indexing/handlers"'));
    assert.ok(!provider.includes("createIndexingSchedule"), "the library's code is not serialized");
  });

  beforeEach(async () => {
    clock = new ManualClock(); // 2026-01-01T00:00:00Z, a Thursday (cron day 4)
    sim = await startSimulator({ clock, rateLimitPerMinute: 0 });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 20 }, { items: 30 }] });
    host = await ProviderHost.start();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
  });

  afterEach(async () => {
    await host.stop();
    await sim.close();
  });

  describe("check", () => {
    it("refuses bad input, naming each property, before any API call", async () => {
      const { failures } = await host.check(
        {},
        { __provider: provider, knowledgeBaseUuid: "docs", time: "2:30pm", days: [1, 8, 1, 2.5], day: 1 },
      );
      const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
      assert.match(byProperty.knowledgeBaseUuid ?? "", /UUID/);
      assert.match(byProperty.time ?? "", /HH:MM/);
      assert.match(byProperty["days[1]"] ?? "", /1 \(Monday\) to 7/);
      assert.match(byProperty["days[2]"] ?? "", /repeats day 1/);
      assert.match(byProperty["days[3]"] ?? "", /day number/);
      assert.match(byProperty.day ?? "", /not an input/);
      assert.equal(failures.length, 6);
      assert.equal(sim.requests.length, 0);
    });

    it("refuses missing inputs, no days, 24:00, and Sunday given as both 0 and 7", async () => {
      const missing = await host.check({}, { __provider: provider });
      assert.deepEqual(missing.failures.map((f) => f.property).sort(), ["days", "knowledgeBaseUuid", "time"]);
      const empty = await host.check({}, inputs({ days: [], time: "24:00" }));
      assert.deepEqual(
        empty.failures.map((f) => `${f.property}: ${f.reason}`),
        ['time: must be "HH:MM" in UTC (00:00 to 23:59), got "24:00"', "days: must name at least one day"],
      );
      const sundays = await host.check({}, inputs({ days: [0, 7] }));
      assert.deepEqual(sundays.failures, [{ property: "days[1]", reason: "repeats day 7" }]);
      assert.equal(sim.requests.length, 0);
    });

    it("accepts good input as it is, and values unknown during a preview", async () => {
      const news = inputs({ days: [0, 3, 6], time: "23:59" });
      assert.deepEqual(await host.check({}, news), { inputs: news, failures: [] });
      const preview = await host.check(
        {},
        inputs({ knowledgeBaseUuid: UNKNOWN, time: UNKNOWN, days: UNKNOWN }),
      );
      assert.deepEqual(preview.failures, []);
    });
  });

  describe("diff (no API call)", () => {
    const old = () => ({ knowledgeBaseUuid: kb.uuid, time: "02:30", days: [1, 4], uuid: "x" });

    it("reports nothing for the same inputs, whatever the order of days or how Sunday is written", async () => {
      assert.equal((await host.diff("x", old(), inputs({ days: [4, 1] }))).changes, "none");
      const sunday = await host.diff("x", { ...old(), days: [0, 1] }, inputs({ days: [1, 7] }));
      assert.equal(sunday.changes, "none");
      assert.equal(sim.requests.length, 0);
    });

    it("replaces on any change, deleting the old schedule first", async () => {
      for (const [change, property] of [
        [{ time: "03:00" }, "time"],
        [{ days: [1, 5] }, "days"],
        [{ knowledgeBaseUuid: "22222222-2222-4222-8222-222222222222" }, "knowledgeBaseUuid"],
        [{ days: UNKNOWN }, "days"],
      ] as const) {
        const diff = await host.diff("x", old(), inputs(change));
        assert.equal(diff.changes, "some", property);
        assert.deepEqual(diff.replaces, [property]);
        assert.equal(diff.deleteBeforeReplace, true);
      }
      assert.equal(sim.requests.length, 0);
    });
  });

  describe("create, read, delete", () => {
    it("creates the schedule and returns camelCased outputs with the inputs unchanged", async () => {
      const { id, outs } = await host.create(inputs({ days: [4, 0] }));
      assert.equal(id, outs.uuid);
      const { __provider, ...fields } = outs;
      assert.equal(__provider, provider, "the host records the provider with the outputs");
      assert.deepEqual(fields, {
        knowledgeBaseUuid: kb.uuid,
        time: "02:30",
        days: [4, 0],
        uuid: id,
        isActive: true,
        nextRunAt: "2026-01-01T02:30:00Z",
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-01T00:00:00Z",
      });
      assert.deepEqual(scheduleCalls()[0]?.body, {
        knowledge_base_uuid: kb.uuid,
        time: "02:30",
        days: [4, 7],
      });
    });

    it("read shows the schedule firing: lastRanAt, nextRunAt, and the indexing job it started", async () => {
      const { id, outs } = await host.create(inputs());
      clock.advance(3 * 3_600_000); // 03:00 Thursday, past 02:30
      const read = await host.read(id, outs);
      assert.equal(read.id, id);
      assert.equal(read.props.lastRanAt, "2026-01-01T03:00:00Z");
      assert.equal(read.props.nextRunAt, "2026-01-05T02:30:00Z"); // the Monday after
      assert.deepEqual(read.props.days, [1, 4]);
      const jobs = sim.jobs().filter((job) => job.knowledge_base_uuid === kb.uuid);
      assert.equal(jobs.length, 1);
      assert.deepEqual([...(jobs[0]?.data_source_uuids ?? [])].sort(), [...kb.dataSourceUuids].sort());
    });

    it("reads a deleted schedule, a replaced one, and one whose knowledge base is gone as gone", async () => {
      const { id, outs } = await host.create(inputs());
      await fetch(`${sim.url}/v2/gen-ai/scheduled-indexing/${id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${sim.token}` },
      });
      assert.equal((await host.read(id, outs)).id, "");

      const second = await host.create(inputs());
      await host.create(inputs({ time: "05:00" })); // someone else's schedule replaces ours
      assert.equal((await host.read(second.id, second.outs)).id, "");

      const third = await host.create(inputs());
      await fetch(`${sim.url}/v2/gen-ai/knowledge_bases/${kb.uuid}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${sim.token}` },
      });
      assert.equal((await host.read(third.id, third.outs)).id, "");
    });

    it("deletes the schedule; one already gone is a no-op", async () => {
      const { id, outs } = await host.create(inputs());
      await host.delete(id, outs);
      assert.equal(scheduleCalls().at(-1)?.method, "DELETE");
      assert.equal(scheduleCalls().at(-1)?.status, 200);
      await host.delete(id, outs);
      assert.equal(scheduleCalls().at(-1)?.status, 404);
      assert.equal((await host.read(id, outs)).id, "");
    });
  });

  describe("errors and secrets", () => {
    it("fails a create the API refuses with the API's reason, and no token anywhere", async () => {
      sim.injectFault({ kind: "status", status: 422, match: { method: "POST" } });
      const error = await host.create(inputs()).then(
        () => assert.fail("create should fail"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HostError);
      assert.match(error.message, /POST \/v2\/gen-ai\/scheduled-indexing failed with HTTP 422/);
      assert.ok(!error.message.includes(sim.token));
      assert.ok(!provider.includes(sim.token));
      assert.ok(!host.output().includes(sim.token));
    });

    it("says how to set a token when there is none", async () => {
      await host.stop();
      host = await ProviderHost.start();
      await host.configure({});
      await assert.rejects(host.create(inputs()), /digitalocean:token/);
      assert.equal(sim.requests.length, 0);
    });

    it("rides out 5xx answers on read and delete", async () => {
      const { id, outs } = await host.create(inputs());
      sim.injectFault({ kind: "status", status: 503, times: 2 });
      assert.equal((await host.read(id, outs)).id, id);
      sim.injectFault({ kind: "status", status: 502, times: 2 });
      await host.delete(id, outs);
      assert.equal(scheduleCalls().at(-1)?.status, 200);
    });
  });
});
