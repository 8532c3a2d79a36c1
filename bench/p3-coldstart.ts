/**
 * P3: Check and Diff make no API call, and the provider's own time for Configure, Check and a Create of
 * a job that is already done, once Pulumi's host is up (its own start, mostly loading @pulumi/pulumi,
 * is no provider's doing), stays under 100 ms. Through Pulumi's real dynamic-provider host, the provider
 * as installed from npm, with its default settings.
 */
import { performance } from "node:perf_hooks";
import { startSimulator, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "../test/helpers/host";
import { installedPackage } from "../test/helpers/installed";
import { median, renderTable } from "./table";

const OWN_TIME_LIMIT_MS = 100;
/** The job the Create starts: done as soon as it is started, so its answer already tells the end. */
const DONE_JOB = { pendingMs: 0, durationMs: 0 };

export interface ColdStart {
  /** Spawn to the host's port line. */
  readyMs: number;
  /** Host ready to Configure, Check and Create done. */
  ownMs: number;
  /** API requests while the host ran Check, and Diff after the Create. */
  checkDiffRequests: number;
  /** API requests of the Create. */
  createRequests: number;
}

export interface P3Result {
  pass: boolean;
  runs: number;
  /** Median, spawn to the host's port line. */
  readyMs: number;
  /** Median of Configure, Check and Create once the host is ready. */
  ownMs: number;
  /** Slowest run of Configure, Check and Create. */
  ownMaxMs: number;
  checkDiffRequests: number;
  createRequests: number;
}

export async function runP3(options: { runs: number; log: (line: string) => void }): Promise<P3Result> {
  const sim = await startSimulator({ rateLimitPerMinute: 0 });
  const { IndexingJobProvider } = installedPackage();
  const provider = await serializeProvider(new IndexingJobProvider());
  try {
    const runs: ColdStart[] = [];
    for (let i = 0; i < options.runs; i++) runs.push(await coldStart(sim, provider));
    options.log(`P3 Configure+Check+Create: ${runs.map((r) => Math.round(r.ownMs)).join(", ")} ms`);
    const ownMs = median(runs.map((r) => r.ownMs));
    const checkDiffRequests = runs.reduce((sum, r) => sum + r.checkDiffRequests, 0);
    return {
      pass: checkDiffRequests === 0 && ownMs < OWN_TIME_LIMIT_MS,
      runs: options.runs,
      readyMs: median(runs.map((r) => r.readyMs)),
      ownMs,
      ownMaxMs: Math.max(...runs.map((r) => r.ownMs)),
      checkDiffRequests,
      createRequests: Math.max(...runs.map((r) => r.createRequests)),
    };
  } finally {
    await sim.close();
  }
}

async function coldStart(sim: Simulator, provider: string): Promise<ColdStart> {
  const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 20 }] });
  sim.planJobs(kb.uuid, DONE_JOB);
  const news = { __provider: provider, knowledgeBaseUuid: kb.uuid };
  const spawned = performance.now();
  const host = await ProviderHost.start();
  try {
    const ready = performance.now();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
    sim.clearRequests();
    const { inputs } = await host.check({}, news);
    let checkDiffRequests = sim.requests.length;
    const { id, outs } = await host.create(inputs);
    const ownMs = performance.now() - ready;
    const createRequests = sim.requests.length - checkDiffRequests;
    if (outs.phase !== "BATCH_JOB_PHASE_SUCCEEDED")
      throw new Error(`P3: the job ended ${String(outs.phase)}`);
    sim.clearRequests();
    await host.check(outs, { ...news, triggers: { v: 2 } });
    await host.diff(id, outs, { ...news, triggers: { v: 2 } });
    checkDiffRequests += sim.requests.length;
    return { readyMs: ready - spawned, ownMs, checkDiffRequests, createRequests };
  } finally {
    await host.stop();
  }
}

export function p3Table(result: P3Result): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return (
    `P3 Check/Diff and the provider's own start (median of ${result.runs} fresh hosts; a job already done)\n` +
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
          "Configure, Check and Create, host ready to done",
          ms(result.ownMs),
          `< ${OWN_TIME_LIMIT_MS} ms`,
          yes(result.ownMs < OWN_TIME_LIMIT_MS),
        ],
        ["  slowest run", ms(result.ownMaxMs), "-", "-"],
        ["  API calls of the Create", String(result.createRequests), "-", "-"],
        ["Pulumi's host alone, spawn to ready (excluded)", ms(result.readyMs), "-", "-"],
      ],
    )
  );
}

function yes(value: boolean): string {
  return value ? "yes" : "NO";
}
