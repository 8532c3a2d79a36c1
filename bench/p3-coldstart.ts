/**
 * P3: Check and Diff make no API call, and the provider's own time for Configure, Check and a Create of
 * a job that is already done is at most a tenth of the start of Pulumi's own dynamic-provider host
 * (spawn to its port line, mostly loading @pulumi/pulumi), both measured on the same fresh hosts in the
 * same run, so that the machine's speed cancels out. Through Pulumi's real dynamic-provider host, the
 * provider as installed from npm, with its default settings. For scale, the floor: the same three calls
 * of a provider that only makes as many plain `fetch` requests as our Create (bench/control-provider.ts)
 * on other fresh hosts, and its ratio to the same host start. Beside it, what a preview runs (Configure,
 * Check and Diff on a fresh host), which loads no API client.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as Package from "../provider";
import { startSimulator, type Simulator } from "../simulator";
import type { UserProject } from "../test/compat/projects";
import { ProviderHost, secret, serializeProvider, type HostOptions } from "../test/helpers/host";
import { installedPackage } from "../test/helpers/installed";
import { controlProvider } from "./control-provider";
import { fixed, median, renderTable } from "./table";

/** Our Configure+Check+Create over the host's own start, at most. */
const OWN_TO_HOST_LIMIT = 0.1;
/** Requests of our Create of a job already done: the jobs' list, the start, the data sources' list. */
const CREATE_REQUESTS = 3;
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
  /** What a preview of the same resource with a new trigger runs on another fresh host. */
  preview: PreviewCalls;
}

interface PreviewCalls {
  id: string;
  olds: Record<string, unknown>;
  news: Record<string, unknown>;
}

export interface P3Result {
  pass: boolean;
  /** Where it ran: this repository's @pulumi/pulumi and Node, or a user's project (users' platform). */
  platform: string;
  runs: number;
  /** Median, spawn to the host's port line (the hosts that ran ours). */
  readyMs: number;
  /** Median of Configure, Check and Create once the host is ready. */
  ownMs: number;
  /** Slowest run of Configure, Check and Create. */
  ownMaxMs: number;
  /** Median over the runs of each run's own time over its host's start. */
  ratio: number;
  /** Median of Configure, Check and Create of the HTTP-only provider (as many requests as ours). */
  controlMs: number;
  /** The HTTP-only provider's median over the median host start: the floor of `ratio`. */
  controlRatio: number;
  /** Median of Configure, Check and Diff on a fresh host: all a preview (or an up with nothing to do) runs. */
  previewMs: number;
  /** Median over the runs of the preview's own time over its host's start. */
  previewRatio: number;
  checkDiffRequests: number;
  createRequests: number;
}

export interface P3Options {
  runs: number;
  log: (line: string) => void;
  /** A user's project (test/compat/projects.ts): its package, its host, its Node. Default: this repository. */
  project?: UserProject;
}

