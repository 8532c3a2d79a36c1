/**
 * The demo's transcript: a header per step, what Pulumi would show, what the provider printed, and the
 * API calls the step made. UUIDs are shortened to their first 8 characters, as the provider's own lines do.
 */
import type { RequestLogEntry } from "../../simulator";
import type { Operation, ResourceState, StepResult } from "./engine";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const RESOURCE = "pulumi-nodejs:dynamic/gradient:IndexingJob docs-indexing";
const SYMBOLS: Record<Operation, string> = {
  create: "+ ",
  update: "~ ",
  replace: "+-",
  same: "  ",
  delete: "- ",
};

export const print = (line = ""): void => console.log(line);

export function short(text: string): string {
  return text.replace(UUID, (uuid) => `${uuid.slice(0, 8)}…`);
}

export function header(step: number, title: string, story: string[]): void {
  print();
  print(`── ${step}. ${title} ${"─".repeat(Math.max(3, 72 - title.length))}`);
  for (const line of story) print(`   ${line}`);
}

/** The line Pulumi's update display shows for the resource. */
export function operation(command: string, result: StepResult): void {
  const what = result.operation === "same" ? "unchanged" : result.operation;
  const diff = result.because?.length ? `  [diff: ${result.because.map((k) => `~${k}`).join(", ")}]` : "";
  const retry = result.retry ? "  (retried: the last deployment left it with an error)" : "";
  print();
  print(`   $ ${command}`);
  print(`     ${SYMBOLS[result.operation]} ${RESOURCE}  ${what}${diff}${retry}`);
}

/**
 * What the Pulumi CLI printed for a step, as is but for the "@ updating...." lines its display adds
 * every second when the output is not a terminal.
 */
export function cliOutput(command: string, text: string): void {
  print();
  print(`   $ ${command}`);
  for (const line of text.trimEnd().split("\n")) {
    if (/^@ (updating|destroying|previewing)/.test(line)) continue;
    print(`     │ ${line}`);
  }
}

export function providerOutput(text: string): void {
  for (const line of text.split("\n").filter((l) => l.trim() !== "")) print(`        │ ${short(line)}`);
}

export function failure(message: string): void {
  const [first, ...rest] = short(message).split("\n");
  print(`     error: ${first}`);
  for (const line of rest) print(`            ${line}`);
}

/** The resource as the stack's state now holds it. */
export function state(current: ResourceState | undefined): void {
  if (!current) return print("     state: no IndexingJob");
  const o = current.outputs;
  const phase = `${String(o.phase ?? "").replace("BATCH_JOB_PHASE_", "")}/${String(o.status ?? "").replace("INDEX_JOB_STATUS_", "")}`;
  const count = o.totalItemsIndexed;
  const items = typeof count === "number" ? `, ${count} item${count === 1 ? "" : "s"} indexed` : "";
  const error = current.initErrors ? " (recorded with its error)" : "";
  print(`     state: job ${short(String(o.uuid))} ${phase}${items}${error}`);
}

/** The step's API calls, repeated polls folded into one line. */
export function apiCalls(requests: readonly RequestLogEntry[], seconds: number): void {
  const count = requests.length === 0 ? "none" : `${requests.length}`;
  print(`     API calls (${count} in ${seconds.toFixed(1)} s)${requests.length === 0 ? "" : ":"}`);
  const lines = requests.map((r) => {
    const body = r.method === "POST" || r.method === "PUT" ? `  ${short(JSON.stringify(r.body ?? {}))}` : "";
    return `${r.method.padEnd(4)} ${short(r.path)} → ${r.status}${body}`;
  });
  for (let i = 0; i < lines.length;) {
    let n = 1;
    while (lines[i + n] === lines[i]) n++;
    print(`       ${lines[i]}${n > 1 ? `  ×${n}` : ""}`);
    i += n;
  }
}
