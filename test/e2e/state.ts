/** What the e2e tests read from `pulumi stack export` and from the simulator's request log. */
import type { Deployment } from "@pulumi/pulumi/automation";
import type { RequestLogEntry, Simulator } from "../../simulator";

export const JOB_TYPE = "pulumi-nodejs:dynamic/gradient:IndexingJob";

export interface StateResource {
  urn: string;
  type: string;
  id: string;
  outputs: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

interface PendingOperation {
  type: string;
  resource: StateResource;
}

function deploymentOf(exported: Deployment): {
  resources?: StateResource[];
  pending_operations?: PendingOperation[];
} {
  return exported.deployment as { resources?: StateResource[]; pending_operations?: PendingOperation[] };
}

/** The stack's IndexingJobs, as `pulumi stack export` shows them. */
export function jobResources(exported: Deployment): StateResource[] {
  return (deploymentOf(exported).resources ?? []).filter((r) => r.type === JOB_TYPE);
}

/** Operations the CLI left pending (an interrupted create: `creating`). */
export function pendingOperations(exported: Deployment): { type: string; urn: string }[] {
  return (deploymentOf(exported).pending_operations ?? []).map((op) => ({
    type: op.type,
    urn: op.resource.urn,
  }));
}

/** Every request since the last clearRequests(), as "METHOD path". */
export function apiCalls(sim: Simulator): string[] {
  return sim.requests.map((r) => `${r.method} ${r.path}`);
}

/** Job starts. */
export function starts(sim: Simulator): RequestLogEntry[] {
  return sim.requests.filter((r) => r.method === "POST" && r.path === "/v2/gen-ai/indexing_jobs");
}

/** Job cancels. */
export function cancels(sim: Simulator): RequestLogEntry[] {
  return sim.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/cancel"));
}
