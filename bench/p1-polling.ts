/**
 * P1: API calls per job and how late each waiter notices the end, for jobs of 3 s to 1 h under five
 * progress models: steady, erratic over 3 data sources, erratic in 1, no counts until the end, and
 * counts that come only as each data source finishes; and no counts on a knowledge base whose last job
 * took as long (its job list, read before the start, tells ours). Simulator and waiters share one ManualClock, moved straight to
 * the next wake-up whenever no request is in flight, so a 10-minute job takes milliseconds; every poll
 * is still a real HTTP request to the simulator. All waiters watch the same job at once, so they face
 * the very same progress curve.
 */
import type { IndexingJob } from "../provider/api/types";
import { GradientClient, RateLimiter } from "../provider/client";
import { ManualClock } from "../simulator/manual-clock";
import { startSimulator, type ProgressShape, type Simulator } from "../simulator";
import { typicalRunMs } from "../provider/waiting/past-runs";
import { ALL_POLLERS, ourPoller, sdkWaiter, type PastRuns, type Poller } from "./pollers";
import { seededRandom } from "./random";
import { fixed, renderTable, seconds, spread, type Row, type Spread } from "./table";

/** A knowledge base of three sources: a small crawl, a large bucket, a medium upload. */
const THREE_SOURCES = [{ items: 150 }, { items: 600 }, { items: 450 }];
const ONE_SOURCE = [{ items: 1_200 }];

interface Scenario {
  progress: ProgressShape;
  dataSources: readonly { items: number }[];
  /** Part of P1's verdict, or shown for information only. */
  judged: boolean;
  /** The knowledge base ran a job as long just before: the job list, read before starting, says so. */
  afterPastRun?: boolean;
}

/** Every model is judged: the poller must be good whether or not the API fills progress counts. */
const SCENARIOS: readonly Scenario[] = [
  { progress: "steady", dataSources: THREE_SOURCES, judged: true },
  { progress: "erratic", dataSources: THREE_SOURCES, judged: true },
  { progress: "erratic", dataSources: ONE_SOURCE, judged: true },
  { progress: "silent", dataSources: THREE_SOURCES, judged: true },
  { progress: "stepwise", dataSources: THREE_SOURCES, judged: true },
  { progress: "silent", dataSources: THREE_SOURCES, judged: true, afterPastRun: true },
];
const MODEL_NAMES: Readonly<Record<ProgressShape, string>> = {
  steady: "steady progress",
  erratic: "erratic progress",
  silent: "no counts until the end",
  stepwise: "counts only as each data source finishes",
};
const PAST_RUN_NOTE = ", after a run as long";
const PENDING_MS = 2_000;
/** P1's bar for steady progress of 10 s and more: the end noticed within this. */
const STEADY_LATENCY_MS = 2_000;
const STEADY_FROM_MS = 10_000;
/** Every cell: our worst lateness may exceed the SDK waiter's by this much. */
const MAX_LATENESS_SLACK_MS = 1_000;

export interface PollerFigures {
  name: string;
  calls: Spread;
  latencyMs: Spread;
}

export interface P1Cell {
  progress: ProgressShape;
  afterPastRun: boolean;
  dataSources: number;
  judged: boolean;
  durationMs: number;
  pendingMs: number;
  jobs: number;
  pollers: PollerFigures[];
  pass: boolean;
  why: string;
}

export interface P1Result {
  pass: boolean;
  cells: P1Cell[];
}

export interface P1Options {
  durationsMs: readonly number[];
  jobsPerCell: number;
  log: (line: string) => void;
}

interface Observation {
  calls: number;
  latencyMs: number;
}

export async function runP1(options: P1Options): Promise<P1Result> {
  const clock = new ManualClock();
  const sim = await startSimulator({ clock, rateLimitPerMinute: 0, rateLimitPerHour: 0 });
  const client = new GradientClient({
    token: sim.token,
    baseUrl: sim.url,
    rateLimiter: new RateLimiter({ perMinute: 1_000_000 }),
  });
  const cells: P1Cell[] = [];
  try {
    for (const { progress, dataSources, judged, afterPastRun = false } of SCENARIOS) {
      for (const durationMs of options.durationsMs) {
        const perPoller = ALL_POLLERS.map((): Observation[] => []);
        for (let seed = 0; seed < options.jobsPerCell; seed++) {
          const seen = await watchOneJob(sim, client, clock, {
            progress,
            dataSources,
            durationMs,
            seed,
            afterPastRun,
          });
          seen.forEach((observation, i) => perPoller[i]?.push(observation));
        }
        const pollers = ALL_POLLERS.map((poller, i) => figures(poller, perPoller[i] ?? []));
        const cell = judge({
          progress,
          afterPastRun,
          dataSources: dataSources.length,
          judged,
          durationMs,
          pendingMs: PENDING_MS,
          jobs: options.jobsPerCell,
          pollers,
        });
        cells.push(cell);
        const verdict = judged ? (cell.pass ? "PASS" : "FAIL") : "not judged";
        options.log(
          `P1 ${progress}, ${dataSources.length} source(s), ${length(durationMs)}: ${verdict} (${cell.why})`,
        );
      }
    }
  } finally {
    await sim.close();
  }
  return { pass: cells.every((c) => c.pass || !c.judged), cells };
}

