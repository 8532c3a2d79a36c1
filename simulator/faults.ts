/** Injected misbehaviours: which request gets one, and the answers and body rewrites they need. */
import { errorAnswer, type Answer } from "./answer";
import type { RateLimitHeaders } from "./ratelimit";
import type { Fault, StartFault } from "./types";

interface ArmedFault {
  fault: Fault;
  remaining: number;
}

/** Faults in injection order; the first one matching a request is used up by it. */
export class FaultQueue {
  #armed: ArmedFault[] = [];

  inject(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new RangeError(`fault times must be > 0, got ${times}`);
    if (fault.kind === "latency" && !(fault.ms >= 0)) throw new RangeError(`latency must be >= 0 ms`);
    if (fault.kind === "rate-limit" && !((fault.resetMs ?? 0) >= 0))
      throw new RangeError(`rate-limit resetMs must be >= 0`);
    this.#armed.push({ fault, remaining: times });
  }

  clear(): void {
    this.#armed = [];
  }

  take(method: string, path: string): Fault | undefined {
    const armed = this.#armed.find(({ fault }) => matches(fault, method, path));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.#armed = this.#armed.filter((candidate) => candidate !== armed);
    return armed.fault;
  }
}

function matches(fault: Fault, method: string, path: string): boolean {
  const match = fault.match;
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  if (typeof match.path === "string") return match.path === path;
  match.path.lastIndex = 0; // a /g or /y RegExp remembers where it stopped
  return match.path.test(path);
}

export const START_FAULTS: readonly StartFault[] = [
  "429",
  "429-retry-after",
  "500",
  "502",
  "503",
  "drop",
  "drop-after",
  "502-after",
  "504-after",
];

/** The fault a `startFaults` entry stands for, matching only the next job start. */
export function startFault(entry: StartFault): Fault {
  const match = { method: "POST", path: "/v2/gen-ai/indexing_jobs" };
  switch (entry) {
    case "429":
      return { match, kind: "rate-limit" };
    case "429-retry-after":
      return { match, kind: "rate-limit", retryAfterOnly: true };
    case "500":
    case "502":
    case "503":
      return { match, kind: "status", status: Number(entry) };
    case "drop":
      return { match, kind: "drop" };
    case "drop-after":
      return { match, kind: "drop-after-processing" };
    case "502-after":
    case "504-after":
      return { match, kind: "status-after-processing", status: Number(entry.slice(0, 3)) };
    default:
      throw new RangeError(
        `startFaults entries must be one of ${START_FAULTS.join(", ")}, got ${String(entry)}`,
      );
  }
}

/**
 * The 429 of a "rate-limit" fault: the limiter's headers saying none remain until `resetMs` from now,
 * or only `Retry-After` (whole seconds, rounded up), as some gateways answer.
 */
export function rateLimitAnswer(
  fault: Extract<Fault, { kind: "rate-limit" }>,
  now: number,
  requestId: string,
  rateHeaders: RateLimitHeaders,
): Answer {
  const resetMs = fault.resetMs ?? 2000;
  const headers: Record<string, string> = fault.retryAfterOnly
    ? { "retry-after": String(Math.ceil(resetMs / 1000)) }
    : {
        ...rateHeaders,
        "ratelimit-remaining": "0",
        "ratelimit-reset": String(Math.ceil((now + resetMs) / 1000)),
      };
  return errorAnswer(429, "API rate limit exceeded.", requestId, headers);
}

const FUTURE_VALUES: [prefix: string, replacement: string][] = [
  ["BATCH_JOB_PHASE_", "BATCH_JOB_PHASE_FUTURE_VALUE"],
  ["INDEX_JOB_STATUS_", "INDEX_JOB_STATUS_FUTURE_VALUE"],
  ["DATA_SOURCE_STATUS_", "DATA_SOURCE_STATUS_FUTURE_VALUE"],
];

/** A copy of a response body where every job phase and status is a value no client knows yet. */
export function withUnknownEnums(value: unknown): unknown {
  if (typeof value === "string") {
    const future = FUTURE_VALUES.find(([prefix]) => value.startsWith(prefix));
    return future ? future[1] : value;
  }
  if (Array.isArray(value)) return value.map(withUnknownEnums);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withUnknownEnums(inner)]));
  }
  return value;
}

/** Cuts a JSON text in half: a prefix of an object or array is never valid JSON. */
export function truncateJson(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}
