/**
 * `npm run demo`, as the README's quick start runs it (through the Pulumi CLI when one is installed or
 * cached), and `npm run demo -- --real-api --no-cli`, with every known fact of DigitalOcean's API
 * switched on at once, replaying the CLI's calls: both must end the same (each step's operation and
 * failure, and the number of jobs that ran).
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { installedCli } from "./helpers/pulumi-cli";

const DEMO = path.resolve(__dirname, "..", "examples", "demo.js");
const REPO_ROOT = path.resolve(__dirname, "..", "..");

function runDemo(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DEMO, ...args],
      { cwd: REPO_ROOT, timeout: 240_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

function outcomeOf(output: string): unknown {
  const line = output.split("\n").find((l) => l.startsWith("outcome: "));
  assert.ok(line, `the demo printed no outcome:\n${output.slice(-2_000)}`);
  return JSON.parse(line.slice("outcome: ".length));
}

describe("the demo", function () {
  this.timeout(300_000);

  it("runs to the same outcome through the Pulumi CLI and through the replay, with every API fact", async () => {
    // The CLI route when a CLI is installed or cached (in CI, .ci/run built it); the replay of the
    // CLI's calls (lib/engine.ts) with --no-cli, on every API fact at once: the two must agree.
    const cli = installedCli();
    const [plain, real] = await Promise.all([runDemo(), runDemo("--real-api", "--no-cli")]);
    assert.equal(plain.code, 0, plain.output.slice(-2_000));
    assert.equal(real.code, 0, real.output.slice(-2_000));
    if (cli) assert.match(plain.output, /^Through the Pulumi CLI in /m);
    assert.match(real.output, /^--no-cli: the steps replay the CLI's calls/m);
    assert.doesNotMatch(real.output, /Through the Pulumi CLI/);
    const expected = outcomeOf(plain.output);
    assert.deepEqual(outcomeOf(real.output), expected, `with --real-api:\n${real.output.slice(-6_000)}`);
    // The story the README tells: one job for the new knowledge base, a failed step recorded and retried.
    assert.deepEqual((expected as { steps: string[] }).steps, [
      "create",
      "same",
      "replace",
      "replace",
      "replace",
      "replace (failed)",
      "update",
      "replace (failed)",
      "update",
      "replace",
      "delete",
    ]);
    assert.match(real.output, /--real-api/);
  });
});
