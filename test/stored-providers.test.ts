/**
 * Providers that earlier versions wrote into stacks' states (test/fixtures/stored-providers/), and one
 * serialized now, run through Pulumi's real host against today's package: every path they require
 * must still load, and each call must still do its work (create, update, read, delete).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const FIXTURES = path.resolve(__dirname, "..", "..", "test", "fixtures", "stored-providers");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

type Props = Record<string, unknown>;

describe("providers stored by earlier versions, through the Pulumi host", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;

  beforeEach(async () => {
    sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 500 },
    });
    host = await ProviderHost.start();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
  });

  afterEach(async () => {
    await host.stop();
    await sim.close();
  });

  const { IndexingJobProvider, IndexingScheduleProvider } = installedPackage();
  const jobProviders: [string, () => Promise<string>][] = [
    [
      "0.1.0 (methods by value, requires dist/provider/lifecycle.js and friends)",
      async () => fixture("e00943d-indexing-job.js.txt"),
    ],
    [
      "0.1.1 (a shell requiring dist/provider/load.js and handlers.js)",
      async () => fixture("e0bc0da-indexing-job.js.txt"),
    ],
    [
      "0.2.0 (a shell loading pulumi-gradient-indexing/handlers)",
      () =>
        serializeProvider(
          new IndexingJobProvider({ poll: { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 } }),
        ),
    ],
  ];

  for (const [version, provider] of jobProviders) {
    it(`IndexingJobProvider of ${version}: check, create, diff, update, read, delete`, async () => {
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 3 }] });
      const inputs = (extra: Props = {}): Props => ({ knowledgeBaseUuid: kb.uuid, ...extra });
      const text = await provider();
      const checked = await host.check({}, { ...inputs(), __provider: text });
      assert.deepEqual(checked.failures, []);
      const { id, outs } = await host.create({ ...inputs({ triggers: 1 }), __provider: text });
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      const diff = await host.diff(id, outs, { ...inputs({ triggers: 1, timeout: "2h" }), __provider: text });
      assert.deepEqual(diff.replaces, []);
      const updated = await host.update(id, outs, {
        ...inputs({ triggers: 1, timeout: "2h" }),
        __provider: text,
      });
      assert.equal(updated.outs.timeout, "2h");
      assert.equal(updated.outs.uuid, id);
      const read = await host.read(id, { ...updated.outs, __provider: text });
      assert.equal(read.id, id);
      sim.planNextJob(kb.uuid, { durationMs: 60_000 });
      const running = await host.create({
        ...inputs({ triggers: 2, waitForCompletion: false }),
        __provider: text,
      });
      await host.delete(running.id, { ...running.outs, __provider: text });
      assert.match(String(sim.job(running.id)?.phase), /CANCELLED/);
    });
  }

  const scheduleProviders: [string, () => Promise<string>][] = [
    ["0.1.1", async () => fixture("e0bc0da-indexing-schedule.js.txt")],
    ["0.2.0", () => serializeProvider(new IndexingScheduleProvider())],
  ];
  for (const [version, provider] of scheduleProviders) {
    it(`IndexingScheduleProvider of ${version}: check, create, read, delete`, async () => {
      const kb = sim.seedKnowledgeBase();
      const text = await provider();
      const inputs = { knowledgeBaseUuid: kb.uuid, time: "03:30", days: [1, 3], __provider: text };
      assert.deepEqual((await host.check({}, inputs)).failures, []);
      const { id, outs } = await host.create(inputs);
      assert.equal((await host.read(id, { ...outs, __provider: text })).id, id);
      await host.delete(id, { ...outs, __provider: text });
      assert.equal((await host.read(id, { ...outs, __provider: text })).id, "");
    });
  }
});
