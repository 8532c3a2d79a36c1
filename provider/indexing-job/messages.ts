/**
 * What the provider tells the person running `pulumi up`: progress lines while a job runs (printed only
 * when something changed), and failure messages that say which data source failed and why.
 *
 * Lines go to the console: inside a dynamic provider `pulumi.log` falls back to it anyway, and the
 * Pulumi CLI (3.146+) shows a provider's console output as info.
 */
import type { IndexingJob } from "../api/types";
import { consolePrint, shortId, type Print } from "../host/console";
import { describeState, FAILED_DATA_SOURCE_STATUSES, progressOf } from "./job-state";

function progressLine(job: IndexingJob): string {
  const p = progressOf(job);
  const parts = [describeState(job)];
  if (p.dataSourcesTotal !== undefined) parts.push(`${p.dataSourcesDone}/${p.dataSourcesTotal} data sources`);
  if (p.itemsIndexed !== undefined && p.itemsTotal !== undefined)
    parts.push(`${p.itemsIndexed}/${p.itemsTotal} items indexed`);
  else if (p.itemsIndexed) parts.push(`${p.itemsIndexed} items indexed`);
  return `indexing job ${shortId(job.uuid)} of knowledge base ${shortId(job.knowledge_base_uuid)}: ${parts.join(", ")}`;
}

/** The first "still" line after this long without change; each next one twice as late, up to the max. */
const STILL_FIRST_MS = 60_000;
const STILL_MAX_MS = 5 * 60_000;

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ""}` : `${m}m`;
}

/**
 * Prints a progress line whenever phase, data sources done or items indexed changed, and the same line
 * again, marked `no change for …`, after a minute without change, then 2, 4 and every 5 minutes.
 * Why: after a first Ctrl-C the CLI waits for a create with no word of its own, and a job whose
 * data sources report their counts only at the end (as the API does) changes nothing for minutes: the
 * line says the wait goes on.
 */
export class ProgressReporter {
  private last = "";
  private changedAt = 0;
  private printedAt = 0;
  private stillAfterMs = STILL_FIRST_MS;

  constructor(
    private readonly print: Print = consolePrint,
    private readonly now: () => number = Date.now,
  ) {}

  observe(job: IndexingJob): void {
    const line = progressLine(job);
    const now = this.now();
    if (line !== this.last) {
      this.print(line);
      this.last = line;
      this.changedAt = this.printedAt = now;
      this.stillAfterMs = STILL_FIRST_MS;
    } else if (now - this.printedAt >= this.stillAfterMs) {
      this.print(`${line} (no change for ${minutes(now - this.changedAt)})`);
      this.printedAt = now;
      this.stillAfterMs = Math.min(this.stillAfterMs * 2, STILL_MAX_MS);
    }
  }
}

/** Each data source that did not index cleanly, with the API's error message and details. */
export function failedSources(job: IndexingJob): string[] {
  return (job.data_source_jobs ?? [])
    .filter((s) => FAILED_DATA_SOURCE_STATUSES.includes(s.status ?? "") || s.error_msg || s.error_details)
    .map((s) => {
      const status = (s.status ?? "DATA_SOURCE_STATUS_UNKNOWN").replace("DATA_SOURCE_STATUS_", "");
      const why = [s.error_msg, s.error_details].filter(Boolean).join(": ") || "no error message given";
      const counts = s.failed_item_count ? ` (${s.failed_item_count} items failed)` : "";
      return `data source ${s.data_source_uuid ?? "(unknown)"} ${status}${counts}: ${why}`;
    });
}

/** Why a job counts as failed, naming the job, its status and each failed data source. */
export function failureMessage(job: IndexingJob, why: string): string {
  const sources = failedSources(job);
  const lines = [
    `Indexing job ${job.uuid} of knowledge base ${job.knowledge_base_uuid} ${why} (${describeState(job)})`,
    ...sources.map((s) => `  - ${s}`),
  ];
  return lines.join("\n");
}
