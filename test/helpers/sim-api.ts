/**
 * Calls to the simulated API with its token, as @pulumi/digitalocean, the control panel or another
 * stack makes them: what the tests do beside the provider.
 */
import * as assert from "node:assert/strict";
import type { Simulator } from "../../simulator";

export interface SimAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function callApi(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<SimAnswer> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as SimAnswer["body"],
  };
}

/** Someone else's job (another stack, the control panel), started straight through the API. */
export async function startOthersJob(
  sim: Simulator,
  kbUuid: string,
  dataSourceUuids: string[] = [],
): Promise<string> {
  const answer = await callApi(sim, "POST", "/v2/gen-ai/indexing_jobs", {
    knowledge_base_uuid: kbUuid,
    data_source_uuids: dataSourceUuids,
  });
  assert.equal(answer.status, 200, "the other job did not start");
  return String((answer.body.job as { uuid: string }).uuid);
}
