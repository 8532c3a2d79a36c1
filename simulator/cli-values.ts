/** What the command line's flags decide, and how their values are read. */
import { parseDuration } from "../provider/host/input-checks";
import type { JobPlan, SimulatorOptions } from "./types";

export interface Settings {
  port: number;
  token?: string;
  idSeed: string;
  seedKnowledgeBase: boolean;
  options: SimulatorOptions;
  plan: Partial<JobPlan>;
}

export interface Flag {
  type: "string" | "boolean";
  /** Placeholder of the value in `--help`; string flags only. */
  value?: string;
  short?: string;
  help: string;
  /** Applied before every other flag wherever it stands, so that any other flag overrides it. */
  first?: boolean;
  apply(settings: Settings, value: string): void;
}

export function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

export function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0)
    throw new Error(`${flag} must be a duration such as "30s", got ${JSON.stringify(text)}`);
  return ms;
}

/** A duration with an optional sign: "2s", "+2s", "-3s". */
export function signedDuration(flag: string, text: string): number {
  const trimmed = text.trim();
  const sign = trimmed.startsWith("-") ? -1 : 1;
  const ms = parseDuration(trimmed.replace(/^[+-]/, ""));
  if (ms === undefined)
    throw new Error(`${flag} must be a duration such as "2s" or "-3s", got ${JSON.stringify(text)}`);
  return sign * ms;
}

export function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === text);
  if (found === undefined)
    throw new Error(`${flag} must be one of ${allowed.join(", ")}, got ${JSON.stringify(text)}`);
  return found;
}

/** A comma-separated list of allowed values; "" or "none" is the empty list. */
export function listOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "none") return [];
  return trimmed.split(",").map((entry) => oneOf(flag, entry.trim(), allowed));
}

export function nonEmpty(flag: string, text: string): string {
  if (text.trim() === "") throw new Error(`${flag} must not be empty`);
  return text;
}
