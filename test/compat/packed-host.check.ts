/**
 * The packed package in a user's project, on the Node.js and @pulumi/pulumi of that project: run by
 * test/compat/run.ts under the chosen Node binary (so the serializer, the host and the provider all run on it),
 * with COMPAT_PROJECT naming the project directory. Not part of `npm test`'s spec (no `.test.js`).
 */
import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as Closure from "@pulumi/pulumi/runtime/closure/serializeClosure";
import type * as Package from "../../provider";
import type * as SimulatorModule from "../../simulator";
import { ProviderHost, secret } from "../helpers/host";

const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };

describe(`packed package on Node ${process.version}`, function () {
  this.timeout(120_000);
  const project = process.env.COMPAT_PROJECT ?? "";

  it("serializes, and runs check, create, read, update and delete through the project's own host", async () => {
    assert.ok(project, "COMPAT_PROJECT is not set");
    const fromProject = createRequire(path.join(project, "index.js"));
    const pulumiVersion = (fromProject("@pulumi/pulumi/package.json") as { version: string }).version;
    console.log(`      node ${process.version}, @pulumi/pulumi ${pulumiVersion}`);
    const { IndexingJobProvider } = fromProject("pulumi-gradient-indexing") as typeof Package;
    const { startSimulator } = fromProject("pulumi-gradient-indexing/simulator") as typeof SimulatorModule;
    const { serializeFunction } = fromProject(
      "@pulumi/pulumi/runtime/closure/serializeClosure",
    ) as typeof Closure;

    const provider = new IndexingJobProvider({ poll: FAST_POLL });
    const text = (await serializeFunction(() => provider, { allowSecrets: true })).text;
    // A shell that loads the library by name when the host calls it; the library itself is not stored.
    assert.ok(text.includes('"pulumi-gradient-indexing/handlers"'), text);
    assert.doesNotMatch(text, /pulumi-gradient-indexing\/dist\//);
    assert.ok(text.length < 10_240, `serialized provider is ${text.length} B`);

    const sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 400 },
    });
    const host = await ProviderHost.start({
      cwd: project,
      hostScript: path.join(
        project,
        "node_modules",
        "@pulumi",
        "pulumi",
        "cmd",
        "dynamic-provider",
        "index.js",
      ),
    });
    try {
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 4 }] });
      await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
      const { inputs, failures } = await host.check({}, { __provider: text, knowledgeBaseUuid: kb.uuid });
      assert.deepEqual(failures, []);
      const { id, outs } = await host.create(inputs);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(outs.totalItemsIndexed, 4);
      await host.waitForOutput(/SUCCEEDED\/COMPLETED, 1\/1 data sources, 4\/4 items indexed/);

      const read = await host.read(id, outs);
      assert.equal(read.props.uuid, id);
      const updated = await host.update(id, outs, { ...inputs, timeout: "5m" });
      assert.equal(updated.outs.timeout, "5m");
      assert.equal(updated.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(sim.jobs().length, 1, "an update of the timeout alone started a job");
      await host.delete(id, updated.outs);
    } finally {
      await host.stop();
      await sim.close();
    }
  });
});
