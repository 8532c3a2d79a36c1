/**
 * P1: API calls per job and how late each waiter notices the end, ours against DigitalOcean's SDK
 * waiter, for jobs of 3 s to 1 h under four models of what a job shows while it runs:
 *
 * (a) the spec today: no job-level counts, per-source counts only once each source ends, the sources
 *     in parallel ("silent") or one after another ("stepwise");
 * (b) the phase only: the job the waiters see is stripped to its uuid, phase, status and timestamps;
 * (c) steady job-level counts (the older answers' shape);
 * (d) erratic job-level counts.
 *
 * Each with whole-second and sub-second timestamps, and with `updated_at` moving or frozen (at
 * `created_at` while the job runs). Every job runs on a knowledge base whose last three jobs took as
 * long, within a second (each run's length is the planned one plus 0-999 ms, drawn anew: real runs do
 * not last whole seconds): ours is watched both with what their job list tells (`typicalRunMs`) and
 * without it.
 *
 * Simulator and waiters share one ManualClock, moved straight to the next wake-up whenever no request
 * is in flight, so a one-hour job takes a fraction of a second; every poll is still a real HTTP request
 * to the simulator. All waiters watch the same job at once, so they face the very same job.
 */
import type { IndexingJob } from "../provider/api/types";
import { GradientClient, RateLimiter } from "../provider/client";
import { typicalRunMs } from "../provider/waiting/past-runs";
import {
  ManualClock,
  startSimulator,
  type JobPlan,
  type ProgressShape,
  type Simulator,
  type SimulatorOptions,
} from "../simulator";
import { ended, ourPoller, ourPollerWithoutPastRuns, P1_POLLERS, sdkWaiter, type PastRuns } from "./pollers";
import { seededRandom } from "./random";
import { fixed, renderTable, seconds, spread, verdict, type Row, type Spread } from "./table";

/** A knowledge base of three sources: a small crawl, a large bucket, a medium upload. */
const THREE_SOURCES = [{ items: 150 }, { items: 600 }, { items: 450 }];
const PENDING_MS = 2_000;
/** Past runs of the knowledge base before each job: `typicalRunMs` weighs the latest three. */
const PAST_RUNS = 3;
/** Every cell: our worst lateness may exceed the SDK waiter's by this much. */
const MAX_LATENESS_SLACK_MS = 1_000;
/** Past runs as long as this job: its end seen within this. */
const AS_LONG_LATENESS_MS = 2_000;

export type ModelId = "a-parallel" | "a-serial" | "b" | "c" | "d";
export type Timestamps = "whole" | "sub-second";
export type UpdatedAt = "moving" | "frozen";

interface Model {
  id: ModelId;
  label: string;
  progress: ProgressShape;
  simulator: Pick<SimulatorOptions, "sourceCounts" | "legacyJobCounts">;
  /** The bench's fetchJob strips the job to its phase, status and timestamps. */
  phaseOnly: boolean;
}

export const MODELS: readonly Model[] = [
  {
    id: "a-parallel",
    label: "(a) spec today, sources in parallel",
    progress: "silent",
    simulator: { sourceCounts: "at-end" },
    phaseOnly: false,
  },
  {
    id: "a-serial",
    label: "(a) spec today, sources one after another",
    progress: "stepwise",
    simulator: { sourceCounts: "at-end" },
    phaseOnly: false,
  },
  { id: "b", label: "(b) phase only", progress: "steady", simulator: {}, phaseOnly: true },
  {
    id: "c",
    label: "(c) steady job-level counts",
    progress: "steady",
    simulator: { legacyJobCounts: true },
    phaseOnly: false,
  },
  {
    id: "d",
    label: "(d) erratic job-level counts",
    progress: "erratic",
    simulator: { legacyJobCounts: true },
    phaseOnly: false,
  },
];
const TIMESTAMPS: readonly Timestamps[] = ["whole", "sub-second"];
const UPDATED_AT: readonly UpdatedAt[] = ["moving", "frozen"];

export interface PollerFigures {
  name: string;
  calls: Spread;
  latencyMs: Spread;
}

export interface P1Cell {
  model: ModelId;
  timestamps: Timestamps;
  updatedAt: UpdatedAt;
  durationMs: number;
  jobs: number;
  /** Ours with past runs, ours without, the SDK waiter. */
  pollers: PollerFigures[];
  pass: boolean;
  why: string;
}

