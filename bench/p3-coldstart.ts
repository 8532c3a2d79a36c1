/**
 * P3: Check and Diff make no API call, and a fresh provider host gets from spawn to a finished Create
 * quickly. Through Pulumi's real dynamic-provider host, the provider as installed from npm.
 */
import { performance } from "node:perf_hooks";
import { DEFAULT_POLL_POLICY, type PollPolicy } from "../provider/wait";
import { startSimulator, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "../test/helpers/host";
import { installedPackage } from "../test/helpers/installed";
import { median, renderTable } from "./table";

const COLD_START_LIMIT_MS = 1_000;
/** The job the Create starts: no pending time, 200 ms of running. */
const SHORT_JOB = { pendingMs: 0, durationMs: 200 };
/** A first poll just after such a job ends, as a stack of short jobs would set it. */
const SHORT_FIRST_POLL: Partial<PollPolicy> = { firstDelayMs: 250 };

export interface ColdStart {
  /** Spawn to the host's port line. */
  readyMs: number;
  /** Spawn to Configure, Check and Create done. */
  createdMs: number;
  /** API requests while the host ran Check, and Diff after the Create. */
  checkDiffRequests: number;
}

export interface P3Result {
  pass: boolean;
  runs: number;
  readyMs: number;
  /** Median of Configure, Check and Create once the host is ready. */
  afterReadyMs: number;
  /** Median, provider with `poll: { firstDelayMs: 250 }`. */
  coldStartMs: number;
  /** One run with the default poll policy (first poll after `firstDelayMs`). */
  defaultPolicyMs: number;
  checkDiffRequests: number;
}

export async function runP3(options: { runs: number; log: (line: string) => void }): Promise<P3Result> {
  const sim = await startSimulator({ rateLimitPerMinute: 0 });
  const { IndexingJobProvider } = installedPackage();
  const shortPoll = await serializeProvider(new IndexingJobProvider({ poll: SHORT_FIRST_POLL }));
  const defaults = await serializeProvider(new IndexingJobProvider());
  try {
    const fast: ColdStart[] = [];
    for (let i = 0; i < options.runs; i++) fast.push(await coldStart(sim, shortPoll));
    options.log(`P3 cold starts: ${fast.map((r) => Math.round(r.createdMs)).join(", ")} ms`);
    const slow = await coldStart(sim, defaults);
    const coldStartMs = median(fast.map((r) => r.createdMs));
    const checkDiffRequests = [...fast, slow].reduce((sum, r) => sum + r.checkDiffRequests, 0);
    return {
      pass: checkDiffRequests === 0 && coldStartMs < COLD_START_LIMIT_MS,
      runs: options.runs,
      readyMs: median(fast.map((r) => r.readyMs)),
      afterReadyMs: median(fast.map((r) => r.createdMs - r.readyMs)),
      coldStartMs,
      defaultPolicyMs: slow.createdMs,
      checkDiffRequests,
    };
  } finally {
    await sim.close();
  }
}

async function coldStart(sim: Simulator, provider: string): Promise<ColdStart> {
  const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 20 }] });
  sim.planJobs(kb.uuid, SHORT_JOB);
  const news = { __provider: provider, knowledgeBaseUuid: kb.uuid };
  const spawned = performance.now();
  const host = await ProviderHost.start();
  try {
    const readyMs = performance.now() - spawned;
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
    sim.clearRequests();
    const { inputs } = await host.check({}, news);
    let checkDiffRequests = sim.requests.length;
    const { id, outs } = await host.create(inputs);
    const createdMs = performance.now() - spawned;
    if (outs.phase !== "BATCH_JOB_PHASE_SUCCEEDED")
      throw new Error(`P3: the job ended ${String(outs.phase)}`);
    sim.clearRequests();
    await host.check(outs, { ...news, triggers: { v: 2 } });
    await host.diff(id, outs, { ...news, triggers: { v: 2 } });
    checkDiffRequests += sim.requests.length;
    return { readyMs, createdMs, checkDiffRequests };
  } finally {
    await host.stop();
  }
}

export function p3Table(result: P3Result): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return (
    `P3 Check/Diff and host cold start (median of ${result.runs}; job of ${SHORT_JOB.durationMs} ms)\n` +
    renderTable(
      ["figure", "value", "target", "met"],
      [
        [
          "API calls during Check and Diff",
          String(result.checkDiffRequests),
          "0",
          yes(result.checkDiffRequests === 0),
        ],
        [
          `spawn to Create done, first poll at ${SHORT_FIRST_POLL.firstDelayMs} ms`,
          ms(result.coldStartMs),
          `< ${COLD_START_LIMIT_MS} ms`,
          yes(result.coldStartMs < COLD_START_LIMIT_MS),
        ],
        ["  of which Pulumi's host, spawn to ready", ms(result.readyMs), "-", "-"],
        ["  of which Configure, Check, Create", ms(result.afterReadyMs), "-", "-"],
        [
          `spawn to Create done, default policy (first poll at ${DEFAULT_POLL_POLICY.firstDelayMs / 1000} s)`,
          ms(result.defaultPolicyMs),
          "-",
          "-",
        ],
      ],
    )
  );
}

function yes(value: boolean): string {
  return value ? "yes" : "NO";
}
