/**
 * What both resources check the same way before any API call: the preview's unknown values, UUIDs,
 * durations, input names, and the inputs that say how to reach the API (`token`, `apiEndpoint`,
 * `requestsPerMinute`). Each failure names its property.
 */

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The inputs of both resources that say how to reach the API, over the stack's config. */
export interface ApiInputs {
  /** A DigitalOcean API token for this resource only: kept in the state as a secret. */
  token?: string;
  /** The API's base URL for this resource. */
  apiEndpoint?: string;
  /** Requests a minute this process may send with this resource's token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

export const API_INPUT_NAMES: readonly (keyof ApiInputs)[] = ["token", "apiEndpoint", "requestsPerMinute"];

/** The value Pulumi sends for an input not known yet during a preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const isUnknown = (value: unknown): boolean => value === UNKNOWN;
const absent = (value: unknown): boolean => value === undefined || value === null;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The API's limit a minute per token. */
const API_REQUESTS_PER_MINUTE = 250;

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration such as `"90s"`, `"45m"`, `"2h"` or `"1h30m"` in milliseconds; a bare number is seconds.
 * Undefined when the text is not a duration.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let total = 0;
  let consumed = "";
  for (const [part, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
    consumed += part;
  }
  return consumed === text && Number.isFinite(total) ? total : undefined;
}

/** Checks of one resource's inputs, each failure pushed with its property. */
export class InputChecks {
  readonly failures: CheckFailure[] = [];
  constructor(private readonly news: Record<string, unknown>) {}

  fail(property: string, reason: string): void {
    this.failures.push({ property, reason });
  }

  /** Every name is one of `names` (or the provider's own `__provider`). */
  onlyInputs(names: readonly string[], resource: string): void {
    for (const name of Object.keys(this.news))
      if (!names.includes(name) && name !== "__provider") this.fail(name, `is not an input of ${resource}`);
  }

  /** A required knowledge base UUID. */
  knowledgeBaseUuid(): void {
    const kb = this.news.knowledgeBaseUuid;
    if (absent(kb) || kb === "") this.fail("knowledgeBaseUuid", "is required");
    else if (!isUnknown(kb) && !isUuid(kb))
      this.fail("knowledgeBaseUuid", `must be a knowledge base UUID, got ${JSON.stringify(kb)}`);
  }

  /** `token`, `apiEndpoint`, `requestsPerMinute`, when given. */
  apiInputs(): void {
    const { token, apiEndpoint, requestsPerMinute } = this.news;
    if (!absent(token) && !isUnknown(token) && (typeof token !== "string" || token.trim() === ""))
      this.fail("token", "must be a DigitalOcean API token (a non-empty string)");
    if (!absent(apiEndpoint) && !isUnknown(apiEndpoint) && !isHttpUrl(apiEndpoint))
      this.fail("apiEndpoint", `must be an http(s) URL, got ${JSON.stringify(apiEndpoint)}`);
    const rpm = requestsPerMinute;
    if (!absent(rpm) && !isUnknown(rpm)) {
      if (typeof rpm !== "number" || !Number.isInteger(rpm) || rpm < 1 || rpm > API_REQUESTS_PER_MINUTE)
        this.fail(
          "requestsPerMinute",
          `must be a whole number from 1 to ${API_REQUESTS_PER_MINUTE} (the API's limit), got ${JSON.stringify(rpm)}`,
        );
    }
  }
}

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
