/**
 * Every way a project may install the package where the code does not sit under `node_modules`: from a
 * directory (`npm install ../dir`, a `file:../dir` dependency), `npm link`, a workspace. Each layout is
 * built as npm builds it (links), in a fresh directory; the program side loads the package from the
 * project, serializes the provider as `pulumi.dynamic.Resource` does, and Pulumi's host runs it with
 * the project as its working directory. No --preserve-symlinks: Node resolves the links as it does for
 * users, so the serializer sees code outside node_modules. (The tarball install is test/package.test.ts.)
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type * as Closure from "@pulumi/pulumi/runtime/closure/serializeClosure";
import type * as Package from "../provider";
import { IndexingJobProvider as LocalProvider } from "../provider";
import { startSimulator, type Simulator } from "../simulator";
import { HostError, ProviderHost, secret, serializeProvider } from "./helpers/host";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const MAX_PROVIDER_BYTES = 10 * 1024;
const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };
const PACKAGE = "pulumi-gradient-indexing";

interface Layout {
  name: string;
  /** Builds the layout under `root`; returns the project directory (where Pulumi runs the program). */
  build(root: string): string;
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at, "dir");
}

/** A project directory with @pulumi/pulumi installed (linked to this repository's copy, to save an install). */
function project(dir: string, withPulumi = true): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: path.basename(dir), main: "index.js" }),
  );
  if (withPulumi)
    link(path.join(REPO_ROOT, "node_modules", "@pulumi"), path.join(dir, "node_modules", "@pulumi"));
  return dir;
}

const LAYOUTS: Layout[] = [
  {
    name: "npm install ../dir (or a file:../dir dependency)",
    build: (root) => {
      const dir = project(path.join(root, "app"));
      link(REPO_ROOT, path.join(dir, "node_modules", PACKAGE));
      return dir;
    },
  },
  {
    name: "npm link",
    build: (root) => {
      // `npm link` in the checkout links the global prefix to it; `npm link <pkg>` in the project links
      // the project to the global prefix.
      const global = path.join(root, "prefix", "lib", "node_modules", PACKAGE);
      link(REPO_ROOT, global);
      const dir = project(path.join(root, "app"));
      link(global, path.join(dir, "node_modules", PACKAGE));
      return dir;
    },
  },
  {
    name: "a workspace (package hoisted to the workspace root, program in packages/app)",
    build: (root) => {
      fs.writeFileSync(
        path.join(root, "package.json"),
        JSON.stringify({ name: "monorepo", private: true, workspaces: ["packages/*"] }),
      );
      link(REPO_ROOT, path.join(root, "packages", PACKAGE));
      link(path.join("..", "packages", PACKAGE), path.join(root, "node_modules", PACKAGE));
      link(path.join(REPO_ROOT, "node_modules", "@pulumi"), path.join(root, "node_modules", "@pulumi"));
      return project(path.join(root, "packages", "app"), false);
    },
  },
];

describe("installed from a directory, a link or a workspace", function () {
  this.timeout(60_000);

  it("where the package is not installed, says so instead of failing obscurely", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-not-installed-"));
    const text = await serializeProvider(new LocalProvider());
    const host = await ProviderHost.start({ cwd: empty });
    try {
      const error = await host
        .create({ __provider: text, knowledgeBaseUuid: "11111111-1111-4111-8111-111111111111" })
        .catch((e: unknown) => e);
      assert.ok(error instanceof HostError, String(error));
      assert.match(
        error.message,
        /could not load .* is pulumi-gradient-indexing installed in this Pulumi project/,
      );
    } finally {
      await host.stop();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  for (const layout of LAYOUTS) {
    describe(layout.name, () => {
      let root: string;
      let dir: string;
      let text: string;
      let sim: Simulator;
      let host: ProviderHost | undefined;
      const started = (): ProviderHost => {
        assert.ok(host, "the host did not start");
        return host;
      };

      before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-install-"));
        dir = layout.build(root);
        const fromProject = createRequire(path.join(dir, "index.js"));
        const resolved = fs.realpathSync(fromProject.resolve(PACKAGE));
        assert.ok(!resolved.split(path.sep).includes("node_modules"), `${resolved} is under node_modules`);
        const { IndexingJobProvider } = fromProject(PACKAGE) as typeof Package;
        const { serializeFunction } = fromProject(
          "@pulumi/pulumi/runtime/closure/serializeClosure",
        ) as typeof Closure;
        const provider = new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 6_000 });
        text = (await serializeFunction(() => provider, { allowSecrets: true })).text;

        sim = await startSimulator({
          rateLimitPerMinute: 0,
          defaultJobPlan: { pendingMs: 100, durationMs: 400 },
        });
        host = await ProviderHost.start({
          cwd: dir,
          // The project's own @pulumi/pulumi, wherever node resolution finds it (a workspace hoists it).
          hostScript: path.join(
            path.dirname(fromProject.resolve("@pulumi/pulumi/package.json")),
            "cmd",
            "dynamic-provider",
            "index.js",
          ),
        });
        await started().configure({
          "digitalocean:token": secret(sim.token),
          "digitalocean:apiEndpoint": sim.url,
        });
      });

      after(async () => {
        await host?.stop();
        await sim?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
      });

      it("serializes the provider under 10 KB, without the library's code or a path of this machine", () => {
        const bytes = Buffer.byteLength(text);
        console.log(`      serialized __provider: ${bytes} bytes`);
        assert.ok(bytes < MAX_PROVIDER_BYTES, `__provider is ${bytes} bytes`);
        for (const libraryCode of ["waitForJob", "GradientClient", "startIndexingJob"]) {
          assert.ok(!text.includes(libraryCode), `the library's ${libraryCode} was captured`);
        }
        for (const local of [REPO_ROOT, root, os.tmpdir()]) assert.ok(!text.includes(local), local);
      });

      it("a failed create arrives with its error text and the job as partial state", async () => {
        const kb = sim.seedKnowledgeBase({ dataSources: [{ items: 3 }] });
        sim.planNextJob(kb.uuid, { outcome: "failed" });
        const error = await started()
          .create({ __provider: text, knowledgeBaseUuid: kb.uuid })
          .catch((e: unknown) => e);
        assert.ok(error instanceof HostError, String(error));
        const job = sim.jobs().find((j) => j.knowledge_base_uuid === kb.uuid);
        assert.match(error.message, new RegExp(`Indexing job ${job?.uuid} .* failed \\(FAILED/FAILED\\)`));
        assert.equal(error.initFailure?.id, job?.uuid);
        assert.equal(error.initFailure?.properties.status, "INDEX_JOB_STATUS_FAILED");
        assert.equal(error.initFailure?.properties.knowledgeBaseUuid, kb.uuid);
        assert.equal(error.initFailure?.properties.__provider, text);
      });

      it("a timed-out create arrives with its error text and the running job as partial state", async () => {
        const kb = sim.seedKnowledgeBase();
        sim.planNextJob(kb.uuid, { durationMs: 5_000 });
        const error = await started()
          .create({ __provider: text, knowledgeBaseUuid: kb.uuid, timeout: "1s" })
          .catch((e: unknown) => e);
        assert.ok(error instanceof HostError, String(error));
        assert.match(error.message, /did not finish within 1s/);
        const job = sim.jobs().find((j) => j.knowledge_base_uuid === kb.uuid);
        assert.equal(error.initFailure?.id, job?.uuid);
        assert.equal(error.initFailure?.properties.phase, "BATCH_JOB_PHASE_RUNNING");
        assert.equal(error.initFailure?.properties.__provider, text);
      });
    });
  }
});
