/**
 * The ablation: what each rule beyond the SDK waiter's schedule, and beyond "a sliding window with an
 * in-flight cap and a pause on 429", buys. One rule switched off at a time:
 *
 * - poller, `pastRuns`: the P1 grid's jobs (models (a), (b), (c); (d) for information) watched by ours
 *   with the knowledge base's `typicalRunMs` and without it, at once, on the same jobs;
 * - the shared listing, `jobBoard` (provider/waiting/job-board.ts): jobs waited for at once looked at
 *   through one page of the account's job list, which also serves their first listings;
 * - budget, `tokenWide`: P2's runs (one host; three hosts on one token at once; the same three hosts
 *   starting one after another) with the rule switched off in every provider host
 *   (GRADIENT_INDEXING_ABLATE). Skipped as telling nothing: `tokenWide` with one host (no other process
 *   to see). Two other budget rules went after measurements of 2026-11-30: `fairShare` (19.1 s mean
 *   lateness off against 18.8 s on) and `firstMinute` (no 429 and no later end without it, once the
 *   shared listing came; with `tokenWide` also off, three hosts at once met 3 answers 429).
 */
import {
  length,
  MODELS,
  pollerFigures,
  runP1,
  type ModelId,
  type P1Result,
  type PollerFigures,
} from "./p1-polling";
import { runHosts, type P2Options, type P2Result, type P2Rule, type P2Run } from "./p2-scale";
import { ourPoller, ourPollerWithoutPastRuns, sdkWaiter } from "./pollers";
import { fixed, renderTable, seconds, type Row } from "./table";

const P2_RULES: readonly P2Rule[] = ["jobBoard", "tokenWide"];
export type Workload = "single" | "shared" | "staggered";
const WORKLOADS: readonly Workload[] = ["single", "shared", "staggered"];
const SKIPPED: Readonly<Record<P2Rule, readonly Workload[]>> = {
  jobBoard: [],
  tokenWide: ["single"],
};
const P1_MODELS: readonly ModelId[] = ["a-parallel", "a-serial", "b", "c", "d"];

export interface BudgetAblation {
  /** The rule switched off, or none. */
  off: P2Rule | "none";
  runs: Partial<Record<Workload, P2Run>>;
}

export interface AblationResult {
  /** P1's figures per model and length, ours with and without past runs (from P1's own cells). */
  pastRuns: {
    model: ModelId;
    durationMs: number;
    on: PollerFigures;
    off: PollerFigures;
    sdk: PollerFigures;
  }[];
  /** Empty when skipped (--quick: at that size the budget never binds). */
  budget: BudgetAblation[];
  budgetSizes?: { jobs: number; sharedHosts: number; jobsPerSharedHost: number; staggerMs: number };
}

export interface AblationOptions {
  /** P1's result, when it ran in this invocation: its cells serve. */
  p1?: P1Result;
  /** P2's result, when it ran in this invocation with the same sizes: its runs are the "none" row. */
  p2?: P2Result;
  /** P1 grid settings, when P1 must run for the ablation. */
  durationsMs: readonly number[];
  jobsPerCell: number;
  /** P2 sizes; undefined skips the budget part. */
  p2Options?: P2Options;
  log: (line: string) => void;
}