/** Starts one job and lets every waiter watch it to the end, each with its own GET counter. */
async function watchOneJob(
  sim: Simulator,
  client: GradientClient,
  clock: ManualClock,
  job: {
    progress: ProgressShape;
    dataSources: readonly { items: number }[];
    durationMs: number;
    seed: number;
    afterPastRun: boolean;
  },
): Promise<Observation[]> {
  const kb = sim.seedKnowledgeBase({ dataSources: [...job.dataSources] });
  sim.planJobs(kb.uuid, { pendingMs: PENDING_MS, durationMs: job.durationMs, progress: job.progress });
  // Start at varying fractions of a second: the API's timestamps have whole seconds only.
  const random = seededRandom(job.seed * 7919 + job.durationMs);
  let past: PastRuns = {};
  if (job.afterPastRun) {
    clock.advance(1 + Math.floor(random() * 999));
    await client.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
    clock.advance(PENDING_MS + job.durationMs + 5_000);
    // What the provider reads before starting (provider/start.ts), and makes of it.
    const typical = typicalRunMs((await client.listKnowledgeBaseIndexingJobs(kb.uuid)).items);
    past = typical === undefined ? {} : { typicalRunMs: typical };
  }
  clock.advance(1 + Math.floor(random() * 999));
  const postedAt = clock.now();
  const initial = await client.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
  const endsAt = postedAt + PENDING_MS + job.durationMs;
  const uuid = initial.uuid ?? "";
  let inFlight = 0;
  const watches = ALL_POLLERS.map(async (poller) => {
    let calls = 0;
    let lastGetAt = postedAt;
    const fetchJob = async (): Promise<IndexingJob> => {
      calls++;
      inFlight++;
      try {
        lastGetAt = clock.now();
        return await client.getIndexingJob(uuid);
      } finally {
        inFlight--;
      }
    };
    await poller.wait(initial, fetchJob, clock, seededRandom(job.seed), past);
    return { calls, latencyMs: lastGetAt - endsAt };
  });
  return drive(clock, () => inFlight > 0, Promise.all(watches));
}

/**
 * Runs `work` to its end, moving the clock to the next sleeper's wake-up whenever no request is in
 * flight (a poller between a response and its next sleep only runs microtasks, done by setImmediate).
 */
async function drive<T>(clock: ManualClock, busy: () => boolean, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => (settled = true));
  done.catch(() => undefined);
  for (let idle = 0; !settled;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (settled || busy()) continue;
    const wakeUp = clock.nextWakeUp();
    if (wakeUp === undefined) {
      if (++idle > 100_000) throw new Error("P1: waiters neither sleep nor poll");
      continue;
    }
    idle = 0;
    clock.advance(Math.max(0, wakeUp - clock.now()));
  }
  return done;
}

function figures(poller: Poller, seen: readonly Observation[]): PollerFigures {
  return {
    name: poller.name,
    calls: spread(seen.map((s) => s.calls)),
    latencyMs: spread(seen.map((s) => s.latencyMs)),
  };
}

/**
 * Every cell: neither the mean nor the max of calls above the SDK waiter's, mean lateness no more than
 * its, max lateness no more than its plus 1 s. Steady, 10 s and longer: also at most half the SDK
 * waiter's calls on every job, and the end noticed within 2 s.
 */
