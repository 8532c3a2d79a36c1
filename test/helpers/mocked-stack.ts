/**
 * Runs an example program in this process under `pulumi.runtime.setMocks`. DigitalOcean resources are mocked,
 * backed by the simulator: a knowledge base or data source the program declares is seeded there, and its mock
 * id is the simulator's UUID. Each IndexingJob really runs: the mock loads the `__provider` text it receives
 * as the dynamic-provider host does (`requireFromString(text).handler()`), configures it with the simulator's
 * token and URL, and calls its check and create.
 *
 * The examples are compiled with the rest of the repository (tsconfig.json includes `examples/*\/*.ts`, and
 * its `paths` maps `pulumi-gradient-indexing` to `provider/index.ts` for types). At run time that import
 * resolves through `node_modules/pulumi-gradient-indexing`, the link installedPackage() makes, which is also
 * where the serialized provider, loaded here from its text, finds the package by name at run time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";
import type { IndexingJobProviderOptions } from "../../provider";
import type { DataSourceSeed, Simulator } from "../../simulator";
import { installedPackage } from "./installed";

export const INDEXING_JOB_TYPE = "pulumi-nodejs:dynamic/gradient:IndexingJob";
const KNOWLEDGE_BASE_TYPE = "digitalocean:index/gradientaiKnowledgeBase:GradientaiKnowledgeBase";
const DATA_SOURCE_TYPE =
  "digitalocean:index/gradientaiKnowledgeBaseDataSource:GradientaiKnowledgeBaseDataSource";

/** Poll timing for the tests: the default waits seconds before the first poll, and timing is not tested here. */
const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };

/** Files the simulator gives each data source the mocks create. */
export const ITEMS_PER_SOURCE = 10;

// dist/test/helpers -> repo root.
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

type Props = Record<string, unknown>;

export interface MockedResource {
  type: string;
  name: string;
  id: string;
  inputs: Props;
  state: Props;
}

export interface StackRun {
  /** The stack outputs (the program's exports), resolved. */
  outputs: Props;
  /** Every resource the program registered, in registration order. */
  resources: MockedResource[];
  /** What the run printed (the IndexingJobs' progress lines), kept off the test output. */
  printed: string;
}

/** Runs `examples/<example>` once, as a fresh stack, with `config` (keys without the project prefix). */
export async function runExample(
  example: string,
  sim: Simulator,
  config: Record<string, string>,
): Promise<StackRun> {
  installedPackage(); // makes the node_modules link the compiled example's import resolves through
  const project = projectName(example);
  const resources: MockedResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    call: (args) => {
      throw new Error(`unexpected invoke ${args.token}`);
    },
    newResource: async (args) => {
      const inputs = args.inputs as Props;
      const { id, state } = await mockResource(sim, args.type, args.name, inputs);
      resources.push({ type: args.type, name: args.name, id, inputs, state });
      return { id, state };
    },
  };
  await pulumi.runtime.setMocks(mocks, project, "dev", false);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`${project}:${key}`, value])),
  );
  const program = path.join(REPO_ROOT, "dist", "examples", example, "index.js");
  delete require.cache[program]; // a program's top-level code declares the resources: run it afresh
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
  try {
    const outputs = await pulumi.runtime.runInPulumiStack(async () =>
      exampleModule<Props>(example, "index.js"),
    );
    await pulumi.runtime.disconnect(); // every registration answered before the next run
    return { outputs: outputs ?? {}, resources, printed: printed.join("\n") };
  } finally {
    console.log = log;
  }
}

/**
 * Requires a module of a compiled example. The example's package.json goes beside its compiled code first,
 * making that folder a package of its own as it is for users: otherwise this repository's package.json would
 * make `require("pulumi-gradient-indexing")` a self-reference, to dist/provider instead of through
 * node_modules, and the provider would be serialized by value. Node caches where a folder's package is, so
 * nothing in the folder may be required before this.
 */
export function exampleModule<T>(example: string, file: string): T {
  const dir = path.join(REPO_ROOT, "dist", "examples", example);
  fs.copyFileSync(path.join(REPO_ROOT, "examples", example, "package.json"), path.join(dir, "package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, file)) as T;
}

function projectName(example: string): string {
  const yaml = fs.readFileSync(path.join(REPO_ROOT, "examples", example, "Pulumi.yaml"), "utf8");
  const name = /^name:\s*(\S+)/m.exec(yaml)?.[1];
  if (!name) throw new Error(`examples/${example}/Pulumi.yaml has no name`);
  return name;
}

async function mockResource(
  sim: Simulator,
  type: string,
  name: string,
  inputs: Props,
): Promise<{ id: string; state: Props }> {
  switch (type) {
    case INDEXING_JOB_TYPE:
      return runIndexingJob(sim, inputs);
    case KNOWLEDGE_BASE_TYPE: {
      const kb = sim.seedKnowledgeBase({
        name: String(inputs.name ?? name),
        dataSources: inlineDataSources(inputs.datasources),
      });
      return { id: kb.uuid, state: { ...inputs, createdAt: new Date().toISOString() } };
    }
    case DATA_SOURCE_TYPE: {
      const seed = spacesSeed(inputs.spacesDataSource);
      return { id: sim.addDataSource(String(inputs.knowledgeBaseUuid), seed), state: inputs };
    }
    default:
      // Buckets are named by Pulumi's autonaming when the program gives no name.
      return { id: `${name}-id`, state: { name: `${name}-4f2a9c1`, ...inputs } };
  }
}

/** The seeds of a knowledge base's inline `datasources`: one per Spaces or web crawler source. */
function inlineDataSources(datasources: unknown): DataSourceSeed[] {
  const seeds: DataSourceSeed[] = [];
  for (const entry of Array.isArray(datasources) ? (datasources as Props[]) : []) {
    for (const spaces of asArray(entry.spacesDataSources)) seeds.push(spacesSeed(spaces));
    seeds.push(...asArray(entry.webCrawlerDataSources).map(() => ({ items: ITEMS_PER_SOURCE })));
  }
  return seeds;
}

function spacesSeed(source: unknown): DataSourceSeed {
  const spaces = (source ?? {}) as Props;
  return {
    items: ITEMS_PER_SOURCE,
    ...(typeof spaces.bucketName === "string" && { bucketName: spaces.bucketName }),
    ...(typeof spaces.itemPath === "string" && { itemPath: spaces.itemPath }),
  };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** What the dynamic-provider host does with an IndexingJob's registration: load, configure, check, create. */
async function runIndexingJob(sim: Simulator, inputs: Props): Promise<{ id: string; state: Props }> {
  const text = inputs.__provider;
  if (typeof text !== "string") throw new Error("an IndexingJob was registered without __provider");
  const { handler } = requireFromString(text) as { handler(): pulumi.dynamic.ResourceProvider };
  const provider = handler();
  const tunable = provider as { options?: IndexingJobProviderOptions };
  tunable.options = { ...tunable.options, poll: FAST_POLL };
  const config: Record<string, string> = {
    "digitalocean:token": sim.token,
    "digitalocean:apiEndpoint": sim.url,
  };
  const get = (key: string) => config[key];
  await provider.configure?.({ config: { get, require: (key) => get(key) ?? "" } });
  const checked = (await provider.check?.({}, inputs)) ?? { inputs };
  if (checked.failures?.length) {
    throw new Error(`check failed: ${checked.failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
  }
  const { id, outs } = await provider.create(checked.inputs ?? inputs);
  return { id, state: (outs ?? {}) as Props };
}
