/**
 * The API token under the real CLI: given as secret stack config (`pulumi config set --secret
 * digitalocean:token`) or as the resource's `token` input, it must appear nowhere a user or a state
 * file shows it: not in what the CLI prints, not in `pulumi stack export`, not in the stored provider
 * (`__provider`), not in any file of the backend.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, type Simulator } from "../../simulator";
import { installedPackage } from "../helpers/installed";
import { CliStack, useCli } from "../helpers/pulumi-cli";
import { jobResources, starts } from "./state";

const { IndexingJob } = installedPackage();

const POLL = { firstDelayMs: 1_000, maxDelayMs: 1_000 };

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
    if (!entry.isFile()) return [];
    const file = path.join(entry.parentPath, entry.name);
    return [{ file, text: fs.readFileSync(file, "latin1") }];
  });
}

describe("e2e: the token never shows under the CLI", function () {
  this.timeout(120_000);
  const cli = useCli();
  let sim: Simulator;
  let kb: { uuid: string };
  const stacks: CliStack[] = [];

  before(async () => {
    sim = await startSimulator({ defaultJobPlan: { pendingMs: 200, durationMs: 1_000 } });
    kb = sim.seedKnowledgeBase({ dataSources: [{ items: 10 }] });
  });
  after(async () => {
    for (const stack of stacks) stack.dispose();
    await sim?.close();
  });

  const ways = [
    {
      name: "`pulumi config set --secret digitalocean:token`",
      config: (s: Simulator) => ({
        "digitalocean:apiEndpoint": { value: s.url },
        "digitalocean:token": { value: s.token, secret: true },
      }),
      token: undefined as string | undefined,
    },
    {
      name: "the resource's `token` input (a plain string in the program)",
      config: (s: Simulator) => ({ "digitalocean:apiEndpoint": { value: s.url } }),
      token: "input",
    },
  ];

  for (const way of ways) {
    it(`given as ${way.name}`, async () => {
      const stack = await CliStack.create({
        cliDir: cli(),
        stackName: way.token ? "input" : "config",
        program: async () => {
          const job = new IndexingJob("secret-index", {
            knowledgeBaseUuid: kb.uuid,
            poll: POLL,
            ...(way.token && { token: sim.token }),
          });
          return { status: job.status };
        },
        config: way.config(sim),
      });
      stacks.push(stack);
      sim.clearRequests();
      const printed: string[] = [];
      for (const command of ["preview", "up"] as const) {
        const run = await stack.run(command, { diff: true });
        assert.equal(run.exitCode, 0, run.output);
        printed.push(run.output);
      }
      // The token was used: the job started with it (the simulator refuses any other).
      assert.equal(starts(sim).length, 1);
      const exported = await stack.export();
      const [resource] = jobResources(exported);
      assert.ok(resource, "the IndexingJob is in the state");
      assert.equal(typeof resource.inputs.__provider, "string", "the stored provider is in the export");

      const places = [
        { where: "the CLI's output", text: printed.join("\n") },
        { where: "`pulumi stack export`", text: JSON.stringify(exported) },
        { where: "the stored provider", text: String(resource.inputs.__provider) },
        ...filesUnder(path.join(stack.root, "backend")).map((f) => ({ where: f.file, text: f.text })),
        ...filesUnder(stack.workDir).map((f) => ({ where: f.file, text: f.text })),
      ];
      for (const { where, text } of places)
        assert.ok(!text.includes(sim.token), `the token shows in ${where}`);
      if (way.token) {
        // An input token is kept, as a secret: the export holds its ciphertext.
        assert.match(JSON.stringify(resource.inputs.token), /4dabf18193072939515e22adb298388d/);
      }
      const destroy = await stack.run("destroy", { diff: true });
      assert.equal(destroy.exitCode, 0, destroy.output);
      assert.ok(!destroy.output.includes(sim.token), "the token shows in destroy's output");
    });
  }
});
