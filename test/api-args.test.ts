/**
 * A resource's own way to the API: `token` (kept secret in the state, input and output alike),
 * `apiEndpoint` and `requestsPerMinute`, as the program registers them (under Pulumi's mocks), and as
 * the provider then uses them through the real host: two accounts in one stack.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { startSimulator, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const { IndexingJob, IndexingSchedule, IndexingJobProvider } = installedPackage();
const KB = "8f1e2d3c-4b5a-4978-8675-a4b3c2d1e0f9";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface Registered {
  name: string;
  type: string;
  additionalSecretOutputs: string[];
  inputs: Record<string, unknown>;
}

/** Runs `program` under mocks; returns what each resource registered, as the engine would receive it. */
async function register(program: () => unknown): Promise<Registered[]> {
  const registered: Registered[] = [];
  pulumi.runtime.setMocks({
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => args.inputs,
  });
  const monitor = getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    registered.push({
      name: req.getName(),
      type: req.getType(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      inputs: req.getObject().toJavaScript(),
    });
    return original(req, callback);
  };
  program();
  await new Promise((r) => setTimeout(r, 200));
  return registered;
}

interface RegisterRequest {
  getName(): string;
  getType(): string;
  getAdditionalsecretoutputsList(): string[];
  getObject(): { toJavaScript(): Record<string, unknown> };
}

const isSecretValue = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === SECRET_SIG;

describe("a resource's own token, endpoint and request rate", function () {
  this.timeout(60_000);

  it("a token given to either resource is registered as a secret, its output kept secret by the engine", async () => {
    const registered = await register(() => {
      new IndexingJob("job", { knowledgeBaseUuid: KB, token: "dop_v1_plain", requestsPerMinute: 100 });
      new IndexingSchedule("nightly", {
        knowledgeBaseUuid: KB,
        time: "02:00",
        days: [1],
        token: "dop_v1_plain",
      });
      new IndexingJob("defaults", { knowledgeBaseUuid: KB });
    });
    const named = (name: string) => registered.find((r) => r.name === name);
    const [job, schedule, plain] = [named("job"), named("nightly"), named("defaults")];
    for (const resource of [job, schedule]) {
      assert.ok(resource, "a resource was not registered");
      assert.ok(
        resource.additionalSecretOutputs.includes("token"),
        `${resource.type}: token output not secret`,
      );
      assert.ok(isSecretValue(resource.inputs.token), `${resource.type}: token input sent in plain text`);
    }
    assert.equal(job?.inputs.requestsPerMinute, 100);
    assert.deepEqual(plain?.additionalSecretOutputs, []);
  });

  describe("through the host: two DigitalOcean accounts in one stack", () => {
    let stackAccount: Simulator;
    let otherAccount: Simulator;
    let host: ProviderHost;
    let provider: string;

    before(async () => {
      provider = await serializeProvider(
        new IndexingJobProvider({ poll: { firstDelayMs: 150, minDelayMs: 100 } }),
      );
    });

    beforeEach(async () => {
      const plan = { defaultJobPlan: { pendingMs: 50, durationMs: 300 }, rateLimitPerMinute: 0 };
      stackAccount = await startSimulator(plan);
      otherAccount = await startSimulator(plan);
      host = await ProviderHost.start();
      await host.configure({
        "digitalocean:token": secret(stackAccount.token),
        "digitalocean:apiEndpoint": stackAccount.url,
      });
    });

    afterEach(async () => {
      await host.stop();
      await stackAccount.close();
      await otherAccount.close();
    });

    it("a resource with its own token and endpoint indexes in that account; the others use the stack's", async () => {
      const ours = stackAccount.seedKnowledgeBase();
      const theirs = otherAccount.seedKnowledgeBase();
      const own = { token: otherAccount.token, apiEndpoint: otherAccount.url };
      const checked = await host.check({}, { __provider: provider, knowledgeBaseUuid: theirs.uuid, ...own });
      assert.deepEqual(checked.failures, []);
      const other = await host.create({ __provider: provider, knowledgeBaseUuid: theirs.uuid, ...own });
      const stack = await host.create({ __provider: provider, knowledgeBaseUuid: ours.uuid });
      assert.equal(other.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(stack.outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(otherAccount.jobs().length, 1);
      assert.equal(stackAccount.jobs().length, 1);
      // Destroy reaches the job's own account too.
      otherAccount.planNextJob(theirs.uuid, { durationMs: 60_000 });
      const running = await host.create({
        __provider: provider,
        knowledgeBaseUuid: theirs.uuid,
        waitForCompletion: false,
        triggers: 2,
        ...own,
      });
      await host.delete(running.id, running.outs);
      assert.match(String(otherAccount.job(running.id)?.phase), /CANCELLED/);
      assert.ok(!host.output().includes(otherAccount.token), "the token was printed");
    });

    it("check names a bad token, endpoint or rate before any API call", async () => {
      const { failures } = await host.check(
        {},
        {
          __provider: provider,
          knowledgeBaseUuid: KB,
          token: "",
          apiEndpoint: "ftp://x",
          requestsPerMinute: 300,
        },
      );
      assert.deepEqual(
        failures.map((f) => f.property),
        ["token", "apiEndpoint", "requestsPerMinute"],
      );
      assert.equal(stackAccount.requests.length, 0);
    });

    it("a new token or rate is an in-place update; a new endpoint is a new run", async () => {
      const kb = stackAccount.seedKnowledgeBase();
      const { id, outs } = await host.create({ __provider: provider, knowledgeBaseUuid: kb.uuid });
      const base = { __provider: provider, knowledgeBaseUuid: kb.uuid };
      assert.deepEqual(
        (await host.diff(id, outs, { ...base, token: "other", requestsPerMinute: 50 })).replaces,
        [],
      );
      assert.deepEqual((await host.diff(id, outs, { ...base, apiEndpoint: otherAccount.url })).replaces, [
        "apiEndpoint",
      ]);
    });
  });
});
