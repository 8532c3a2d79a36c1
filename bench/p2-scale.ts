/**
 * P2: many IndexingJobs created at once, as one `pulumi up` of a large stack does: through Pulumi's real
 * dynamic-provider host, with the provider as installed from npm and its default settings, against the
 * simulator's 250 requests/minute limit on the system clock. Then three hosts sharing one token, as
 * three stacks deployed at once: they can only agree through the API's `ratelimit-*` headers.
 */
import type { BudgetRule } from "../provider/client/rate-limiter";

/** What the ablation switches off in provider hosts: a budget rule, or the shared job listing. */
export type P2Rule = BudgetRule | "jobBoard";
import { startSimulator, type RequestLogEntry, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "../test/helpers/host";
import { installedPackage } from "../test/helpers/installed";
import { controlProvider } from "./control-provider";
import { MB, residentBytes, sampleMemory, withChildPid } from "./process";
import { seededRandom } from "./random";
import { renderTable, seconds, spread, type Spread } from "./table";

const RATE_LIMIT_PER_MINUTE = 250;
/** One host's jobs: their ends noticed this long after, on average, at most. */
const MEAN_LATENESS_LIMIT_MS = 10_000;
/** The provider's own share: host peak RSS over that of an HTTP-only provider under the same load. */
const OWN_MEMORY_LIMIT_BYTES = 10 * MB;
const MINUTE_MS = 60_000;

export interface P2Options {
  jobs: number;
  /** Host processes sharing one token in the second run, and jobs in each. */
  sharedHosts: number;
  jobsPerSharedHost: number;
  /** The third run: the shared run's hosts, host h starting its jobs h times this late. */
  staggerMs: number;
  minDurationMs: number;
  maxDurationMs: number;
  log: (line: string) => void;
}

/** One run: `hosts` provider hosts, each creating `jobsPerHost` IndexingJobs at once, one token. */
export interface P2Run {
  hosts: number;
  jobsPerHost: number;
  /** Host h started its jobs h times this late. */
  staggerMs: number;
  /** Budget rules switched off in the hosts (GRADIENT_INDEXING_ABLATE). */
  ablated: P2Rule[];
  succeeded: number;
  failures: string[];
  requests: number;
  /** 429 answers in the simulator's request log (met and waited out, or failed on). */
  throttled: number;
  peakPerMinute: number;
  /** From each job's end to the poll that saw it. */
  latenessMs: Spread;
  wallMs: number;
  /** Peak RSS of the (first) host. */
  peakRssBytes: number;
  /** The host with our provider loaded (after a Check), before any job. */
  idleRssBytes: number;
}

export interface P2Result {
  pass: boolean;
  limitPerMinute: number;
  durationsMs: [number, number];
  single: P2Run;
  shared: P2Run;
  /** The shared run with its hosts' starts `staggerMs` apart: shown, not part of the verdict. */
  staggered: P2Run;
  /** Peak RSS of the same host running a provider that only makes as many HTTP requests, same load. */
  controlRssBytes: number;
}

export async function runP2(options: P2Options): Promise<P2Result> {
  options.log(`P2: one host, ${options.jobs} jobs`);
  const single = await runHosts(1, options.jobs, options);
  options.log("P2: the same load on a provider that only makes HTTP requests, for the host's own footprint");
  const controlRssBytes = await controlPeak(options.jobs, Math.round(single.requests / options.jobs));
  options.log(`P2: ${options.sharedHosts} hosts sharing one token, ${options.jobsPerSharedHost} jobs each`);
  const shared = await runHosts(options.sharedHosts, options.jobsPerSharedHost, options);
  options.log(`P2: the same, each host starting ${seconds(options.staggerMs, 0)} after the one before`);
  const staggered = await runHosts(
    options.sharedHosts,
    options.jobsPerSharedHost,
    options,
    [],
    options.staggerMs,
  );
  return {
    pass:
      singlePasses(single) &&
      sharedPasses(shared) &&
      ownMemory(single, controlRssBytes) <= OWN_MEMORY_LIMIT_BYTES,
    limitPerMinute: RATE_LIMIT_PER_MINUTE,
    durationsMs: [options.minDurationMs, options.maxDurationMs],
    single,
    shared,
    staggered,
    controlRssBytes,
  };
}

/** One host: every job's end noticed, none failed on a 429, under the limit, ends noticed promptly. */
export function singlePasses(run: P2Run): boolean {
  return (
    run.succeeded === run.hosts * run.jobsPerHost &&
    failedOn429(run) === 0 &&
    run.peakPerMinute < RATE_LIMIT_PER_MINUTE &&
    run.latenessMs.mean <= MEAN_LATENESS_LIMIT_MS
  );
}

/** Hosts sharing a token: every job's end noticed, no 429 answer at all, under the limit. */
export function sharedPasses(run: P2Run): boolean {
  return (
    run.succeeded === run.hosts * run.jobsPerHost &&
    run.throttled === 0 &&
    run.peakPerMinute < RATE_LIMIT_PER_MINUTE
  );
}

function failedOn429(run: P2Run): number {
  return run.failures.filter((f) => /429/.test(f)).length;
}

function ownMemory(run: P2Run, controlRssBytes: number): number {
  return run.peakRssBytes - controlRssBytes;
}

/**
 * `hosts` provider hosts on one token, each creating `jobsPerHost` IndexingJobs at once, host h `h *
 * staggerMs` after the first, with the budget rules `ablate` switched off in every host.
 */
export async function runHosts(
  hosts: number,
  jobsPerHost: number,
  options: Pick<P2Options, "minDurationMs" | "maxDurationMs" | "log">,
  ablate: readonly P2Rule[] = [],
  staggerMs = 0,
): Promise<P2Run> {
  const sim = await startSimulator({ rateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
  const random = seededRandom(2);
  /** Each knowledge base's job: pending plus running time. */
  const lengths = new Map<string, number>();
  const span = options.maxDurationMs - options.minDurationMs;
  const knowledgeBases = Array.from({ length: hosts }, (_, h) =>
    Array.from({ length: jobsPerHost }, (_, i) => {
      const kb = sim.seedKnowledgeBase({
        name: `kb-${h}-${i}`,
        dataSources: [{ items: 120 }, { items: 380 }],
      });
      const pendingMs = 1_000 + Math.round(random() * 2_000);
      const durationMs = options.minDurationMs + Math.round(random() * span);
      sim.planJobs(kb.uuid, { pendingMs, durationMs, progress: i % 2 ? "erratic" : "steady" });
      lengths.set(kb.uuid, pendingMs + durationMs);
      return kb.uuid;
    }),
  );
  const { IndexingJobProvider } = installedPackage();
  const provider = await serializeProvider(new IndexingJobProvider());
  const env = hostEnv(ablate);
  const started = await Promise.all(
    knowledgeBases.map(() => withChildPid(() => ProviderHost.start({ env }))),
  );
  const pid = started[0]?.pid ?? 0;
  const memory = sampleMemory(pid);
  const jobUuids = new Map<string, string>();
  const failures: string[] = [];
  let done = 0;
  const wallStart = Date.now();
  const progress = setInterval(() => {
    const throttled = sim.requests.filter((r) => r.status === 429).length;
    options.log(
      `P2 ${seconds(Date.now() - wallStart, 0)}${ablate.length ? ` (${ablate.join(", ")} off)` : ""}: ` +
        `${done}/${hosts * jobsPerHost} jobs done, ` +
        `${sim.requests.length} requests, ${throttled} answered 429, host RSS ${(memory.peak() / MB).toFixed(0)} MB`,
    );
  }, 15_000);
  let idleRssBytes = 0;
  try {
    for (const { value: host } of started) {
      await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
      await host.check({}, { __provider: provider, knowledgeBaseUuid: knowledgeBases[0]?.[0] });
    }
    idleRssBytes = residentBytes(pid) ?? 0;
    await Promise.all(
      started.map(({ value: host }, h) =>
        Promise.all(
          (knowledgeBases[h] ?? []).map(async (knowledgeBaseUuid) => {
            await new Promise((resolve) => setTimeout(resolve, h * staggerMs));
            try {
              const { outs } = await host.create({ __provider: provider, knowledgeBaseUuid });
              jobUuids.set(knowledgeBaseUuid, String(outs.uuid));
              if (outs.phase !== "BATCH_JOB_PHASE_SUCCEEDED")
                failures.push(`${knowledgeBaseUuid}: ${String(outs.phase)}`);
            } catch (error) {
              failures.push(
                `${knowledgeBaseUuid}: ${error instanceof Error ? error.message : String(error)}`,
              );
            } finally {
              done++;
            }
          }),
        ),
      ),
    );
  } finally {
    clearInterval(progress);
    await Promise.all(started.map(({ value: host }) => host.stop()));
    await sim.close();
  }
  return {
    hosts,
    jobsPerHost,
    staggerMs,
    ablated: [...ablate],
    succeeded: hosts * jobsPerHost - failures.length,
    failures,
    requests: sim.requests.length,
    throttled: sim.requests.filter((r) => r.status === 429).length,
    peakPerMinute: peakInWindow(sim.requests, MINUTE_MS),
    latenessMs: spread(lateness(sim, lengths, jobUuids)),
    wallMs: Date.now() - wallStart,
    peakRssBytes: memory.stop(),
    idleRssBytes,
  };
}

/** A host's environment: ours minus DIGITALOCEAN_* (as test/helpers/host.ts does), rules to switch off. */
function hostEnv(ablate: readonly P2Rule[]): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("DIGITALOCEAN_")),
  ) as NodeJS.ProcessEnv;
  delete env.GRADIENT_INDEXING_ABLATE;
  if (ablate.length > 0) env.GRADIENT_INDEXING_ABLATE = ablate.join(",");
  return env;
}

