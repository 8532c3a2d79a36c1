/**
 * examples/simulator as a user tries the package first: `npm run up` (examples/up.ts) runs it through
 * the real CLI against a simulator, with no plugin but the dynamic provider's.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, type Simulator } from "../../simulator";
import { useCli } from "../helpers/pulumi-cli";
import { starts } from "./state";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const RUNNER = path.join(REPO_ROOT, "dist", "examples", "up.js");

describe("e2e: examples/simulator through `npm run up`", function () {
  this.timeout(120_000);
  const cli = useCli();
  let sim: Simulator;
  let kb: { uuid: string };
  const stackName = `e2e-${process.pid}`;
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "gi-example-"));

  before(async () => {
    sim = await startSimulator({ defaultJobPlan: { pendingMs: 200, durationMs: 1_500 } });
    kb = sim.seedKnowledgeBase({ dataSources: [{ items: 12 }, { items: 8 }] });
  });
  after(async () => {
    await sim?.close();
    fs.rmSync(backend, { recursive: true, force: true });
    fs.rmSync(path.join(REPO_ROOT, "examples", "simulator", `Pulumi.${stackName}.yaml`), { force: true });
  });

  function runUp(...args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [RUNNER, ...args, "--stack", stackName],
        {
          env: {
            ...process.env,
            // The cached CLI, not one that may be on PATH.
            PATH: `${path.join(cli(), "bin")}:${process.env.PATH ?? ""}`,
            DIGITALOCEAN_API_URL: sim.url,
            DIGITALOCEAN_TOKEN: sim.token,
            GRADIENT_KNOWLEDGE_BASE: kb.uuid,
            PULUMI_BACKEND_URL: `file://${backend}`,
          },
          timeout: 100_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
  }

  it("`up` indexes the knowledge base once; `up --docs v2` once more; `destroy` ends it", async () => {
    const up = await runUp("up");
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /\+ {2}pulumi-nodejs:dynamic\/gradient:IndexingJob docs-index created/);
    assert.match(up.output, /status\s+: "INDEX_JOB_STATUS_COMPLETED"/);
    assert.match(up.output, /itemsIndexed: 20/);
    assert.equal(starts(sim).length, 1);

    sim.clearRequests();
    const again = await runUp("up", "--docs", "v2");
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /\+-\s+pulumi-nodejs:dynamic\/gradient:IndexingJob docs-index replaced/);
    assert.equal(starts(sim).length, 1);

    const destroy = await runUp("destroy");
    assert.equal(destroy.code, 0, destroy.output);
    assert.match(destroy.output, /- 2 deleted/);
  });
});
