/**
 * A knowledge base's past jobs as data: how long they took places the next one's likely end
 * (provider/history.ts), and a create polls just after it — through Pulumi's host, against the simulator.
 */
import * as assert from "node:assert/strict";
import type { IndexingJob } from "../provider/api/types";
import { typicalRunMs } from "../provider/waiting/past-runs";
import { startSimulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
const job = (created: number, finished: number | undefined, phase: string): IndexingJob => ({
  created_at: at(created),
  ...(finished !== undefined && { finished_at: at(finished) }),
  phase: phase as IndexingJob["phase"],
  status: phase === "BATCH_JOB_PHASE_SUCCEEDED" ? "INDEX_JOB_STATUS_COMPLETED" : "INDEX_JOB_STATUS_FAILED",
});

describe("a knowledge base's past jobs", function () {
  this.timeout(60_000);

  it("take the median creation-to-finish time of the latest three that indexed", () => {
    const jobs = [
      job(0, 100, "BATCH_JOB_PHASE_SUCCEEDED"), // oldest: outweighed by the three after it
      job(200, 230, "BATCH_JOB_PHASE_SUCCEEDED"),
      job(300, 302, "BATCH_JOB_PHASE_FAILED"), // failed quickly: says nothing of a run
      job(400, 440, "BATCH_JOB_PHASE_SUCCEEDED"),
      job(500, 520, "BATCH_JOB_PHASE_SUCCEEDED"),
      job(600, undefined, "BATCH_JOB_PHASE_RUNNING"),
    ];
    assert.equal(typicalRunMs(jobs), 30_000);
    assert.equal(typicalRunMs([]), undefined);
    assert.equal(typicalRunMs([job(300, 302, "BATCH_JOB_PHASE_FAILED")]), undefined);
  });

  it("let a create with no counts to go by see a 1 s job end before the SDK waiter's 5 s poll", async () => {
    const sim = await startSimulator({ rateLimitPerMinute: 0 });
    const kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 20 }] });
    sim.planJobs(kb.uuid, { pendingMs: 100, durationMs: 900, progress: "silent" });
    const { IndexingJobProvider } = installedPackage();
    // Default polling: nothing tuned.
    const provider = await serializeProvider(new IndexingJobProvider({ requestsPerMinute: 6_000 }));
    const host = await ProviderHost.start();
    try {
      await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
      // A past run of the knowledge base, started outside Pulumi.
      const started = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
        body: JSON.stringify({ knowledge_base_uuid: kb.uuid, data_source_uuids: [] }),
      });
      assert.equal(started.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1_800));
      assert.equal(sim.jobs()[0]?.phase, "BATCH_JOB_PHASE_SUCCEEDED");

      const { id, outs } = await host.create({ __provider: provider, knowledgeBaseUuid: kb.uuid });
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      const post = sim.requests.filter((r) => r.method === "POST").at(-1);
      const polls = sim.requests.filter(
        (r) => r.method === "GET" && r.path === `/v2/gen-ai/indexing_jobs/${id}`,
      );
      assert.ok(post);
      // The past run took 1-2 s on the API's whole-second clock: one poll a second after that.
      assert.equal(polls.length, 1, `polled ${polls.length} times`);
      const after = (polls[0]?.at ?? 0) - post.at;
      assert.ok(after >= 1_000 && after < 4_600, `polled ${after} ms after the start, not before 5 s`);
    } finally {
      await host.stop();
      await sim.close();
    }
  });
});
