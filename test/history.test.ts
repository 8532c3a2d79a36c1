/**
 * A knowledge base's past jobs as data: how long they took places the next one's likely end
 * (provider/waiting/past-runs.ts), and a create polls just after it — through Pulumi's host, against the
 * simulator.
 */
import * as assert from "node:assert/strict";
import type { IndexingJob } from "../provider/api/types";
import { typicalRunMs } from "../provider/waiting/past-runs";
import { ManualClock, startSimulator } from "../simulator";
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

  it("let a create with no counts to go by see a 1 s job end long before the SDK waiter's schedule would", async () => {
    // The simulator on a manual clock: jobs end when the test says, whatever the machine's load. The
    // SDK waiter's first poll is set to 60 s and the create's timeout to 20 s: without the poll the
    // past run places (about 2 s after the start), the job's end is seen only by the last look at the
    // deadline, 20 s in. Wall time only tells those two apart, with 15 s to spare.
    const clock = new ManualClock();
    const sim = await startSimulator({ rateLimitPerMinute: 0, clock });
    const kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 20 }] });
    sim.planJobs(kb.uuid, { pendingMs: 0, durationMs: 1_000, progress: "silent" });
    const { IndexingJobProvider } = installedPackage();
    const provider = await serializeProvider(new IndexingJobProvider({ requestsPerMinute: 6_000 }));
    const host = await ProviderHost.start();
    try {
      await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
      // A past run of the knowledge base, started outside Pulumi: 1 s from creation to finish.
      const started = await fetch(`${sim.url}/v2/gen-ai/indexing_jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
        body: JSON.stringify({ knowledge_base_uuid: kb.uuid, data_source_uuids: [] }),
      });
      assert.equal(started.status, 200);
      clock.advance(1_000);
      assert.equal(sim.jobs()[0]?.phase, "BATCH_JOB_PHASE_SUCCEEDED");

      const sent = Date.now();
      const creating = host.create({
        __provider: provider,
        knowledgeBaseUuid: kb.uuid,
        poll: { firstDelayMs: 60_000, maxDelayMs: 60_000 },
        timeout: "20s",
      });
      // Ours started (recorded, not just arrived): it takes as long as the past run.
      while (sim.jobs().length < 2) await new Promise((r) => setTimeout(r, 10));
      clock.advance(1_000);
      const { id, outs } = await creating;
      assert.equal(outs.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.ok(Date.now() - sent < 15_000, "the end was seen at the deadline, not where past runs put it");
      const polls = sim.requests.filter(
        (r) => r.method === "GET" && r.path === `/v2/gen-ai/indexing_jobs/${id}`,
      );
      assert.equal(polls.length, 1, `polled ${polls.length} times`);
    } finally {
      await host.stop();
      await sim.close();
    }
  });
});
