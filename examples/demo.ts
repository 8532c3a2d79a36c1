/**
 * `npm run demo`: the IndexingJob of examples/basic through a deployment's life, offline, with no
 * DigitalOcean account: the DigitalOcean API is the local simulator. With a Pulumi CLI on PATH or in the
 * cache (`npm run pulumi:build`), each step is a real `pulumi up` or `pulumi destroy` on a local backend
 * (lib/cli-engine.ts), its output shown as the CLI printed it. Without one, every provider call goes
 * through Pulumi's own dynamic-provider host (from @pulumi/pulumi), in the order `pulumi up` makes them
 * (lib/engine.ts). `--no-cli` takes that route even with a CLI.
 *
 * The knowledge base and its data sources are what examples/basic declares: the first deploy creates them
 * through the API as @pulumi/digitalocean does, and the new knowledge base behaves as on DigitalOcean (its
 * database provisions, then it indexes itself). Each later step changes the IndexingJob's inputs as editing
 * that program would.
 */
import * as path from "node:path";
import { REAL_API_PRESET, startSimulator, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "../test/helpers/host";
import { installedPackage } from "../test/helpers/installed";
import { contentHash, readDocs, type Doc } from "./basic/docs";
import { installedCli } from "../test/helpers/pulumi-cli";
import { CliEngine } from "./lib/cli-engine";
import { MiniEngine, type ResourceState, type StepResult } from "./lib/engine";
import * as show from "./lib/transcript";

const DOCS_DIR = path.resolve(__dirname, "..", "..", "examples", "basic", "docs");
// Polls more often than the default, to show progress in jobs that last seconds here.
const DEMO_POLL = { firstDelayMs: 1_000, minDelayMs: 500, maxDelayMs: 1_000 };

type Props = Record<string, unknown>;

/** What the basic example's program would declare; each step edits it. */
interface Program {
  docs: Doc[];
  dataSourceUuids: string[];
  timeout: string;
  waitForCompletion?: boolean;
}

/** What each step ended as, and how many jobs ran: the same with and without `--real-api`. */
const outcome: { steps: string[]; jobs?: number } = { steps: [] };

async function main(): Promise<void> {
  // `--real-api`: every fact known of DigitalOcean's API at once (lag, late cancels, outages while
  // starting, skewed clocks, undocumented statuses...); the demo must end the same.
  const realApi = process.argv.includes("--real-api");
  // A new knowledge base's database provisions for seconds here (minutes on DigitalOcean).
  const sim = await startSimulator({
    ...(realApi && REAL_API_PRESET),
    defaultJobPlan: { pendingMs: 400, durationMs: 2_500 },
    provisioningMs: 4_000,
  });
  if (realApi) show.print("--real-api: the simulator shows every known fact of DigitalOcean's API at once.");
  const noCli = process.argv.includes("--no-cli");
  const cliDir = noCli ? undefined : installedCli();
  const host = await ProviderHost.start();
  const cli = cliDir ? await CliEngine.start(cliDir, sim) : undefined;
  if (cli) show.print(`Through the Pulumi CLI in ${cliDir}: each step is a real pulumi up or destroy.`);
  else
    show.print(
      `${noCli ? "--no-cli" : "No Pulumi CLI on PATH or in the cache (npm run pulumi:build)"}: the steps replay the CLI's calls through its dynamic-provider host.`,
    );
  try {
    await run(sim, host, cli);
  } finally {
    cli?.dispose();
    await host.stop();
    await sim.close();
  }
}

/** What the steps need of an engine: the real CLI (CliEngine) or the replay (MiniEngine). */
interface Engine {
  readonly state: ResourceState | undefined;
  up(news: Props): Promise<StepResult>;
  destroy(): Promise<StepResult>;
}

async function run(sim: Simulator, host: ProviderHost, cli: CliEngine | undefined): Promise<void> {
  const program: Program = { docs: readDocs(DOCS_DIR), dataSourceUuids: [], timeout: "30m" };
  const kb = { uuid: "" };
  // The provider as a user's program serializes it: from node_modules, so it require()s the package.
  const { IndexingJobProvider } = installedPackage();
  const provider = await serializeProvider(new IndexingJobProvider({ poll: DEMO_POLL }));
  await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
  const engine: Engine = cli ?? new MiniEngine(host);

  const inputs = (): Props => ({
    __provider: provider,
    knowledgeBaseUuid: kb.uuid,
    dataSourceUuids: program.dataSourceUuids,
    triggers: { docs: contentHash(program.docs) },
    timeout: program.timeout,
    ...(program.waitForCompletion !== undefined && { waitForCompletion: program.waitForCompletion }),
  });

  let number = 0;
  /** One step: a header and story, the command, then what Pulumi, the provider and the API showed. */
  async function step(title: string, story: string[], command: string, act: () => Promise<StepResult>) {
    show.header(++number, title, story);
    host.clearOutput();
    const seen = sim.requests.length;
    const started = Date.now();
    const result = await act();
    outcome.steps.push(`${result.operation}${result.error ? " (failed)" : ""}`);
    if (cli) {
      show.cliOutput(command, cli.output);
    } else {
      show.operation(command, result);
      show.providerOutput(host.output());
      if (result.error) show.failure(result.error);
    }
    show.state(engine.state);
    show.apiCalls(sim.requests.slice(seen), (Date.now() - started) / 1000);
  }
  const editDoc = (name: string, addition: string) => {
    const before = contentHash(program.docs);
    program.docs = program.docs.map((d) => (d.name === name ? { ...d, content: d.content + addition } : d));
    return `docs/${name} edited: triggers.docs ${before.slice(0, 8)}… → ${contentHash(program.docs).slice(0, 8)}…`;
  };

  show.print("Gradient indexing demo: the IndexingJob of examples/basic, deployed, changed and destroyed.");
  show.print(
    cli
      ? "The DigitalOcean API is a local simulator; the Pulumi CLI runs the program and the provider."
      : "The DigitalOcean API is a local simulator; Pulumi's dynamic-provider host runs the provider.",
  );
  show.print(
    cli
      ? "Each step: what changed, what the Pulumi CLI printed (│), the state, and the API calls."
      : "Each step: what changed, what `pulumi up` shows, the provider's own lines (│), and the API calls.",
  );
  show.print("Simulated jobs take seconds; real ones take minutes.");
  show.print();
  show.print(`   simulator        ${sim.url}`);
  show.print(
    `   knowledge base   created by the first deploy (a crawled site, and docs/ of a Spaces bucket)`,
  );
  show.print(`   indexed          the docs/ data source`);
  show.print(`   docs             ${program.docs.map((d) => d.name).join(", ")}`);
  show.print(
    `   __provider       ${(provider.length / 1024).toFixed(1)} KB of serialized code that require()s`,
  );
  show.print(`                    pulumi-gradient-indexing/handlers (what Pulumi stores in the state)`);

  await step(
    "First deploy",
    [
      "A new stack: @pulumi/digitalocean creates the knowledge base and its docs/ data source, then Pulumi",
      "creates the IndexingJob. The new knowledge base's database provisions (starts are refused meanwhile),",
      "then DigitalOcean indexes it on its own: the IndexingJob takes that job as its run. One job, not two.",
    ],
    "pulumi up",
    async () => {
      const created = await createKnowledgeBase(sim);
      kb.uuid = created.uuid;
      program.dataSourceUuids = [created.docsSource];
      return engine.up(inputs());
    },
  );
  show.print(`     knowledge base ${kb.uuid}, data source ${program.dataSourceUuids[0]} (docs/)`);

  await step(
    "Unchanged deploy",
    ["Nothing changed. Diff compares the inputs without calling the API: no new job."],
    "pulumi up",
    () => engine.up(inputs()),
  );

  const faqEdit = editDoc("faq.md", "\n**Is there a free tier?** Yes, for small projects.\n");
  await step(
    "A doc edited",
    [
      faqEdit,
      "A new content hash replaces the IndexingJob: a new indexing job runs. Then Pulumi deletes the",
      "replaced IndexingJob, whose job had finished: Delete only looks it up.",
    ],
    "pulumi up",
    () => engine.up(inputs()),
  );

  const faqSource = sim.addDataSource(kb.uuid, { bucketName: "docs-4f2a9c1", itemPath: "faq/", items: 2 });
  program.dataSourceUuids = [...program.dataSourceUuids, faqSource];
  await step(
    "A data source added",
    [
      `A second data source (the bucket's faq/ folder, ${show.short(faqSource)}) joins dataSourceUuids:`,
      "a new job indexes both.",
    ],
    "pulumi up",
    () => engine.up(inputs()),
  );

  sim.planNextJob(kb.uuid, { durationMs: 4_000 });
  const others = await apiCall(sim, "POST", "/v2/gen-ai/indexing_jobs", { knowledge_base_uuid: kb.uuid });
  const busyEdit = editDoc("faq.md", "\n**Where are the logs?** Under Settings → Logs.\n");
  await step(
    "The knowledge base is busy",
    [
      busyEdit,
      `Meanwhile someone reindexes the whole knowledge base (job ${show.short(others.job?.uuid ?? "")}).`,
      "That job began before this deploy, so it may have missed the edit: the IndexingJob waits for it to",
      "end, then runs its own.",
    ],
    "pulumi up",
    () => engine.up(inputs()),
  );

  sim.planNextJob(kb.uuid, { durationMs: 5_000 });
  const slowEdit = editDoc(
    "deploying.md",
    "\nUse `acme deploy --canary` to try a release on 5% of traffic.\n",
  );
  program.timeout = "2s";
  await step(
    "A deploy that times out",
    [
      slowEdit,
      "This time indexing takes longer than `timeout` (2s here). The deploy fails, the job keeps running,",
      "and Pulumi records it in the state with the error.",
    ],
    "pulumi up",
    () => engine.up(inputs()),
  );

  program.timeout = "30m";
  await step(
    "The next deploy resumes",
    [
      "`timeout` back to 30m. The recorded job still runs: the provider waits for that same job instead",
      "of starting another. Then Pulumi deletes the IndexingJob the failed deploy was replacing.",
    ],
    "pulumi up",
    () => engine.up(inputs()),
  );

  sim.planNextJob(kb.uuid, { outcome: "failed", failingDataSources: [faqSource] });
  const failEdit = editDoc("getting-started.md", "\nOn Windows, run `acme init --wsl`.\n");
  await step(
    "A job that fails",
    [failEdit, "The faq/ data source fails to index: the deploy fails, naming it; the job is recorded."],
    "pulumi up",
    () => engine.up(inputs()),
  );

  await step(
    "The next deploy retries",
    [
      "Nothing changed, but the recorded job failed: the provider starts a new one. Then Pulumi deletes",
      "the IndexingJob the failed deploy was replacing.",
    ],
    "pulumi up",
    () => engine.up(inputs()),
  );

  sim.planNextJob(kb.uuid, { durationMs: 60_000 });
  const lastEdit = editDoc("faq.md", "\n**Can I export my data?** Yes: `acme export`.\n");
  program.waitForCompletion = false;
  await step(
    "A deploy that does not wait",
    [lastEdit, "With waitForCompletion: false the deploy ends once the job started; the job runs on."],
    "pulumi up",
    () => engine.up(inputs()),
  );

  const running = String(engine.state?.outputs.uuid);
  await step(
    "Destroy while the job runs",
    ["`pulumi destroy` deletes the IndexingJob: the provider cancels the job, which still runs."],
    "pulumi destroy",
    () => engine.destroy(),
  );
  // The API may take a few seconds to turn a cancelled job CANCELLED.
  for (let i = 0; i < 50 && /PENDING|RUNNING/.test(sim.job(running)?.phase ?? ""); i++)
    await new Promise((r) => setTimeout(r, 200));
  show.print(`     the job: ${show.short(running)} ${sim.job(running)?.phase ?? "unknown"}`);
  outcome.jobs = sim.jobs().length;

  show.print();
  show.print(
    `Done: ${sim.jobs().length} indexing jobs, ${sim.requests.length} API calls, all against the simulator.`,
  );
  show.print(`outcome: ${JSON.stringify(outcome)}`);
}

/** A call to the simulated API with its token, as @pulumi/digitalocean or the control panel would make it. */
async function apiCall(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, { uuid?: string } | undefined>> {
  const answer = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!answer.ok) throw new Error(`${method} ${path}: HTTP ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as Record<string, { uuid?: string } | undefined>;
}

/** What examples/basic's GradientaiKnowledgeBase and GradientaiKnowledgeBaseDataSource do at creation. */
async function createKnowledgeBase(sim: Simulator): Promise<{ uuid: string; docsSource: string }> {
  const created = await apiCall(sim, "POST", "/v2/gen-ai/knowledge_bases", {
    name: "gradient-indexing-basic-dev",
    region: "tor1",
    embedding_model_uuid: "22653204-79ed-11ef-bf8f-4e013e2ddde4",
    datasources: [
      { web_crawler_data_source: { base_url: "https://docs.example.com/", crawling_option: "PATH" } },
    ],
  });
  const uuid = created.knowledge_base?.uuid ?? "";
  const source = await apiCall(sim, "POST", `/v2/gen-ai/knowledge_bases/${uuid}/data_sources`, {
    knowledge_base_uuid: uuid,
    spaces_data_source: { bucket_name: "docs-4f2a9c1", item_path: "docs/", region: "tor1" },
  });
  return { uuid, docsSource: source.knowledge_base_data_source?.uuid ?? "" };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