export async function runAblation(options: AblationOptions): Promise<AblationResult> {
  const p1 =
    options.p1 ??
    (await runP1({
      durationsMs: options.durationsMs,
      jobsPerCell: () => options.jobsPerCell,
      jobsPerPastRunsRow: 0,
      models: P1_MODELS,
      gridOnly: true,
      log: options.log,
    }));
  const pastRuns: AblationResult["pastRuns"] = [];
  for (const model of P1_MODELS) {
    for (const durationMs of [...new Set(p1.cells.map((c) => c.durationMs))]) {
      const cells = p1.cells.filter((c) => c.model === model && c.durationMs === durationMs);
      const on = pollerFigures(cells, ourPoller.name);
      const off = pollerFigures(cells, ourPollerWithoutPastRuns.name);
      const sdk = pollerFigures(cells, sdkWaiter.name);
      if (on && off && sdk) pastRuns.push({ model, durationMs, on, off, sdk });
    }
  }
  const budget: BudgetAblation[] = [];
  const sizes = options.p2Options;
  if (sizes) {
    const p2 = options.p2;
    const reuse =
      p2 &&
      p2.single.jobsPerHost === sizes.jobs &&
      p2.shared.hosts === sizes.sharedHosts &&
      p2.shared.jobsPerHost === sizes.jobsPerSharedHost &&
      p2.staggered.staggerMs === sizes.staggerMs;
    for (const off of ["none", ...P2_RULES] as const) {
      if (off === "none" && reuse) {
        options.log("Ablation: all rules on: P2's own runs");
        budget.push({ off, runs: { single: p2.single, shared: p2.shared, staggered: p2.staggered } });
        continue;
      }
      const ablate = off === "none" ? [] : [off];
      const runs: BudgetAblation["runs"] = {};
      for (const workload of WORKLOADS) {
        if (off !== "none" && SKIPPED[off].includes(workload)) continue;
        options.log(
          `Ablation: ${off === "none" ? "all rules on" : `${off} off`}, ${workloadName(workload, sizes)}`,
        );
        runs[workload] =
          workload === "single"
            ? await runHosts(1, sizes.jobs, sizes, ablate)
            : await runHosts(
                sizes.sharedHosts,
                sizes.jobsPerSharedHost,
                sizes,
                ablate,
                workload === "staggered" ? sizes.staggerMs : 0,
              );
      }
      budget.push({ off, runs });
    }
  }
  return {
    pastRuns,
    budget,
    ...(sizes && {
      budgetSizes: {
        jobs: sizes.jobs,
        sharedHosts: sizes.sharedHosts,
        jobsPerSharedHost: sizes.jobsPerSharedHost,
        staggerMs: sizes.staggerMs,
      },
    }),
  };
}

export function ablationTables(result: AblationResult): string {
  const durations = [...new Set(result.pastRuns.map((r) => r.durationMs))];
  const rows: Row[] = [];
  const text = (p: PollerFigures) =>
    `${fixed(p.calls.mean)} · ${fixed(p.latencyMs.mean / 1000)}/${fixed(p.latencyMs.max / 1000)} s`;
  for (const model of P1_MODELS) {
    const label = MODELS.find((m) => m.id === model)?.label ?? model;
    const of = (pick: "on" | "off" | "sdk") =>
      durations.map((d) => {
        const row = result.pastRuns.find((r) => r.model === model && r.durationMs === d);
        return row ? text(row[pick]) : "-";
      });
    rows.push([label, "pastRuns on", ...of("on")]);
    rows.push(["", "pastRuns off", ...of("off")]);
    rows.push(["", "SDK waiter", ...of("sdk")]);
  }
  const parts = [
    "Ablation, poller: the knowledge base's past runs (3 as long as the job, within 1 s) used or not; " +
      "calls per job (mean) · lateness mean/max, over P1's cells\n" +
      renderTable(["model", "rule", ...durations.map(length)], rows),
  ];
  const sizes = result.budgetSizes;
  if (result.budget.length > 0 && sizes) {
    const budgetRows: Row[] = result.budget.flatMap(({ off, runs }) =>
      WORKLOADS.map((workload, i) => {
        const run = runs[workload];
        const first = i === 0 ? (off === "none" ? "none (all on)" : off) : "";
        if (!run)
          return [first, `${workloadName(workload, sizes)} (skipped)`, "-", "-", "-", "-", "-", "-", "-"];
        return [
          first,
          workloadName(workload, sizes),
          String(run.requests),
          String(run.throttled),
          `${run.succeeded}/${run.hosts * run.jobsPerHost}`,
          String(run.peakPerMinute),
          seconds(run.latenessMs.mean),
          seconds(run.latenessMs.max),
          seconds(run.wallMs, 0),
        ];
      }),
    );
    parts.push(
      "Ablation, shared listing and budget: one rule switched off in every provider host (GRADIENT_INDEXING_ABLATE), " +
        "P2's loads (429 answers from the simulator's log; peak includes them)\n" +
        renderTable(
          [
            "rule off",
            "run",
            "requests",
            "429 answers",
            "succeeded",
            "peak / 60 s",
            "late mean",
            "late max",
            "wall",
          ],
          budgetRows,
        ),
    );
  } else {
    parts.push("Ablation, budget: skipped (--quick: at that size the budget never binds)");
  }
  return parts.join("\n\n");
}

function workloadName(
  workload: Workload,
  sizes: { jobs: number; sharedHosts: number; jobsPerSharedHost: number; staggerMs: number },
): string {
  if (workload === "single") return `1 host x ${sizes.jobs}`;
  const shared = `${sizes.sharedHosts} hosts x ${sizes.jobsPerSharedHost}`;
  return workload === "shared" ? `${shared} at once` : `${shared}, ${seconds(sizes.staggerMs, 0)} apart`;
}
