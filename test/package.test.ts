/**
 * The package as users get it: `npm pack`, installed from the tarball into a fresh Pulumi TypeScript project
 * that brings its own @pulumi/pulumi (the peer dependency), type-checked there, and an IndexingJob provider
 * serialized and run through that project's own dynamic-provider host.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type * as Closure from "@pulumi/pulumi/runtime/closure/serializeClosure";
import type * as Package from "../provider";
import type * as SimulatorModule from "../simulator";
import { HostError, ProviderHost, secret } from "./helpers/host";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const MAX_PROVIDER_BYTES = 10 * 1024;
const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };

interface PackResult {
  filename: string;
  files: { path: string }[];
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

function devVersion(name: string): string {
  const json = fs.readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8");
  return (JSON.parse(json) as { version: string }).version;
}

/** A Pulumi TypeScript project as `pulumi new typescript` makes it, with the package added. */
function writeProject(dir: string, tarball: string): void {
  fs.mkdirSync(dir);
  const files: Record<string, unknown> = {
    "Pulumi.yaml": "name: user-project\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    "package.json": {
      name: "user-project",
      main: "index.ts",
      dependencies: { "@pulumi/pulumi": "3.248.0", "pulumi-gradient-indexing": `file:${tarball}` },
      devDependencies: { typescript: devVersion("typescript"), "@types/node": devVersion("@types/node") },
    },
    "tsconfig.json": {
      compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        skipLibCheck: true,
      },
      files: ["index.ts"],
    },
    "index.ts": [
      'import { IndexingJob } from "pulumi-gradient-indexing";',
      'import type { Simulator } from "pulumi-gradient-indexing/simulator";',
      'const job = new IndexingJob("docs", { knowledgeBaseUuid: "kb", triggers: { docs: "sha" }, timeout: "10m" });',
      "export const status = job.status;",
      "export const simulatorUrl: Simulator['url'] | undefined = undefined;",
      "",
    ].join("\n"),
  };
  for (const [name, content] of Object.entries(files)) {
    const text = typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`;
    fs.writeFileSync(path.join(dir, name), text);
  }
}

describe("the packed package, installed into a fresh Pulumi TypeScript project", function () {
  this.timeout(180_000);
  let tmp: string;
  let project: string;
  let packed: string[];

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-package-"));
    const [pack] = JSON.parse(
      run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", tmp], REPO_ROOT),
    ) as PackResult[];
    assert.ok(pack);
    packed = pack.files.map((f) => f.path);
    project = path.join(tmp, "project");
    writeProject(project, path.join(tmp, pack.filename));
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project);
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("ships the built library, its types, the simulator, the README, the CHANGELOG and the LICENSE; no tests, examples or bench", () => {
    for (const file of [
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "dist/provider/index.js",
      "dist/provider/index.d.ts",
      "dist/provider/indexing-job/lifecycle.js",
      "dist/provider/entry.js",
      "dist/provider/stored-paths/handlers.js",
      "dist/simulator/index.js",
      "dist/simulator/index.d.ts",
      "dist/simulator/cli.js",
    ]) {
      assert.ok(packed.includes(file), `${file} is missing from the tarball`);
    }
    const strays = packed.filter((f) => /^(dist\/)?(test|examples|bench)\//.test(f) || f.endsWith(".ts.map"));
    assert.deepEqual(strays, []);
    // Fixed, not filtered by what was packed: a file missing or added outside dist/ fails here.
    assert.deepEqual(
      packed.filter((f) => !f.startsWith("dist/provider/") && !f.startsWith("dist/simulator/")).sort(),
      ["CHANGELOG.md", "LICENSE", "README.md", "package.json"],
    );
  });

  it("type-checks a program against the shipped types, with Pulumi's default tsconfig", () => {
    run(
      process.execPath,
      [path.join(project, "node_modules", "typescript", "bin", "tsc"), "--noEmit"],
      project,
    );
  });

  it("loads neither ky nor fetch for check and diff of either resource, all that a preview runs", () => {
    // Through the stable entry that stored providers require, in a process of its own. Node lists the
    // built-in modules it loaded; fetch's (undici) loads with ky, which probes Request when loaded.
    // Loading the client afterwards shows that the probe sees both.
    const script = `
      const seen = () => ({
        fetch: process.moduleLoadList.some((m) => m.includes("undici")),
        ky: Object.keys(require.cache).some((file) => /[\\\\/]ky[\\\\/]/.test(file)),
      });
      const { indexingJob, indexingSchedule } = require("pulumi-gradient-indexing/handlers");
      (async () => {
        const kb = "123e4567-e89b-12d3-a456-426614174000";
        const job = await indexingJob.check({}, { knowledgeBaseUuid: kb });
        await indexingJob.diff("job", job.inputs, { ...job.inputs, triggers: { v: 2 } });
        const schedule = await indexingSchedule.check({}, { knowledgeBaseUuid: kb, time: "02:00" });
        await indexingSchedule.diff("schedule", schedule.inputs, { ...schedule.inputs, time: "03:00" });
        const afterPreview = seen();
        require("pulumi-gradient-indexing/client");
        console.log(JSON.stringify({ afterPreview, afterClient: seen() }));
      })();`;
    const out = JSON.parse(run(process.execPath, ["-e", script], project)) as Record<string, unknown>;
    assert.deepEqual(out, {
      afterPreview: { fetch: false, ky: false },
      afterClient: { fetch: true, ky: true },
    });
  });

  it("serializes under 10 KB, and runs through the project's own host, failures included", async () => {
    const fromProject = createRequire(path.join(project, "index.js"));
    const { IndexingJobProvider } = fromProject("pulumi-gradient-indexing") as typeof Package;
    const { startSimulator } = fromProject("pulumi-gradient-indexing/simulator") as typeof SimulatorModule;
    const { serializeFunction } = fromProject(
      "@pulumi/pulumi/runtime/closure/serializeClosure",
    ) as typeof Closure;

    const provider = new IndexingJobProvider({ poll: FAST_POLL });
    const text = (await serializeFunction(() => provider, { allowSecrets: true })).text;
    // The provider's code is loaded by the package's name at run time, never captured.
    assert.ok(text.includes('"pulumi-gradient-indexing/handlers"'));
    // The one stable entry, never a path into dist/ that a later layout would have to keep.
    assert.doesNotMatch(text, /pulumi-gradient-indexing\/dist\//);
    assert.ok(!text.includes("waitForJob"), "the library's code was captured");
    const bytes = Buffer.byteLength(text);
    console.log(`      serialized __provider: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KB)`);
    assert.ok(bytes < MAX_PROVIDER_BYTES, `__provider is ${bytes} bytes`);

    const sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 400 },
    });
    const host = await ProviderHost.start({
      cwd: project,
      hostScript: path.join(
        project,
        "node_modules",
        "@pulumi",
        "pulumi",
        "cmd",
        "dynamic-provider",
        "index.js",
      ),
    });
    try {
      const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 4 }] });
      await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
      const news = { __provider: text, knowledgeBaseUuid: kb.uuid, triggers: { docs: "sha" } };
      const { inputs, failures } = await host.check({}, news);
      assert.deepEqual(failures, []);
      const { id, outs } = await host.create(inputs);
      assert.equal(id, sim.jobs()[0]?.uuid);
      assert.equal(outs.status, "INDEX_JOB_STATUS_COMPLETED");
      assert.equal(outs.totalItemsIndexed, 4);
      await host.waitForOutput(/SUCCEEDED\/COMPLETED, 1\/1 data sources, 4\/4 items indexed/);

      sim.planNextJob(kb.uuid, { outcome: "failed" });
      const failed = await host.create(inputs).catch((e: unknown) => e);
      assert.ok(failed instanceof HostError, String(failed));
      assert.match(failed.message, /failed \(FAILED\/FAILED\)/);
      assert.equal(failed.initFailure?.properties.__provider, text);
      assert.equal(failed.initFailure?.id, sim.jobs().find((j) => j.uuid !== id)?.uuid);
    } finally {
      await host.stop();
      await sim.close();
    }
  });
});
