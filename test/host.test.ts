import * as assert from "node:assert/strict";
import requireFromString from "require-from-string";
import { EchoProvider } from "./helpers/fixtures/echo-provider";
import {
  HostError,
  ProviderHost,
  UNKNOWN,
  secret,
  serializeProvider,
  useHost,
  withHost,
} from "./helpers/host";

const TOKEN = "dop_v1_fixture_token_do_not_print";
const GRPC_UNKNOWN = 2;

describe("ProviderHost (real dynamic-provider host over gRPC)", () => {
  describe("serializeProvider", () => {
    it("produces a module whose handler() returns a working provider", async () => {
      const text = await serializeProvider(new EchoProvider());
      const loaded: unknown = requireFromString(text).handler();
      assert.ok(loaded instanceof Object && "check" in loaded && typeof loaded.check === "function");
      const checked: unknown = await loaded.check.call(loaded, {}, { name: " local " });
      assert.deepEqual(checked, { inputs: { name: "local" } });
    });
  });

  describe("configured with a secret token", () => {
    const host = useHost();
    let provider: string;
    let created: { id: string; outs: Record<string, unknown> };

    before(async () => {
      provider = await serializeProvider(new EchoProvider());
      await host().configure({ "digitalocean:token": secret(TOKEN), "echo:region": "nyc3" });
      created = await host().create({ __provider: provider, name: "kb" });
    });

    it("delivers configure args (secret-wrapped or not) to provider.configure", () => {
      assert.equal(created.id, "echo-kb");
      assert.equal(created.outs.seenToken, TOKEN);
      assert.equal(created.outs.seenRegion, "nyc3");
    });

    it("returns create outputs including __provider", () => {
      assert.equal(created.outs.greeting, "hello kb");
      assert.equal(created.outs.__provider, provider);
    });

    it("captures what the provider printed, which must not include the token", async () => {
      await host().waitForOutput(/echo: configured \(token present\)/);
      await host().waitForOutput(/echo: creating kb/);
      assert.ok(!host().output().includes(TOKEN));
      host().clearOutput();
      assert.equal(host().output(), "");
    });

    it("returns check failures and normalized inputs", async () => {
      const bad = await host().check({}, { __provider: provider, name: " " });
      assert.deepEqual(bad.failures, [{ property: "name", reason: "name must be a non-empty string" }]);
      const good = await host().check({}, { __provider: provider, name: " kb ", optional: undefined });
      assert.deepEqual(good, { inputs: { __provider: provider, name: "kb" }, failures: [] });
    });

    it("falls back to the old provider when __provider is unknown (preview)", async () => {
      const res = await host().check(
        { __provider: provider, name: "kb" },
        { __provider: UNKNOWN, name: "kb" },
      );
      assert.deepEqual(res.failures, []);
    });

    it("maps diff results", async () => {
      const olds = { __provider: provider, name: "kb", zone: "a" };
      assert.deepEqual(await host().diff("echo-kb", olds, { ...olds }), {
        changes: "none",
        replaces: [],
        deleteBeforeReplace: true,
      });
      assert.equal((await host().diff("echo-kb", olds, { ...olds, name: "kb2" })).changes, "some");
      const replace = await host().diff("echo-kb", olds, { ...olds, zone: "b" });
      assert.deepEqual([replace.changes, replace.replaces], ["some", ["zone"]]);
    });

    it("decodes the partial state of a failed create into initFailure", async () => {
      const err = await host()
        .create({ __provider: provider, name: "broken", failCreate: true })
        .then(
          () => assert.fail("create should have failed"),
          (e: unknown) => e,
        );
      assert.ok(err instanceof HostError);
      assert.equal(err.code, GRPC_UNKNOWN);
      assert.equal(err.message, "echo: job failed after the resource was created");
      assert.deepEqual(err.initFailure, {
        id: "echo-partial",
        properties: { __provider: provider, name: "broken", failCreate: true, status: "failed" },
        reasons: ["job failed"],
      });
    });

    it("reads, updates and deletes", async () => {
      const read = await host().read(created.id, created.outs);
      assert.equal(read.id, created.id);
      assert.equal(read.props.reads, 1);
      assert.equal(read.props.__provider, provider);
      assert.deepEqual(read.inputs, { name: "kb", __provider: provider });

      const updated = await host().update(created.id, created.outs, { __provider: provider, name: "kb2" });
      assert.equal(updated.outs.greeting, "hello kb2");
      assert.equal(updated.outs.previousName, "kb");
      assert.equal(updated.outs.__provider, provider);

      await host().delete(created.id, updated.outs);
      await host().waitForOutput(/echo: deleted echo-kb/);
    });

    it("rejects with a plain HostError when delete fails", async () => {
      const err = await host()
        .delete("echo-x", { __provider: provider, failDelete: true })
        .then(
          () => assert.fail("delete should have failed"),
          (e: unknown) => e,
        );
      assert.ok(err instanceof HostError);
      assert.equal(err.message, "echo: refusing to delete echo-x");
      assert.equal(err.initFailure, undefined);
    });

    it("unwraps secret props, as the engine does for a provider that does not accept secrets", async () => {
      const res = await host().create({ __provider: provider, name: secret("hidden") });
      assert.equal(res.outs.name, "hidden");
    });
  });

  it("configures with empty config when configure() was never called", async () => {
    await withHost(async (host) => {
      const res = await host.create({
        __provider: await serializeProvider(new EchoProvider()),
        name: "bare",
      });
      assert.equal(res.outs.seenToken, null);
      await host.waitForOutput(/token missing/);
    });
  });

  it("stops idempotently", async () => {
    const host = await ProviderHost.start();
    assert.ok(host.port > 0);
    await host.stop();
    await host.stop();
  });
});
