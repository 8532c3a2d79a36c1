/**
 * P2: many IndexingJobs created at once in one provider process, as one `pulumi up` of a large stack
 * does: through Pulumi's real dynamic-provider host, with the provider as installed from npm and its
 * default settings, against the simulator's 250 requests/minute limit on the system clock.
 */
import { startSimulator, type RequestLogEntry } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "../test/helpers/host";
import { installedPackage } from "../test/helpers/installed";
import { controlProvider } from "./control-provider";
import { MB, residentBytes, sampleMemory, withChildPid } from "./process";
import { seededRandom } from "./random";
import { renderTable, seconds } from "./table";

const RATE_LIMIT_PER_MINUTE = 250;
const RSS_LIMIT_BYTES = 150 * MB;
const MINUTE_MS = 60_000;

export interface P2Options {
  jobs: number;
  minDurationMs: number;
  maxDurationMs: number;
  log: (line: string) => void;
}

export interface P2Result {
  pass: boolean;
  jobs: number;
  succeeded: number;
  failures: string[];
  requests: number;
  throttled: number;
  peakPerMinute: number;
  limitPerMinute: number;
  peakRssBytes: number;
  /** The host with our provider loaded (after a Check), before any job. */
  idleRssBytes: number;
  /** Peak of the same host running a provider that only makes as many HTTP requests, under the same load. */
  controlRssBytes: number;
  wallMs: number;
  durationsMs: [number, number];
}

export async function runP2(options: P2Options): Promise<P2Result> {
  const sim = await startSimulator({ rateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
  const random = seededRandom(2);
  const knowledgeBases = Array.from({ length: options.jobs }, (_, i) => {
    const kb = sim.seedKnowledgeBase({ name: `kb-${i}`, dataSources: [{ items: 120 }, { items: 380 }] });
    const span = options.maxDurationMs - options.minDurationMs;
    sim.planJobs(kb.uuid, {
      pendingMs: 1_000 + Math.round(random() * 2_000),
      durationMs: options.minDurationMs + Math.round(random() * span),
      progress: i % 2 ? "erratic" : "steady",
    });
    return kb.uuid;
  });
  const { IndexingJobProvider } = installedPackage();
  const provider = await serializeProvider(new IndexingJobProvider());
  const { value: host, pid } = await withChildPid(() => ProviderHost.start());
  const memory = sampleMemory(pid);
  let done = 0;
  const failures: string[] = [];
  const started = Date.now();
  const progress = setInterval(() => {
    const throttled = sim.requests.filter((r) => r.status === 429).length;
    options.log(
      `P2 ${seconds(Date.now() - started, 0)}: ${done}/${options.jobs} jobs done, ${sim.requests.length} requests, ` +
        `${throttled} answered 429, host RSS ${(memory.peak() / MB).toFixed(0)} MB`,
    );
  }, 10_000);
  let idleRssBytes = 0;
  try {
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
    await host.check({}, { __provider: provider, knowledgeBaseUuid: knowledgeBases[0] });
    idleRssBytes = residentBytes(pid) ?? 0;
    await Promise.all(
      knowledgeBases.map(async (knowledgeBaseUuid) => {
        try {
          const { outs } = await host.create({ __provider: provider, knowledgeBaseUuid });
          if (outs.phase !== "BATCH_JOB_PHASE_SUCCEEDED")
            failures.push(`${knowledgeBaseUuid}: ${String(outs.phase)}`);
        } catch (error) {
          failures.push(`${knowledgeBaseUuid}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          done++;
        }
      }),
    );
  } finally {
    clearInterval(progress);
    await host.stop();
    await sim.close();
  }
  const wallMs = Date.now() - started;
  const peakRssBytes = memory.stop();
  const throttled = sim.requests.filter((r) => r.status === 429).length;
  const peakPerMinute = peakInWindow(sim.requests, MINUTE_MS);
  const succeeded = options.jobs - failures.length;
  options.log("P2: the same load on a provider that only makes HTTP requests, for the host's own footprint");
  const controlRssBytes = await controlPeak(options.jobs, Math.round(sim.requests.length / options.jobs));
  return {
    pass:
      succeeded === options.jobs && peakPerMinute < RATE_LIMIT_PER_MINUTE && peakRssBytes < RSS_LIMIT_BYTES,
    jobs: options.jobs,
    succeeded,
    failures,
    requests: sim.requests.length,
    throttled,
    peakPerMinute,
    limitPerMinute: RATE_LIMIT_PER_MINUTE,
    peakRssBytes,
    idleRssBytes,
    controlRssBytes,
    wallMs,
    durationsMs: [options.minDurationMs, options.maxDurationMs],
  };
}

/** Peak RSS of a host whose provider makes `requests` plain HTTP requests per Create, `jobs` Creates at once. */
async function controlPeak(jobs: number, requests: number): Promise<number> {
  const sim = await startSimulator({ rateLimitPerMinute: 0 });
  const provider = await serializeProvider(controlProvider);
  const { value: host, pid } = await withChildPid(() => ProviderHost.start());
  const memory = sampleMemory(pid);
  try {
    await host.configure({});
    const url = `${sim.url}/v2/gen-ai/indexing_jobs`;
    await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        host.create({
          __provider: provider,
          name: `control-${i}`,
          url,
          token: sim.token,
          requests,
          pauseMs: 1_000,
        }),
      ),
    );
  } finally {
    await host.stop();
    await sim.close();
  }
  return memory.stop();
}

/** Most requests (refused ones included) that arrived within any sliding window of `windowMs`. */
function peakInWindow(requests: readonly RequestLogEntry[], windowMs: number): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let peak = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while ((times[first] ?? 0) <= (times[last] ?? 0) - windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

export function p2Table(result: P2Result): string {
  const [min, max] = result.durationsMs;
  return (
    `P2 ${result.jobs} IndexingJobs created at once in one provider host (jobs of ${seconds(min, 0)}-${seconds(max, 0)}, ` +
    `simulator limit ${result.limitPerMinute}/min)\n` +
    renderTable(
      ["figure", "value", "target", "met"],
      [
        [
          "jobs succeeded",
          `${result.succeeded}/${result.jobs}`,
          "all",
          yes(result.succeeded === result.jobs),
        ],
        [
          "failed on a 429",
          String(result.failures.filter((f) => /429/.test(f)).length),
          "0",
          yes(!result.failures.some((f) => /429/.test(f))),
        ],
        ["429 answers met (all retried)", String(result.throttled), "-", "-"],
        ["API requests", String(result.requests), "-", "-"],
        [
          "peak requests in 60 s",
          String(result.peakPerMinute),
          `< ${result.limitPerMinute}`,
          yes(result.peakPerMinute < result.limitPerMinute),
        ],
        [
          "host peak RSS",
          `${(result.peakRssBytes / MB).toFixed(0)} MB`,
          `< ${RSS_LIMIT_BYTES / MB} MB`,
          yes(result.peakRssBytes < RSS_LIMIT_BYTES),
        ],
        ["host RSS with the provider loaded, idle", `${(result.idleRssBytes / MB).toFixed(0)} MB`, "-", "-"],
        [
          "host peak RSS, HTTP-only provider, same load",
          `${(result.controlRssBytes / MB).toFixed(0)} MB`,
          "-",
          "-",
        ],
        ["wall time", seconds(result.wallMs, 0), "-", "-"],
      ],
    )
  );
}

function yes(value: boolean): string {
  return value ? "yes" : "NO";
}