/**
 * For each job: from its end (its start's arrival plus its planned length) to the first look after it,
 * its own GET or a page of the account's job list (every job of a run fits in one page of 200).
 */
function lateness(sim: Simulator, lengths: Map<string, number>, jobUuids: Map<string, string>): number[] {
  const figures: number[] = [];
  const listings = sim.requests.filter(
    (r) => r.method === "GET" && r.path === "/v2/gen-ai/indexing_jobs" && r.status === 200,
  );
  for (const [kb, uuid] of jobUuids) {
    const start = sim.requests.find(
      (r) =>
        r.method === "POST" &&
        r.path === "/v2/gen-ai/indexing_jobs" &&
        r.status < 300 &&
        (r.body as { knowledge_base_uuid?: string } | undefined)?.knowledge_base_uuid === kb,
    );
    if (!start) continue;
    const end = start.at + (lengths.get(kb) ?? 0);
    const polls = sim.requests.filter(
      (r) => r.method === "GET" && r.path === `/v2/gen-ai/indexing_jobs/${uuid}` && r.status === 200,
    );
    const seenAt = Math.min(...[...polls, ...listings].map((r) => r.at).filter((at) => at >= end));
    if (Number.isFinite(seenAt)) figures.push(seenAt - end);
  }
  return figures;
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
  const { single, shared } = result;
  const own = ownMemory(single, result.controlRssBytes);
  const runRows = (run: P2Run, label: string, sharing: boolean): string[][] => [
    [
      `${label}: jobs succeeded (end noticed)`,
      `${run.succeeded}/${run.hosts * run.jobsPerHost}`,
      "all",
      yes(run.succeeded === run.hosts * run.jobsPerHost),
    ],
    [`${label}: failed on a 429`, String(failedOn429(run)), "0", yes(failedOn429(run) === 0)],
    [
      `${label}: 429 answers in the simulator's log`,
      String(run.throttled),
      sharing ? "0" : "-",
      sharing ? yes(run.throttled === 0) : "-",
    ],
    [
      `${label}: peak requests in 60 s (429s included)`,
      String(run.peakPerMinute),
      `< ${result.limitPerMinute}`,
      yes(run.peakPerMinute < result.limitPerMinute),
    ],
    [`${label}: API requests`, String(run.requests), "-", "-"],
    [
      `${label}: end noticed, mean / max after it`,
      `${seconds(run.latenessMs.mean)} / ${seconds(run.latenessMs.max)}`,
      sharing ? "-" : `mean <= ${seconds(MEAN_LATENESS_LIMIT_MS, 0)}`,
      sharing ? "-" : yes(run.latenessMs.mean <= MEAN_LATENESS_LIMIT_MS),
    ],
    [`${label}: wall time`, seconds(run.wallMs, 0), "-", "-"],
  ];
  return (
    `P2 IndexingJobs created at once (jobs of ${seconds(min, 0)}-${seconds(max, 0)} after 1-3 s pending, ` +
    `simulator limit ${result.limitPerMinute}/min per token)\n` +
    renderTable(
      ["figure", "value", "target", "met"],
      [
        ...runRows(single, `1 host, ${single.jobsPerHost} jobs`, false),
        [
          "1 host: provider's own memory (host peak RSS over the HTTP-only provider's)",
          `${(own / MB).toFixed(1)} MB`,
          `<= ${OWN_MEMORY_LIMIT_BYTES / MB} MB`,
          yes(own <= OWN_MEMORY_LIMIT_BYTES),
        ],
        ["  host peak RSS, our provider", `${(single.peakRssBytes / MB).toFixed(0)} MB`, "-", "-"],
        ["  host peak RSS, HTTP-only provider", `${(result.controlRssBytes / MB).toFixed(0)} MB`, "-", "-"],
        ["  host RSS, our provider loaded, idle", `${(single.idleRssBytes / MB).toFixed(0)} MB`, "-", "-"],
        ...runRows(shared, `${shared.hosts} hosts x ${shared.jobsPerHost} jobs, one token`, true),
        ...runRows(
          result.staggered,
          `the same, hosts ${seconds(result.staggered.staggerMs, 0)} apart (not judged)`,
          true,
        ),
      ],
    )
  );
}

function yes(value: boolean): string {
  return value ? "yes" : "NO";
}
