/** The command line's flags for the job plan, the server and the seeded knowledge base. */
import { duration, integer, oneOf, type Flag } from "./cli-values";
import type { JobOutcome, ProgressShape } from "./types";

const OUTCOMES: readonly JobOutcome[] = ["succeeded", "no_changes", "partial", "failed", "error"];
const PROGRESS: readonly ProgressShape[] = ["steady", "erratic"];

/** The job plan, the server and the seeded data; `--help` lists them in this order. */
export const BASE_FLAGS: Record<string, Flag> = {
  port: {
    type: "string",
    value: "N",
    help: "port on 127.0.0.1 (default 0: any free port)",
    apply: (s, v) => (s.port = integer("--port", v, 0, 65535)),
  },
  token: {
    type: "string",
    value: "T",
    help: "bearer token requests must carry (default: derived from --id-seed)",
    apply: (s, v) => (s.token = v),
  },
  "id-seed": {
    type: "string",
    value: "TEXT",
    help: 'seed of the token and the seeded knowledge base\'s UUIDs: same seed, same ids after a restart (default "demo")',
    apply: (s, v) => (s.idSeed = v),
  },
  "job-duration": {
    type: "string",
    value: "DURATION",
    help: 'how long a job runs, e.g. "30s", "2m" (default 3s)',
    apply: (s, v) => (s.plan.durationMs = duration("--job-duration", v)),
  },
  pending: {
    type: "string",
    value: "DURATION",
    help: "how long a job stays pending before it runs (default 500ms)",
    apply: (s, v) => (s.plan.pendingMs = duration("--pending", v)),
  },
  outcome: {
    type: "string",
    value: OUTCOMES.join("|"),
    help: "how every job ends (default succeeded)",
    apply: (s, v) => (s.plan.outcome = oneOf("--outcome", v, OUTCOMES)),
  },
  progress: {
    type: "string",
    value: PROGRESS.join("|"),
    help: "how item counts grow: linearly, or stalling and jumping (default steady)",
    apply: (s, v) => (s.plan.progress = oneOf("--progress", v, PROGRESS)),
  },
  "rate-limit": {
    type: "string",
    value: "N",
    help: "requests per token per minute; 0 disables (default 250, as the API)",
    apply: (s, v) => (s.options.rateLimitPerMinute = integer("--rate-limit", v, 0, Number.MAX_SAFE_INTEGER)),
  },
  provisioning: {
    type: "string",
    value: "DURATION",
    help: "knowledge bases created through the API provision this long (database CREATING), refusing starts, then index themselves (default: ready at once)",
    apply: (s, v) => (s.options.provisioningMs = duration("--provisioning", v)),
  },
  "conflict-status": {
    type: "string",
    value: "STATUS",
    help: 'status refusing a start on a busy knowledge base ("already has an indexing job running"; default 400)',
    apply: (s, v) => (s.options.concurrentStartStatus = integer("--conflict-status", v, 400, 599)),
  },
  seed: {
    type: "boolean",
    help: "create a knowledge base with two data sources (the default)",
    apply: (s) => (s.seedKnowledgeBase = true),
  },
  "no-seed": {
    type: "boolean",
    help: "start empty",
    apply: (s) => (s.seedKnowledgeBase = false),
  },
};
