/**
 * `npm run up -- [up|preview|refresh|destroy] [--docs VERSION]`: runs examples/simulator through the
 * real Pulumi CLI against the local API simulator, and prints what the CLI prints, as is.
 *
 * Why not `pulumi up` in examples/simulator: the CLI needs its Node language host to start a nodejs
 * program, and that host cannot be built here (docs/pulumi-cli.md). So the program runs through the
 * Automation API's inline programs, in this process, while the CLI (built by scripts/pulumi-cli.sh, or
 * found on PATH) is the engine: the plan, the provider plugin, the output and the state are the CLI's.
 *
 * Defaults match `npm run simulator -- --port 8787`: its URL, token and seeded knowledge base. Set
 * DIGITALOCEAN_API_URL, DIGITALOCEAN_TOKEN and GRADIENT_KNOWLEDGE_BASE for another simulator (or the
 * real API). The stack `dev` lives in examples/simulator/.pulumi (a local backend; passphrase `demo`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace, PulumiCommand, type PulumiFn } from "@pulumi/pulumi/automation";
import { stableIds } from "../simulator/stable-ids";
import { ensureCli, installedCli, placePlugin } from "../test/helpers/pulumi-cli";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const PROJECT_DIR = path.join(REPO_ROOT, "examples", "simulator");
// The compiled program: dist/examples/simulator/index.js.
const PROGRAM = path.join(__dirname, "simulator", "index.js");
const COMMANDS = ["up", "preview", "refresh", "destroy"] as const;
type Command = (typeof COMMANDS)[number];

/** The CLI's folder (holding bin/pulumi): PATH's `pulumi` if there is one, else the cache, else built now. */
function findCli(): string {
  const found = installedCli();
  if (found) return found;
  console.log("No Pulumi CLI on PATH or in the cache: building it from source (scripts/pulumi-cli.sh)…");
  return ensureCli();
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { docs: { type: "string" }, stack: { type: "string", default: "dev" } },
  });
  const command = (positionals[0] ?? "up") as Command;
  if (!COMMANDS.includes(command))
    throw new Error(`usage: npm run up -- [${COMMANDS.join("|")}] [--docs VERSION]`);

  // The package as the program imports it, by name (as the stored provider does in the plugin).
  const link = path.join(REPO_ROOT, "node_modules", "pulumi-gradient-indexing");
  if (!fs.existsSync(link)) fs.symlinkSync("..", link, "dir");
  const cliDir = findCli();
  placePlugin(cliDir);

  const demo = stableIds("demo");
  const token = process.env.DIGITALOCEAN_TOKEN ?? demo.token;
  const apiUrl = process.env.DIGITALOCEAN_API_URL ?? "http://127.0.0.1:8787";
  const knowledgeBase = process.env.GRADIENT_KNOWLEDGE_BASE ?? demo.uuid();
  const backend = process.env.PULUMI_BACKEND_URL ?? `file://${path.join(PROJECT_DIR, ".pulumi")}`;
  if (backend.startsWith("file://")) fs.mkdirSync(backend.slice("file://".length), { recursive: true });

  // The program as `pulumi up` would run index.ts: loaded afresh on each run, its exports the outputs.
  const program: PulumiFn = async () => {
    delete require.cache[PROGRAM];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(PROGRAM) as Record<string, unknown>;
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: values.stack, projectName: "gradient-indexing-simulator", program },
    {
      workDir: PROJECT_DIR,
      pulumiCommand: await PulumiCommand.get({ root: cliDir, skipVersionCheck: true }),
      envVars: {
        PULUMI_BACKEND_URL: backend,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "demo",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      },
    },
  );
  await stack.setAllConfig({
    "digitalocean:apiEndpoint": { value: apiUrl },
    "digitalocean:token": { value: token, secret: true },
    knowledgeBaseUuid: { value: knowledgeBase },
    ...(values.docs && { docsVersion: { value: values.docs } }),
  });

  const options = {
    color: process.stdout.isTTY ? ("always" as const) : ("never" as const),
    onOutput: (text: string) => process.stdout.write(text),
    onError: (text: string) => process.stderr.write(text),
  };
  if (command === "up") await stack.up(options);
  else if (command === "preview") await stack.preview(options);
  else if (command === "refresh") await stack.refresh(options);
  else await stack.destroy(options);
}

main().catch((error: unknown) => {
  // A failed command: the CLI already printed why; the Automation API's error repeats it all.
  const message = error instanceof Error ? error.message : String(error);
  console.error(/exit code|code: /.test(message) ? "pulumi failed (its output is above)" : message);
  process.exit(1);
});
