/**
 * What the Pulumi CLI does with any dynamic provider, which our design rests on (docs/pulumi-cli.md):
 * `customTimeouts` never reach it, a provider without `update` loses its outputs on an update, and its
 * process gets SIGINT at the end of every run. Checked with trivial dynamic resources, so that a
 * change of Pulumi's behaviour shows here and not only as a puzzling IndexingJob failure.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CliStack, useCli } from "../helpers/pulumi-cli";
import type { StateResource } from "./state";

type Props = Record<string, unknown>;

/** Creates after `waitMs`; records each SIGINT it receives in the file `signals` names. */
const slowProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Props) {
    // Inside the plugin process: require() at run time, as serialized code must.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fsm = require("node:fs") as typeof fs;
    process.on("SIGINT", () => {
      fsm.appendFileSync(String(inputs.signals), `SIGINT ${process.pid}\n`);
      process.exit(130);
    });
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.waitMs)));
    return { id: "slow", outs: { ...inputs, created: true } };
  },
};

/** Has no `update`: the diff asks for one on any change of `value`. */
const noUpdateProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Props) {
    return { id: "no-update", outs: { ...inputs, computed: `from ${String(inputs.value)}` } };
  },
  async diff(_id: string, olds: Props, news: Props) {
    return { changes: olds.value !== news.value };
  },
};

class Slow extends pulumi.dynamic.Resource {
  constructor(name: string, props: Props, opts?: pulumi.CustomResourceOptions) {
    super(slowProvider, name, props, opts, "facts", "Slow");
  }
}

class NoUpdate extends pulumi.dynamic.Resource {
  declare readonly computed: pulumi.Output<string | undefined>;
  constructor(name: string, props: Props) {
    super(noUpdateProvider, name, { ...props, computed: undefined }, undefined, "facts", "NoUpdate");
  }
}

describe("e2e: the CLI's ways with dynamic providers", function () {
  this.timeout(120_000);
  const cli = useCli();
  const signals = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gi-facts-")), "signals");
  const stacks: CliStack[] = [];
  after(() => {
    for (const stack of stacks) stack.dispose();
    fs.rmSync(path.dirname(signals), { recursive: true, force: true });
  });

  it("customTimeouts do not reach a dynamic provider; its process gets SIGINT when the run ends", async () => {
    const stack = await CliStack.create({
      cliDir: cli(),
      projectName: "facts-timeouts",
      program: async () => {
        new Slow("slow", { waitMs: 4_000, signals }, { customTimeouts: { create: "1s" } });
        return {};
      },
    });
    stacks.push(stack);
    const run = await stack.run("up");
    assert.equal(run.exitCode, 0, `a 1 s create timeout did not stop a 4 s create:\n${run.output}`);
    assert.ok(run.ms > 4_000);
    // The plugin got SIGINT after the run, though nothing was interrupted.
    const received = fs.existsSync(signals) ? fs.readFileSync(signals, "utf8") : "";
    assert.match(received, /^SIGINT \d+$/m, "the plugin got no SIGINT at the end of the run");
  });

  it("a provider without `update` loses the outputs it computed when an update runs", async () => {
    let value = "a";
    const stack = await CliStack.create({
      cliDir: cli(),
      projectName: "facts-update",
      program: async () => {
        const resource = new NoUpdate("no-update", { value });
        return { computed: resource.computed };
      },
    });
    stacks.push(stack);
    assert.equal((await stack.run("up")).exitCode, 0);
    assert.equal((await stack.outputs()).computed?.value, "from a");
    value = "b";
    const run = await stack.run("up");
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /1 updated/);
    const resources = (await stack.export()).deployment as { resources: StateResource[] };
    const state = resources.resources.find((r) => r.type === "pulumi-nodejs:dynamic/facts:NoUpdate");
    assert.ok(state);
    assert.equal(state.outputs.computed, undefined, "the update kept the computed output");
    assert.equal(state.outputs.value, undefined, "the update kept the inputs as outputs");
  });
});