/** Past runs that tell the truth, or mislead. */
export type PastRunsScenarioId =
  "exactly-as-long" | "as-long" | "as-long-2pct" | "quick-after-long" | "long-after-quick";

/**
 * How each run's actual length varies around its planned one: not at all, by 0-999 ms (real runs do
 * not last whole seconds), or by up to 2 % either way.
 */
export type RunVariation = "exact" | "within-1s" | "2pct";

function varied(durationMs: number, variation: RunVariation, random: () => number): number {
  if (variation === "within-1s") return durationMs + Math.floor(random() * 1_000);
  if (variation === "2pct") return Math.round(durationMs * (0.98 + 0.04 * random()));
  return durationMs;
}

export interface PastRunsRow {
  model: ModelId;
  scenario: PastRunsScenarioId;
  timestamps: Timestamps;
  jobs: number;
  pollers: PollerFigures[];
  /** Judged, or shown for information. */
  judged: boolean;
  /** Worst per job: calls with past runs less calls without, lateness with past runs less the SDK's. */
  extraCallsMax: number;
  laterThanSdkMaxMs: number;
  pass: boolean;
  why: string;
}

export interface P1Result {
  pass: boolean;
  pendingMs: number;
  cells: P1Cell[];
  pastRuns: PastRunsRow[];
}

export interface P1Options {
  durationsMs: readonly number[];
  /** Jobs per cell of the grid, by job length. */
  jobsPerCell: (durationMs: number) => number;
  /** Jobs per row of the past-runs table (a row per model, scenario and kind of timestamps). */
  jobsPerPastRunsRow: number;
  /** Only these models (the ablation needs only some). Default: all. */
  models?: readonly ModelId[];
  /** Skip the past-runs table. */
  gridOnly?: boolean;
  log: (line: string) => void;
}

interface Observation {
  calls: number;
  latencyMs: number;
}

/** A simulator showing jobs one way, and a client for it. */
interface SimEnv {
  sim: Simulator;
  client: GradientClient;
}

/** One job to watch: the knowledge base's past runs, this job's plan, and how its answers are seen. */
interface JobSetup {
  model: Model;
  updatedAt: UpdatedAt;
  past: readonly Partial<JobPlan>[];
  plan: { durationMs: number; pendingMs: number } & Partial<JobPlan>;
  /** How every run's actual length, past ones and this one, varies around its plan. */
  variation: RunVariation;
  seed: number;
}

export async function runP1(options: P1Options): Promise<P1Result> {
  const clock = new ManualClock();
  const envs = new Map<string, SimEnv>();
  const envFor = async (model: Model, timestamps: Timestamps): Promise<SimEnv> => {
    const key = `${model.id}/${timestamps}`;
    const known = envs.get(key);
    if (known) return known;
    const sim = await startSimulator({
      clock,
      rateLimitPerMinute: 0,
      rateLimitPerHour: 0,
      subSecondTimestamps: timestamps === "sub-second",
      ...model.simulator,
    });
    const client = new GradientClient({
      token: sim.token,
      baseUrl: sim.url,
      rateLimiter: new RateLimiter({ perMinute: 1_000_000 }),
    });
    const env = { sim, client };
    envs.set(key, env);
    return env;
  };
  const models = MODELS.filter((m) => options.models?.includes(m.id) ?? true);
  const cells: P1Cell[] = [];
  const pastRuns: PastRunsRow[] = [];
  try {
    for (const model of models) {
      for (const timestamps of TIMESTAMPS) {
        const env = await envFor(model, timestamps);
        for (const updatedAt of UPDATED_AT) {
          for (const durationMs of options.durationsMs) {
            const plan = { durationMs, pendingMs: PENDING_MS, progress: model.progress };
            const jobs = options.jobsPerCell(durationMs);
            const seen = await watchMany(env, clock, jobs, (seed) => ({
              model,
              updatedAt,
              past: Array.from({ length: PAST_RUNS }, () => plan),
              plan,
              variation: "within-1s",
              seed,
            }));
            const cell = judgeCell({
              model: model.id,
              timestamps,
              updatedAt,
              durationMs,
              jobs,
              pollers: seen,
            });
            cells.push(cell);
            if (!cell.pass) options.log(`P1 FAIL ${cellName(cell)}: ${cell.why}`);
          }
        }
      }
      const passed = cells.filter((c) => c.model === model.id && c.pass).length;
      const all = cells.filter((c) => c.model === model.id).length;
      options.log(`P1 ${model.label}: ${passed}/${all} cells pass`);
    }
    if (!options.gridOnly) {
      for (const model of models.filter((m) => PAST_RUNS_MODELS.includes(m.id))) {
        for (const scenario of PAST_RUNS_SCENARIOS) {
          for (const timestamps of TIMESTAMPS) {
            const env = await envFor(model, timestamps);
            const figures: Observation[][] = P1_POLLERS.map(() => []);
            for (let seed = 0; seed < options.jobsPerPastRunsRow; seed++) {
              const past = Array.from({ length: PAST_RUNS }, () => ({
                durationMs: scenario.pastMs,
                pendingMs: PENDING_MS,
                progress: model.progress,
              }));
              const plan = { ...scenario.job, pendingMs: PENDING_MS, progress: model.progress };
              const seen = await watchOneJob(env, clock, {
                model,
                updatedAt: "moving",
                past,
                plan,
                variation: scenario.variation,
                seed,
              });
              seen.forEach((observation, i) => figures[i]?.push(observation));
            }
            const row = judgePastRuns(model.id, scenario, timestamps, figures);
            pastRuns.push(row);
            const shown = row.judged ? verdict(row.pass) : `${verdict(row.pass)}, not judged`;
            options.log(
              `P1 past runs, ${model.label}, ${scenario.label}, ${timestampsName(timestamps)}: ${shown} (${row.why})`,
            );
          }
        }
      }
    }
  } finally {
    await Promise.all([...envs.values()].map(({ sim }) => sim.close()));
  }
  return {
    pass: cells.every((c) => c.pass) && pastRuns.every((r) => r.pass || !r.judged),
    pendingMs: PENDING_MS,
    cells,
    pastRuns,
  };
}