function judge(cell: Omit<P1Cell, "pass" | "why">): P1Cell {
  const ours = cell.pollers.find((p) => p.name === ourPoller.name);
  const sdk = cell.pollers.find((p) => p.name === sdkWaiter.name);
  if (!ours || !sdk) throw new Error("P1: a waiter is missing");
  const failed: string[] = [];
  if (ours.calls.mean > sdk.calls.mean) failed.push("mean calls");
  if (ours.calls.max > sdk.calls.max) failed.push("max calls");
  if (ours.latencyMs.mean > sdk.latencyMs.mean) failed.push("mean lateness");
  if (ours.latencyMs.max > sdk.latencyMs.max + MAX_LATENESS_SLACK_MS) failed.push("max lateness");
  if (cell.progress === "steady" && cell.durationMs >= STEADY_FROM_MS) {
    // The SDK waiter's schedule does not depend on progress: the same count on every job of a cell.
    if (ours.calls.max > sdk.calls.max / 2) failed.push("half the calls");
    if (ours.latencyMs.max > STEADY_LATENCY_MS) failed.push("end within 2 s");
  }
  const why =
    `calls mean/max ${fixed(ours.calls.mean)}/${ours.calls.max} vs SDK ${fixed(sdk.calls.mean)}/${sdk.calls.max}, ` +
    `late ${seconds(ours.latencyMs.mean)}/${seconds(ours.latencyMs.max)} vs ` +
    `${seconds(sdk.latencyMs.mean)}/${seconds(sdk.latencyMs.max)}` +
    (failed.length ? `; missed: ${failed.join(", ")}` : "");
  return { ...cell, pass: failed.length === 0, why };
}

/** Every cell in one table: ours against the SDK waiter, as the README quotes it. */
export function p1Summary(result: P1Result): string {
  const rows: Row[] = result.cells.map((cell) => {
    const ours = cell.pollers.find((p) => p.name === ourPoller.name);
    const sdk = cell.pollers.find((p) => p.name === sdkWaiter.name);
    const calls = (p?: PollerFigures) => (p ? `${fixed(p.calls.mean)} / ${p.calls.max}` : "-");
    const late = (p?: PollerFigures) =>
      p ? `${seconds(p.latencyMs.mean)} / ${seconds(p.latencyMs.max)}` : "-";
    const model =
      `${MODEL_NAMES[cell.progress]}, ${cell.dataSources} source${cell.dataSources > 1 ? "s" : ""}` +
      (cell.afterPastRun ? PAST_RUN_NOTE : "");
    return [
      model,
      length(cell.durationMs),
      calls(ours),
      calls(sdk),
      late(ours),
      late(sdk),
      cell.judged ? (cell.pass ? "PASS" : "FAIL") : "(info)",
    ];
  });
  return (
    `P1 summary: ours vs DO's SDK waiter (${result.cells[0]?.jobs ?? 0} jobs per cell; mean / max)\n` +
    renderTable(["progress", "job", "calls, ours", "calls, SDK", "late, ours", "late, SDK", "verdict"], rows)
  );
}

/** One table per scenario, every waiter side by side. */
export function p1Tables(result: P1Result): string {
  const parts: string[] = [];
  for (const scenario of SCENARIOS) {
    const cells = result.cells.filter(
      (c) =>
        c.progress === scenario.progress &&
        c.dataSources === scenario.dataSources.length &&
        c.afterPastRun === (scenario.afterPastRun ?? false),
    );
    const rows: Row[] = [];
    for (const cell of cells) {
      cell.pollers.forEach((p, i) =>
        rows.push([
          i === 0 ? length(cell.durationMs) : "",
          p.name,
          fixed(p.calls.mean),
          String(p.calls.max),
          seconds(p.latencyMs.mean),
          seconds(p.latencyMs.max),
          i === 0 ? (cell.judged ? (cell.pass ? "PASS" : "FAIL") : "(info)") : "",
        ]),
      );
    }
    const sources =
      scenario.dataSources.length === 1 ? "one data source" : `${scenario.dataSources.length} data sources`;
    const note = scenario.judged ? "" : ", not judged";
    parts.push(
      `P1 ${MODEL_NAMES[scenario.progress]}, ${sources}${scenario.afterPastRun ? PAST_RUN_NOTE : ""} ` +
        `(${cells[0]?.jobs ?? 0} jobs per length, ` +
        `${seconds(PENDING_MS, 0)} pending first${note})\n` +
        renderTable(["job", "waiter", "calls mean", "calls max", "late mean", "late max", "verdict"], rows),
    );
  }
  return parts.join("\n\n");
}

/** A job's length as people say it: 3 s, 2 min, 1 h. */
function length(ms: number): string {
  if (ms >= 3_600_000) return `${ms / 3_600_000} h`;
  return ms >= 60_000 ? `${ms / 60_000} min` : seconds(ms, 0);
}
