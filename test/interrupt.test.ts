/**
 * Ctrl-C during `pulumi up`, as the engine does it: a second Ctrl-C (or plugin shutdown) sends SIGINT
 * to the provider's process, and SIGKILL 5 s later. Driven through Pulumi's real dynamic-provider host
 * against the simulator, which is where a cancelled job must show.
 */
import * as assert from "node:assert/strict";
import { startSimulator, type Simulator } from "../simulator";
import { HostError, ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const { IndexingJobProvider } = installedPackage();

const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };
/** Pulumi's SIGKILL comes this long after its SIGINT. */
const SIGKILL_AFTER_MS = 5_000;
const LONG_JOB = { pendingMs: 100, durationMs: 120_000 };

type Props = Record<string, unknown>;
type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** Ended by SIGINT: through our handler (exit code 130), or Node's default when none was installed. */
function endedBySigint(exit: Exit): boolean {
  return exit.code === 130 || exit.signal === "SIGINT";
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Ctrl-C: SIGINT or SIGTERM to the provider host", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;
  let provider: string;

  const cancels = () => sim.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/cancel"));
  /** Looked at since request `from`: by its own GET or by the account's job list that shows it. */
  const polled = (uuid: string, from: number) =>
    sim.requests
      .slice(from)
      .some((r) => r.method === "GET" && (r.path.endsWith(uuid) || r.path === "/v2/gen-ai/indexing_jobs"));
  const interruptLines = () =>
    host
      .output()
      .split("\n")
      .filter((l) => l.startsWith("interrupted:"));
  const startHost = async () => {
    host = await ProviderHost.start();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
  };
  const inputs = (knowledgeBaseUuid: string, extra: Props = {}): Props => ({
    __provider: provider,
    knowledgeBaseUuid,
    ...extra,
  });
  /** Starts a create and resolves once its job runs and is being waited for. */
  async function createWaiting(
    kb: string,
    extra: Props = {},
  ): Promise<{ uuid: string; done: Promise<unknown> }> {
    const known = sim.jobs().map((j) => j.uuid);
    const done = host.create(inputs(kb, extra)).catch((e: unknown) => e);
    const fresh = () => sim.jobs().find((j) => !known.includes(j.uuid));
    await until("the job started", () => fresh() !== undefined);
    const uuid = fresh()?.uuid ?? "";
    const from = sim.requests.length;
    await until("the job is polled", () => polled(uuid, from));
    return { uuid, done };
  }

  before(async () => {
    provider = await serializeProvider(
      new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 6_000 }),
    );
  });

  beforeEach(async () => {
    sim = await startSimulator({ rateLimitPerMinute: 0, defaultJobPlan: LONG_JOB });
    await startHost();
  });

  afterEach(async () => {
    await host.stop();
    await sim.close();
  });

  it("SIGINT while a create waits: the job is cancelled within the grace, one line printed, the host exits", async () => {
    const kb = sim.seedKnowledgeBase().uuid;
    const { uuid, done } = await createWaiting(kb);

    const sentAt = Date.now();
    const exit = await host.signal("SIGINT");
    const elapsed = Date.now() - sentAt;
    assert.ok(elapsed < SIGKILL_AFTER_MS, `the host took ${elapsed} ms to exit`);
    assert.equal(exit.code, 130);
    assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_CANCELLED");
    assert.equal(cancels().length, 1);
    assert.equal(cancels()[0]?.path, `/v2/gen-ai/indexing_jobs/${uuid}/cancel`);
    assert.deepEqual(interruptLines(), [
      `interrupted: cancelled indexing job ${uuid} of knowledge base ${kb}`,
    ]);
    assert.ok((await done) instanceof HostError, "the interrupted create did not fail");

    // The next `pulumi up` (the pending create cleared) creates again: it neither fails nor finds the
    // cancelled job in its way.
    sim.planNextJob(kb, { durationMs: 300 });
    await startHost();
    const { id, outs } = await host.create(inputs(kb));
    assert.notEqual(id, uuid);
    assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
    assert.equal(sim.jobs().length, 2);
  });

  it("SIGTERM cancels every job still waited for, one line each", async () => {
    const first = sim.seedKnowledgeBase().uuid;
    const second = sim.seedKnowledgeBase().uuid;
    const a = await createWaiting(first);
    const b = await createWaiting(second);

    const exit = await host.signal("SIGTERM");
    assert.equal(exit.code, 143);
    for (const { uuid } of [a, b]) assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_CANCELLED");
    assert.equal(cancels().length, 2);
    assert.deepEqual(
      interruptLines().sort(),
      [
        `interrupted: cancelled indexing job ${a.uuid} of knowledge base ${first}`,
        `interrupted: cancelled indexing job ${b.uuid} of knowledge base ${second}`,
      ].sort(),
    );
    await Promise.all([a.done, b.done]);
  });

  it("SIGINT after a create with waitForCompletion: false cancels nothing", async () => {
    const kb = sim.seedKnowledgeBase().uuid;
    const { id } = await host.create(inputs(kb, { waitForCompletion: false }));
    const exit = await host.signal("SIGINT");
    assert.ok(endedBySigint(exit), JSON.stringify(exit));
    assert.equal(cancels().length, 0);
    assert.match(sim.job(id)?.phase ?? "", /PENDING|RUNNING/);
    assert.deepEqual(interruptLines(), []);
  });

  it("SIGINT after a wait that ended (timed out, job still running) cancels nothing", async () => {
    const kb = sim.seedKnowledgeBase().uuid;
    const error = await host.create(inputs(kb, { timeout: "1s" })).catch((e: unknown) => e);
    assert.ok(error instanceof HostError && error.initFailure);
    const exit = await host.signal("SIGINT");
    assert.ok(endedBySigint(exit), JSON.stringify(exit));
    assert.equal(cancels().length, 0);
    assert.equal(sim.job(error.initFailure.id)?.phase, "BATCH_JOB_PHASE_RUNNING");
    assert.deepEqual(interruptLines(), []);
  });

  it("with cancelOnInterrupt: false, SIGINT while a create waits leaves the job running", async () => {
    const kb = sim.seedKnowledgeBase().uuid;
    const { uuid, done } = await createWaiting(kb, { cancelOnInterrupt: false });
    const sentAt = Date.now();
    const exit = await host.signal("SIGINT");
    assert.ok(Date.now() - sentAt < SIGKILL_AFTER_MS);
    assert.ok(endedBySigint(exit), JSON.stringify(exit));
    assert.equal(cancels().length, 0);
    assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_RUNNING");
    assert.deepEqual(interruptLines(), []);
    await done;
  });

  it("the cancel goes out at once, past a request budget that is used up and a rate-limit pause", async () => {
    // Three requests a minute: the job list, the start and the first poll use them up, so no other poll
    // (nor a queued cancel) could go out for a minute; that poll's 429 adds a minute's pause on top.
    const starved = await serializeProvider(
      new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 3 }),
    );
    sim.injectFault({
      kind: "rate-limit",
      resetMs: 60_000,
      match: { method: "GET", path: /^\/v2\/gen-ai\/indexing_jobs\/[^/]+$/ },
    });
    const kb = sim.seedKnowledgeBase().uuid;
    const done = host.create({ ...inputs(kb), __provider: starved }).catch((e: unknown) => e);
    await until("the job started", () => sim.jobs().length === 1);
    const uuid = sim.jobs()[0]?.uuid ?? "";
    await until("its poll met the 429", () => sim.requests.some((r) => r.status === 429));
    assert.equal(sim.requests.length, 3, "the budget is not used up: the test proves less than it says");
    const sentAt = Date.now();
    const exit = await host.signal("SIGINT");
    assert.ok(Date.now() - sentAt < SIGKILL_AFTER_MS, "the host outlived Pulumi's grace");
    assert.equal(exit.code, 130);
    assert.equal(sim.job(uuid)?.phase, "BATCH_JOB_PHASE_CANCELLED", "the cancel waited behind the budget");
    await done;
  });

  it("SIGINT while waiting out a job it did not start (DigitalOcean's own reindex) cancels nothing", async () => {
    await sim.close();
    sim = await startSimulator({ rateLimitPerMinute: 0, reindexOnDataSourceDelete: true });
    await host.stop();
    await startHost();
    const kb = sim.seedKnowledgeBase({ dataSources: [{}, {}] });
    await host.create(inputs(kb.uuid));
    // Deleting a data source makes the knowledge base reindex itself: the next run waits for that job.
    sim.planNextJob(kb.uuid, LONG_JOB);
    sim.removeDataSource(kb.uuid, kb.dataSourceUuids[1] ?? "");
    const reindex = sim.jobs()[0]?.uuid ?? "";
    const done = host.create(inputs(kb.uuid)).catch((e: unknown) => e);
    await host.waitForOutput(new RegExp(`already runs indexing job ${reindex}`), 10_000);
    const from = sim.requests.length;
    await until("the job is polled", () => polled(reindex, from));
    const exit = await host.signal("SIGINT");
    assert.ok(endedBySigint(exit));
    assert.equal(cancels().length, 0, "an interrupt cancelled a job this resource did not start");
    assert.equal(sim.job(reindex)?.phase, "BATCH_JOB_PHASE_RUNNING");
    await done;
  });

  it("says which job it could not cancel when the API does not answer in time", async () => {
    const kb = sim.seedKnowledgeBase().uuid;
    const { uuid, done } = await createWaiting(kb);
    sim.injectFault({ kind: "latency", ms: 20_000, match: { method: "PUT" } });
    const sentAt = Date.now();
    const exit = await host.signal("SIGINT");
    assert.ok(Date.now() - sentAt < SIGKILL_AFTER_MS, "the host outlived Pulumi's grace");
    assert.equal(exit.code, 130);
    const lines = interruptLines();
    assert.equal(lines.length, 1);
    // The cancel's own timeout (3 s) or the grace (3.5 s), whichever comes first, names the job.
    assert.match(
      lines[0] ?? "",
      new RegExp(
        `^interrupted: could not cancel indexing job ${uuid} of knowledge base ${kb} \\(.*(timed out|no answer within 3.5 s)\\); it may still run$`,
      ),
    );
    await done;
  });
});