/** Watches `jobs` jobs one after another; the figures of each waiter over them. */
async function watchMany(
  env: SimEnv,
  clock: ManualClock,
  jobs: number,
  setup: (seed: number) => JobSetup,
): Promise<PollerFigures[]> {
  const perPoller: Observation[][] = P1_POLLERS.map(() => []);
  for (let seed = 0; seed < jobs; seed++) {
    const seen = await watchOneJob(env, clock, setup(seed));
    seen.forEach((observation, i) => perPoller[i]?.push(observation));
  }
  return P1_POLLERS.map((poller, i) => figures(poller.name, perPoller[i] ?? []));
}

/** The job as the model lets the waiters see it. */
function viewOf(model: Model, updatedAt: UpdatedAt): (job: IndexingJob) => IndexingJob {
  return (job) => {
    let seen: IndexingJob = job;
    if (model.phaseOnly) {
      const { uuid, phase, status, created_at, started_at, finished_at, updated_at } = job;
      seen = { uuid, phase, status, created_at, started_at, finished_at, updated_at };
      for (const key of Object.keys(seen) as (keyof IndexingJob)[])
        if (seen[key] === undefined) delete seen[key];
    }
    if (updatedAt === "frozen" && !ended(seen)) seen = { ...seen, updated_at: seen.created_at };
    return seen;
  };
}

/**
 * Runs the knowledge base's past jobs, reads its job list as provider/indexing-job/start.ts does, starts the job and
 * lets every waiter watch it to the end, each with its own GET counter.
 */
