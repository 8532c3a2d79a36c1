/**
 * A new knowledge base's database: `CREATING` for a while, then what it provisions to. Only an
 * `ONLINE` one takes indexing jobs; DigitalOcean answers `failed to get db creds` otherwise.
 */
import type { KnowledgeBaseRecord } from "./catalog";
import type { ProvisioningOutcome } from "./types";

export type DatabaseStatus = "CREATING" | ProvisioningOutcome;

export const PROVISIONING_OUTCOMES: readonly ProvisioningOutcome[] = [
  "ONLINE",
  "UNHEALTHY",
  "DECOMMISSIONED",
];

/** Makes the knowledge base new: its database provisions for `ms`, then becomes `outcome`. */
export function provision(
  kb: KnowledgeBaseRecord,
  now: number,
  ms: number,
  outcome: ProvisioningOutcome = "ONLINE",
): void {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`provisioningMs must be >= 0, got ${ms}`);
  assertOutcome(outcome);
  kb.readyAt = now + ms;
  kb.databaseOutcome = outcome;
  // DigitalOcean indexes a knowledge base once created, if its database came up.
  kb.indexOnReady = outcome === "ONLINE";
}

export function assertOutcome(outcome: string): void {
  if (!PROVISIONING_OUTCOMES.some((known) => known === outcome)) {
    throw new RangeError(
      `provisioningOutcome must be one of ${PROVISIONING_OUTCOMES.join(", ")}, got ${outcome}`,
    );
  }
}

export function databaseStatus(kb: KnowledgeBaseRecord, now: number): DatabaseStatus {
  if (kb.readyAt !== undefined && now < kb.readyAt) return "CREATING";
  return kb.databaseOutcome ?? "ONLINE";
}

/** Why the database refuses a start now, if it does. */
export function databaseRefusal(kb: KnowledgeBaseRecord, now: number): string | undefined {
  const status = databaseStatus(kb, now);
  if (status === "ONLINE") return undefined;
  return `failed to get db creds: database is ${status === "CREATING" ? "not ready" : status}`;
}
