/**
 * The resource's inputs as the provider receives them (plain JSON from the engine), their validation
 * in `check`, and the settings derived from them.
 */
import {
  API_INPUT_NAMES,
  InputChecks,
  isUnknown,
  isUuid,
  parseDuration,
  type ApiInputs,
  type CheckFailure,
} from "../host/input-checks";
import { checkPollInput, type PollInput } from "./poll-input";

/** Inputs in the engine's wire form. Every field may also be the preview's unknown sentinel. */
export interface IndexingJobInputs extends ApiInputs {
  knowledgeBaseUuid: string;
  dataSourceUuids?: string[];
  triggers?: unknown;
  timeout?: string;
  waitForCompletion?: boolean;
  failOnPartial?: boolean;
  cancelOnInterrupt?: boolean;
  /** Poll timing, for those who need to tune it (see POLL_INPUT_KEYS). */
  poll?: PollInput;
}

/** Inputs resolved to what create and update act on. */
export interface JobSettings {
  knowledgeBaseUuid: string;
  /** Deduplicated, in the order given; empty means all of the knowledge base's data sources. */
  dataSourceUuids: string[];
  timeoutMs: number;
  waitForCompletion: boolean;
  failOnPartial: boolean;
  /** Cancel the job being waited for when the provider is interrupted (SIGINT/SIGTERM). */
  cancelOnInterrupt: boolean;
  poll: PollInput;
}

export const DEFAULT_TIMEOUT = "1h";

export const INPUT_NAMES: readonly (keyof IndexingJobInputs)[] = [
  "knowledgeBaseUuid",
  "dataSourceUuids",
  "triggers",
  "timeout",
  "waitForCompletion",
  "failOnPartial",
  "cancelOnInterrupt",
  "poll",
  ...API_INPUT_NAMES,
];

/**
 * Validates inputs before any API call. Each failure names its property and what is wrong with it.
 * Values not known yet (preview) pass.
 */
export function checkInputs(news: Record<string, unknown>): CheckFailure[] {
  const checks = new InputChecks(news);
  const fail = (property: string, reason: string) => checks.fail(property, reason);
  checks.onlyInputs(INPUT_NAMES, "IndexingJob");
  checks.knowledgeBaseUuid();

  const sources = news.dataSourceUuids;
  if (sources !== undefined && sources !== null && !isUnknown(sources)) {
    if (!Array.isArray(sources)) fail("dataSourceUuids", "must be a list of data source UUIDs");
    else {
      const seen: string[] = [];
      sources.forEach((id: unknown, index) => {
        const property = `dataSourceUuids[${index}]`;
        if (isUnknown(id)) return;
        if (!isUuid(id)) fail(property, `must be a data source UUID, got ${JSON.stringify(id)}`);
        else if (seen.includes(id.toLowerCase())) fail(property, `repeats data source ${id}`);
        else seen.push(id.toLowerCase());
      });
    }
  }

  const timeout = news.timeout;
  if (timeout !== undefined && timeout !== null && !isUnknown(timeout)) {
    const ms = parseDuration(timeout);
    if (ms === undefined)
      fail("timeout", `must be a duration such as "90s", "45m" or "2h", got ${JSON.stringify(timeout)}`);
    else if (ms <= 0) fail("timeout", `must be positive, got ${JSON.stringify(timeout)}`);
  }

  for (const flag of ["waitForCompletion", "failOnPartial", "cancelOnInterrupt"] as const) {
    const value = news[flag];
    if (value !== undefined && value !== null && !isUnknown(value) && typeof value !== "boolean")
      fail(flag, `must be true or false, got ${JSON.stringify(value)}`);
  }
  if (!isUnknown(news.poll)) checks.failures.push(...checkPollInput(news.poll, isUnknown));
  checks.apiInputs();
  return checks.failures;
}

/**
 * The inputs with UUIDs lower-cased, as the API writes them: diff, state and the API's answers then
 * agree on an id typed in capitals. Anything else (unknowns included) is left as it is.
 */
export function normalizedInputs<T extends Record<string, unknown>>(news: T): T {
  const lower = (value: unknown): unknown => (isUuid(value) ? value.toLowerCase() : value);
  const out: Record<string, unknown> = { ...news };
  if ("knowledgeBaseUuid" in news) out.knowledgeBaseUuid = lower(news.knowledgeBaseUuid);
  if (Array.isArray(news.dataSourceUuids)) out.dataSourceUuids = news.dataSourceUuids.map(lower);
  return out as T;
}

/** The settings of checked inputs, defaults applied. */
export function settingsOf(inputs: IndexingJobInputs): JobSettings {
  return {
    knowledgeBaseUuid: inputs.knowledgeBaseUuid,
    dataSourceUuids: dataSourceSet(inputs.dataSourceUuids),
    timeoutMs: parseDuration(inputs.timeout ?? DEFAULT_TIMEOUT) ?? 3_600_000,
    waitForCompletion: inputs.waitForCompletion ?? true,
    failOnPartial: inputs.failOnPartial ?? false,
    cancelOnInterrupt: inputs.cancelOnInterrupt ?? true,
    poll: inputs.poll ?? {},
  };
}

/** Data source ids without repeats (order kept), so that order and duplicates never count as changes. */
export function dataSourceSet(ids: readonly string[] | null | undefined): string[] {
  return [...new Set(ids ?? [])];
}