async function watchOneJob(env: SimEnv, clock: ManualClock, job: JobSetup): Promise<Observation[]> {
  const { sim, client } = env;
  const kb = sim.seedKnowledgeBase({ dataSources: THREE_SOURCES.map((s) => ({ ...s })) });
  // Starts at varying fractions of a second: whole-second timestamps then cut off varying amounts.
  const random = seededRandom(job.seed * 7919 + job.plan.durationMs);
  const lengths = seededRandom(job.seed * 104_729 + job.plan.durationMs + 1);
  for (const planned of job.past) {
    const plan = { ...planned, durationMs: varied(planned.durationMs ?? 0, job.variation, lengths) };
    sim.planNextJob(kb.uuid, plan);
    clock.advance(1 + Math.floor(random() * 999));
    await client.startIndexingJob({ knowledgeBaseUuid: kb.uuid });
    clock.advance((plan.pendingMs ?? 0) + (plan.durationMs ?? 0) + 60_000);
  }
  let past: PastRuns = {};
  if (job.past.length > 0) {
    // What the provider reads before starting (provider/indexing-job/start.ts), and makes of it.
    const typical = typicalRunMs((await client.listKnowledgeBaseIndexingJobs(kb.uuid)).items);
    if (typical !== undefined) past = { typicalRunMs: typical };
  }
  const plan = { ...job.plan, durationMs: varied(job.plan.durationMs, job.variation, lengths) };
  sim.planNextJob(kb.uuid, plan);
  clock.advance(1 + Math.floor(random() * 999));
  const view = viewOf(job.model, job.updatedAt);
  const postedAt = clock.now();
  const initial = view(await client.startIndexingJob({ knowledgeBaseUuid: kb.uuid }));
  const endsAt = postedAt + plan.pendingMs + plan.durationMs;
  const uuid = initial.uuid ?? "";
  let inFlight = 0;
  const watches = P1_POLLERS.map(async (poller) => {
    let calls = 0;
    let lastGetAt = postedAt;
    const fetchJob = async (): Promise<IndexingJob> => {
      calls++;
      inFlight++;
      try {
        lastGetAt = clock.now();
        return view(await client.getIndexingJob(uuid));
      } finally {
        inFlight--;
      }
    };
    const final = await poller.wait(initial, fetchJob, clock, past);
    if (!ended(final)) throw new Error(`P1: ${poller.name} stopped before the job ended`);
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

function figures(name: string, seen: readonly Observation[]): PollerFigures {
  return { name, calls: spread(seen.map((s) => s.calls)), latencyMs: spread(seen.map((s) => s.latencyMs)) };
}

function pick(pollers: readonly PollerFigures[], name: string): PollerFigures {
  const found = pollers.find((p) => p.name === name);
  if (!found) throw new Error(`P1: no figures of ${name}`);
  return found;
}

/**
 * Every cell, ours with and without past runs each: neither the mean nor the max of calls above the SDK
 * waiter's, mean lateness no more than its, max lateness no more than its plus 1 s.
 */
function judgeCell(cell: Omit<P1Cell, "pass" | "why">): P1Cell {
  const sdk = pick(cell.pollers, sdkWaiter.name);
  const failed: string[] = [];
  for (const name of [ourPoller.name, ourPollerWithoutPastRuns.name]) {
    const ours = pick(cell.pollers, name);
    if (ours.calls.mean > sdk.calls.mean) failed.push(`${name}: mean calls`);
    if (ours.calls.max > sdk.calls.max) failed.push(`${name}: max calls`);
    if (ours.latencyMs.mean > sdk.latencyMs.mean) failed.push(`${name}: mean lateness`);
    if (ours.latencyMs.max > sdk.latencyMs.max + MAX_LATENESS_SLACK_MS) failed.push(`${name}: max lateness`);
  }
  const ours = pick(cell.pollers, ourPoller.name);
  const bare = pick(cell.pollers, ourPollerWithoutPastRuns.name);
  const why =
    `calls mean/max ${callsText(ours)}, no past runs ${callsText(bare)}, SDK ${callsText(sdk)}; ` +
    `late ${lateText(ours)}, no past runs ${lateText(bare)}, SDK ${lateText(sdk)}` +
    (failed.length ? `; missed: ${failed.join(", ")}` : "");
  return { ...cell, pass: failed.length === 0, why };
}

const PAST_RUNS_MODELS: readonly ModelId[] = ["a-parallel", "a-serial", "b"];

interface PastRunsScenario {
  id: PastRunsScenarioId;
  label: string;
  pastMs: number;
  job: { durationMs: number } & Partial<JobPlan>;
  variation: RunVariation;
  /** The past runs took about as long: judged on lateness; else on the cost of being misled. */
  asLong: boolean;
  judged: boolean;
}

const PAST_RUNS_SCENARIOS: readonly PastRunsScenario[] = [
  {
    id: "exactly-as-long",
    label: "3 past runs of 10 min, job 10 min, all to the ms",
    pastMs: 600_000,
    job: { durationMs: 600_000 },
    variation: "exact",
    asLong: true,
    judged: true,
  },
  {
    id: "as-long",
    label: "3 past runs of 10 min, job 10 min, each + 0-999 ms",
    pastMs: 600_000,
    job: { durationMs: 600_000 },
    variation: "within-1s",
    asLong: true,
    judged: true,
  },
  {
    id: "as-long-2pct",
    label: "3 past runs of 10 min, job 10 min, each ± 2 % (12 s)",
    pastMs: 600_000,
    job: { durationMs: 600_000 },
    variation: "2pct",
    asLong: true,
    judged: false,
  },
  {
    id: "quick-after-long",
    label: "(i) 3 past runs of 10 min, job 10 s NO_CHANGES (+ 0-999 ms)",
    pastMs: 600_000,
    job: { durationMs: 10_000, outcome: "no_changes" },
    variation: "within-1s",
    asLong: false,
    judged: true,
  },
  {
    id: "long-after-quick",
    label: "(ii) 3 past runs of 10 s, job 10 min (+ 0-999 ms)",
    pastMs: 10_000,
    job: { durationMs: 600_000 },
    variation: "within-1s",
    asLong: false,
    judged: true,
  },
];

/**
 * Past runs as long: the end seen within 2 s. Past runs that mislead: per job, at most one call more
 * than without them, and never a later end than the SDK waiter's.
 */
function judgePastRuns(
  model: ModelId,
  scenario: PastRunsScenario,
  timestamps: Timestamps,
  seen: readonly (readonly Observation[])[],
): PastRunsRow {
  const [withPast = [], withoutPast = [], sdk = []] = seen;
  const extraCallsMax = Math.max(...withPast.map((o, i) => o.calls - (withoutPast[i]?.calls ?? 0)));
  const laterThanSdkMaxMs = Math.max(...withPast.map((o, i) => o.latencyMs - (sdk[i]?.latencyMs ?? 0)));
  const pollers = P1_POLLERS.map((poller, i) => figures(poller.name, seen[i] ?? []));
  const ours = pick(pollers, ourPoller.name);
  const failed: string[] = [];
  if (scenario.asLong) {
    if (ours.latencyMs.max > AS_LONG_LATENESS_MS) failed.push("end seen within 2 s");
  } else {
    if (extraCallsMax > 1) failed.push("at most one call more");
    if (laterThanSdkMaxMs > 0) failed.push("never later than the SDK");
  }
  const why =
    `with past runs: calls ${callsText(ours)}, late ${lateText(ours)}; ` +
    `per job at most ${extraCallsMax} call(s) more than without, ${seconds(laterThanSdkMaxMs)} later than the SDK` +
    (failed.length ? `; missed: ${failed.join(", ")}` : "");
  return {
    model,
    scenario: scenario.id,
    timestamps,
    jobs: withPast.length,
    pollers,
    judged: scenario.judged,
    extraCallsMax,
    laterThanSdkMaxMs,
    pass: failed.length === 0,
    why,
  };
}

function callsText(p: PollerFigures): string {
  return `${fixed(p.calls.mean)}/${p.calls.max}`;
}

function lateText(p: PollerFigures): string {
  return `${seconds(p.latencyMs.mean)}/${seconds(p.latencyMs.max)}`;
}

function timestampsName(timestamps: Timestamps): string {
  return timestamps === "whole" ? "whole-second timestamps" : "sub-second timestamps";
}

function modelLabel(id: ModelId): string {
  return MODELS.find((m) => m.id === id)?.label ?? id;
}

function cellName(cell: P1Cell): string {
  return (
    `${modelLabel(cell.model)}, ${timestampsName(cell.timestamps)}, updated_at ${cell.updatedAt}, ` +
    length(cell.durationMs)
  );
}

/** The verdict of every cell: a row per model and variant, a column per job length. */
export function p1VerdictTable(result: P1Result): string {
  const durations = [...new Set(result.cells.map((c) => c.durationMs))];
  const rows: Row[] = [];
  for (const model of MODELS) {
    for (const timestamps of TIMESTAMPS) {
      for (const updatedAt of UPDATED_AT) {
        const cells = result.cells.filter(
          (c) => c.model === model.id && c.timestamps === timestamps && c.updatedAt === updatedAt,
        );
        if (cells.length === 0) continue;
        rows.push([
          model.label,
          timestamps === "whole" ? "whole s" : "sub-second",
          updatedAt,
          ...durations.map((d) => {
            const cell = cells.find((c) => c.durationMs === d);
            return cell ? verdict(cell.pass) : "-";
          }),
        ]);
      }
    }
  }
  const jobs = durations.map((d) => result.cells.find((c) => c.durationMs === d)?.jobs ?? 0);
  return (
    `P1 verdict per cell: ours (with and without past runs) vs DO's SDK waiter ` +
    `(jobs per cell: ${durations.map((d, i) => `${jobs[i]} of ${length(d)}`).join(", ")}; ` +
    `${seconds(result.pendingMs, 0)} pending first)\n` +
    renderTable(["model", "timestamps", "updated_at", ...durations.map(length)], rows)
  );
}

/** The figures per model and length, over both kinds of timestamps and of updated_at. */
export function p1FiguresTable(result: P1Result): string {
  const durations = [...new Set(result.cells.map((c) => c.durationMs))];
  const rows: Row[] = [];
  for (const model of MODELS) {
    for (const durationMs of durations) {
      const cells = result.cells.filter((c) => c.model === model.id && c.durationMs === durationMs);
      if (cells.length === 0) continue;
      const merged = (name: string) => mergeFigures(cells.map((c) => pick(c.pollers, name)));
      const [ours, bare, sdk] = [ourPoller, ourPollerWithoutPastRuns, sdkWaiter].map((p) => merged(p.name));
      if (!ours || !bare || !sdk) continue;
      rows.push([
        rows.some((r) => r[0] === model.label) ? "" : model.label,
        length(durationMs),
        callsText(ours),
        callsText(bare),
        callsText(sdk),
        lateText(ours),
        lateText(bare),
        lateText(sdk),
        cells.every((c) => c.pass) ? "PASS" : `FAIL ${cells.filter((c) => !c.pass).length}/${cells.length}`,
      ]);
    }
  }
  return (
    "P1 figures per model and length (mean / max over the 4 variants' jobs: whole and sub-second " +
    "timestamps, updated_at moving and frozen)\n" +
    renderTable(
      [
        "model",
        "job",
        "calls ours",
        "calls ours, no past",
        "calls SDK",
        "late ours",
        "late ours, no past",
        "late SDK",
        "cells",
      ],
      rows,
    )
  );
}

/** The past-runs table: lateness on 10-minute jobs (and the quick one) with past runs right or misleading. */
export function p1PastRunsTable(result: P1Result): string {
  const rows: Row[] = result.pastRuns.map((row) => {
    const scenario = PAST_RUNS_SCENARIOS.find((s) => s.id === row.scenario);
    const ours = pick(row.pollers, ourPoller.name);
    const bare = pick(row.pollers, ourPollerWithoutPastRuns.name);
    const sdk = pick(row.pollers, sdkWaiter.name);
    const asLong = scenario?.asLong ?? false;
    return [
      modelLabel(row.model),
      scenario?.label ?? row.scenario,
      row.timestamps === "whole" ? "whole s" : "sub-second",
      `${fixed(sdk.calls.mean)} / ${fixed(bare.calls.mean)} / ${fixed(ours.calls.mean)}`,
      lateText(sdk),
      lateText(bare),
      lateText(ours),
      asLong ? "late max <= 2 s" : "<= +1 call, never later than SDK",
      asLong
        ? seconds(ours.latencyMs.max)
        : `+${row.extraCallsMax} call, ${seconds(Math.max(row.laterThanSdkMaxMs, 0))} later`,
      row.judged ? verdict(row.pass) : `(${verdict(row.pass)}, info)`,
    ];
  });
  return (
    `P1 past runs: calls and lateness (mean / max) without and with the knowledge base's past runs ` +
    `(${result.pastRuns[0]?.jobs ?? 0} jobs per row)\n` +
    renderTable(
      [
        "model",
        "past runs, this job",
        "timestamps",
        "calls SDK / no past / past",
        "late SDK",
        "late ours, no past",
        "late ours, past",
        "target",
        "worst",
        "verdict",
      ],
      rows,
    )
  );
}

/** Figures over several cells of equal job counts: the mean of means, the max of maxima. */
export function mergeFigures(all: readonly PollerFigures[]): PollerFigures | undefined {
  const first = all[0];
  if (!first) return undefined;
  const merge = (spreads: Spread[]): Spread => ({
    mean: spreads.reduce((sum, s) => sum + s.mean, 0) / spreads.length,
    max: Math.max(...spreads.map((s) => s.max)),
  });
  return {
    name: first.name,
    calls: merge(all.map((p) => p.calls)),
    latencyMs: merge(all.map((p) => p.latencyMs)),
  };
}

export function pollerFigures(cells: readonly P1Cell[], name: string): PollerFigures | undefined {
  return mergeFigures(cells.map((c) => pick(c.pollers, name)));
}

/** A job's length as people say it: 3 s, 2 min, 1 h. */
export function length(ms: number): string {
  if (ms >= 3_600_000) return `${ms / 3_600_000} h`;
  return ms >= 60_000 ? `${ms / 60_000} min` : seconds(ms, 0);
}
