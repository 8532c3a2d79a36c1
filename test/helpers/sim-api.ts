/**
 * Calls to the simulated API with its token, as @pulumi/digitalocean, the control panel or another
 * stack makes them: what the tests do beside the provider.
 */
import * as assert from "node:assert/strict";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../simulator";
import { ManualClock } from "../../simulator/manual-clock";

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

/**
 * A simulator on a manual clock for one describe block: `begin` starts a fresh one (closing the last),
 * `api` calls it, and it is closed after each test.
 */
export function manualSimulator(): {
  begin(options?: SimulatorOptions): Promise<Simulator>;
  api(method: string, path: string, body?: unknown): Promise<SimAnswer>;
  readonly clock: ManualClock;
  readonly sim: Simulator | undefined;
} {
  let clock = new ManualClock();
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  return {
    async begin(options = {}) {
      await sim?.close();
      clock = new ManualClock();
      sim = await startSimulator({ clock, ...options });
      return sim;
    },
    api(method, path, body) {
      assert.ok(sim, "begin() first");
      return callApi(sim, method, path, body);
    },
    get clock() {
      return clock;
    },
    get sim() {
      return sim;
    },
  };
}
