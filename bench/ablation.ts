/**
 * The ablation: what each rule beyond the SDK waiter's schedule, and beyond "a sliding window with an
 * in-flight cap and a pause on 429", buys. One rule switched off at a time:
 *
 * - poller, `pastRuns`: the P1 grid's jobs (models (a), (b), (c); (d) for information) watched by ours
 *   with the knowledge base's `typicalRunMs` and without it, at once, on the same jobs;
 * - budget, `tokenWide`, `firstMinute`, `fairShare`: P2's runs (one host, and three hosts on one token)
 *   with the rule switched off in every provider host (GRADIENT_INDEXING_ABLATE).
 */
import type { BudgetRule } from "../provider/client/budget";
import {
  length,
  MODELS,
  pollerFigures,
  runP1,
  type ModelId,
  type P1Result,
  type PollerFigures,
} from "./p1-polling";
import { runHosts, type P2Options, type P2Result, type P2Run } from "./p2-scale";
import { ourPoller, ourPollerWithoutPastRuns, sdkWaiter } from "./pollers";
import { fixed, renderTable, seconds, type Row } from "./table";

const BUDGET_RULES: readonly BudgetRule[] = ["tokenWide", "firstMinute", "fairShare"];
const P1_MODELS: readonly ModelId[] = ["a-parallel", "a-serial", "b", "c", "d"];

export interface BudgetAblation {
  /** The rule switched off, or none. */
  off: BudgetRule | "none";
  single: P2Run;
  shared: P2Run;
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
  budgetSizes?: { jobs: number; sharedHosts: number; jobsPerSharedHost: number };
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
    const reuse =
      options.p2 &&
      options.p2.single.jobsPerHost === sizes.jobs &&
      options.p2.shared.hosts === sizes.sharedHosts &&
      options.p2.shared.jobsPerHost === sizes.jobsPerSharedHost;
    for (const off of ["none", ...BUDGET_RULES] as const) {
      if (off === "none" && reuse && options.p2) {
        options.log("Ablation: all rules on: P2's own runs");
        budget.push({ off, single: options.p2.single, shared: options.p2.shared });
        continue;
      }
      const ablate = off === "none" ? [] : [off];
      options.log(
        `Ablation: ${off === "none" ? "all rules on" : `${off} off`}, one host, ${sizes.jobs} jobs`,
      );
      const single = await runHosts(1, sizes.jobs, sizes, ablate);
      options.log(
        `Ablation: ${off === "none" ? "all rules on" : `${off} off`}, ` +
          `${sizes.sharedHosts} hosts x ${sizes.jobsPerSharedHost} jobs`,
      );
      const shared = await runHosts(sizes.sharedHosts, sizes.jobsPerSharedHost, sizes, ablate);
      budget.push({ off, single, shared });
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
    "Ablation, poller: the knowledge base's past runs (3 as long as the job) used or not; " +
      "calls per job (mean) · lateness mean/max\n" +
      renderTable(["model", "rule", ...durations.map(length)], rows),
  ];
  if (result.budget.length > 0 && result.budgetSizes) {
    const { jobs, sharedHosts, jobsPerSharedHost } = result.budgetSizes;
    const budgetRows: Row[] = result.budget.flatMap(({ off, single, shared }) =>
      [single, shared].map((run, i) => [
        i === 0 ? (off === "none" ? "none (all on)" : off) : "",
        run.hosts === 1 ? `1 host x ${run.jobsPerHost}` : `${run.hosts} hosts x ${run.jobsPerHost}`,
        String(run.requests),
        String(run.throttled),
        `${run.succeeded}/${run.hosts * run.jobsPerHost}`,
        String(run.peakPerMinute),
        seconds(run.latenessMs.mean),
        seconds(run.latenessMs.max),
        seconds(run.wallMs, 0),
      ]),
    );
    parts.push(
      `Ablation, budget: one rule switched off in every provider host (GRADIENT_INDEXING_ABLATE); ` +
        `P2's load: 1 host x ${jobs} jobs, ${sharedHosts} hosts x ${jobsPerSharedHost} jobs on one token\n` +
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