export async function runP3(options: P3Options): Promise<P3Result> {
  const sim = await startSimulator({ rateLimitPerMinute: 0 });
  const { project } = options;
  const { IndexingJobProvider } = project
    ? (createRequire(path.join(project.dir, "index.js"))("pulumi-gradient-indexing") as typeof Package)
    : installedPackage();
  const host: HostOptions = project
    ? {
        cwd: project.dir,
        node: project.node,
        hostScript: path.join(project.dir, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"),
      }
    : {};
  const provider = await serializeProvider(new IndexingJobProvider());
  const control = await serializeProvider(controlProvider);
  try {
    const runs: ColdStart[] = [];
    const controls: number[] = [];
    const previews: { ownMs: number; readyMs: number }[] = [];
    // Alternated, so that a slow spell of the machine weighs on all alike.
    for (let i = 0; i < options.runs; i++) {
      const run = await coldStart(sim, provider, host);
      runs.push(run);
      previews.push(await previewStart(run.preview, host));
      controls.push(await controlStart(sim, control, host));
    }
    options.log(
      `P3 Configure+Check+Create: ${runs.map((r) => Math.round(r.ownMs)).join(", ")} ms; ` +
        `host start ${runs.map((r) => Math.round(r.readyMs)).join(", ")} ms; ` +
        `HTTP-only provider ${controls.map(Math.round).join(", ")} ms; ` +
        `Configure+Check+Diff ${previews.map((p) => Math.round(p.ownMs)).join(", ")} ms`,
    );
    const ratio = median(runs.map((r) => r.ownMs / r.readyMs));
    const checkDiffRequests = runs.reduce((sum, r) => sum + r.checkDiffRequests, 0);
    return {
      pass: checkDiffRequests === 0 && ratio <= OWN_TO_HOST_LIMIT,
      platform: project?.label ?? `this repository's @pulumi/pulumi on Node ${process.version}`,
      runs: options.runs,
      readyMs: median(runs.map((r) => r.readyMs)),
      ownMs: median(runs.map((r) => r.ownMs)),
      ownMaxMs: Math.max(...runs.map((r) => r.ownMs)),
      ratio,
      controlMs: median(controls),
      controlRatio: median(controls) / median(runs.map((r) => r.readyMs)),
      previewMs: median(previews.map((p) => p.ownMs)),
      previewRatio: median(previews.map((p) => p.ownMs / p.readyMs)),
      checkDiffRequests,
      createRequests: Math.max(...runs.map((r) => r.createRequests)),
    };
  } finally {
    await sim.close();
  }
}

async function coldStart(sim: Simulator, provider: string, options: HostOptions): Promise<ColdStart> {
  const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 20 }] });
  sim.planJobs(kb.uuid, DONE_JOB);
  const news = { __provider: provider, knowledgeBaseUuid: kb.uuid };
  const spawned = performance.now();
  const host = await ProviderHost.start(options);
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
    const preview = { id, olds: outs, news: { ...news, triggers: { v: 2 } } };
    await host.check(preview.olds, preview.news);
    await host.diff(id, preview.olds, preview.news);
    checkDiffRequests += sim.requests.length;
    return { readyMs: ready - spawned, ownMs, checkDiffRequests, createRequests, preview };
  } finally {
    await host.stop();
  }
}

/** Configure, Check and Diff of a resource whose trigger changed, on a fresh host: a preview. */
async function previewStart(
  calls: PreviewCalls,
  options: HostOptions,
): Promise<{ ownMs: number; readyMs: number }> {
  const spawned = performance.now();
  const host = await ProviderHost.start(options);
  try {
    const ready = performance.now();
    await host.configure({ "digitalocean:token": secret("preview-token") });
    const { inputs } = await host.check(calls.olds, calls.news);
    const { changes } = await host.diff(calls.id, calls.olds, inputs);
    if (changes !== "some") throw new Error(`P3: the preview's diff found ${changes} changes`);
    return { ownMs: performance.now() - ready, readyMs: ready - spawned };
  } finally {
    await host.stop();
  }
}

/** Configure, Check and a Create making one HTTP request, by a provider that does nothing else. */
async function controlStart(sim: Simulator, provider: string, options: HostOptions): Promise<number> {
  const host = await ProviderHost.start(options);
  try {
    const ready = performance.now();
    await host.configure({});
    const news = {
      __provider: provider,
      name: "control",
      url: `${sim.url}/v2/gen-ai/indexing_jobs`,
      token: sim.token,
      requests: CREATE_REQUESTS,
      pauseMs: 0,
    };
    const { inputs } = await host.check({}, news);
    await host.create(inputs);
    return performance.now() - ready;
  } finally {
    await host.stop();
  }
}

export function p3Table(result: P3Result): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return (
    `P3 Check/Diff and the provider's own start (median of ${result.runs} fresh hosts; a job already done)\n` +
    `on ${result.platform}\n` +
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
          "Configure+Check+Create over Pulumi's host start (median of the runs' ratios)",
          fixed(result.ratio, 3),
          `<= ${OWN_TO_HOST_LIMIT}`,
          yes(result.ratio <= OWN_TO_HOST_LIMIT),
        ],
        ["  Configure, Check and Create, host ready to done", ms(result.ownMs), "-", "-"],
        ["  slowest run", ms(result.ownMaxMs), "-", "-"],
        ["  Pulumi's host alone, spawn to port line", ms(result.readyMs), "-", "-"],
        [
          `  the same three calls, a provider making ${CREATE_REQUESTS} plain fetch requests (the floor)`,
          `${ms(result.controlMs)} (${fixed(result.controlRatio, 3)})`,
          "-",
          "-",
        ],
        ["  API calls of the Create", String(result.createRequests), "-", "-"],
        [
          "Configure+Check+Diff on a fresh host (a preview, or an up with nothing to do)",
          `${ms(result.previewMs)} (${fixed(result.previewRatio, 3)})`,
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
