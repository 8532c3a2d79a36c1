/**
 * The example programs, run under Pulumi's mocks with every IndexingJob really executed against the simulator
 * (see helpers/mocked-stack.ts). Each run is a fresh stack: a first deploy.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, type Simulator } from "../simulator";
import type * as Docs from "../examples/basic/docs";
import {
  INDEXING_JOB_TYPE,
  ITEMS_PER_SOURCE,
  exampleModule,
  runExample,
  type StackRun,
} from "./helpers/mocked-stack";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
// The example's own hash, loaded as the example loads it (a static import would load it too early).
const { contentHash, readDocs } = exampleModule<typeof Docs>("basic", "docs.js");
const JOB_STARTS = "/v2/gen-ai/indexing_jobs";

type Props = Record<string, unknown>;

/** A scratch copy of an example's docs folder, to edit without touching the repository. */
function copyDocs(example: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gradient-${example}-docs-`));
  fs.cpSync(path.join(REPO_ROOT, "examples", example, "docs"), dir, { recursive: true });
  return dir;
}

const jobsOf = (run: StackRun) => run.resources.filter((r) => r.type === INDEXING_JOB_TYPE);
const triggersOf = (run: StackRun) => jobsOf(run).map((job) => job.inputs.triggers);

describe("examples, under pulumi.runtime.setMocks with each IndexingJob run against the simulator", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let docsDir: string;

  const starts = () => sim.requests.filter((r) => r.method === "POST" && r.path === JOB_STARTS);

  beforeEach(async () => {
    sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 400 },
    });
  });

  afterEach(async () => {
    await sim.close();
    fs.rmSync(docsDir, { recursive: true, force: true });
  });

  describe("basic", () => {
    const config = () => ({ projectId: "9a1c0b52-3f8e-4d7a-b1c2-5e6f7a8b9c0d", docsDir });

    beforeEach(() => {
      docsDir = copyDocs("basic");
    });

    it("uploads each doc, and indexes the docs data source with one job that completes", async () => {
      const run = await runExample("basic", sim, config());
      const docs = readDocs(docsDir);
      const types = run.resources.map((r) => r.type.split(":").pop());
      assert.equal(types.filter((t) => t === "SpacesBucketObject").length, docs.length);
      for (const t of ["SpacesBucket", "GradientaiKnowledgeBase", "GradientaiKnowledgeBaseDataSource"]) {
        assert.equal(types.filter((x) => x === t).length, 1, t);
      }

      const [job, ...others] = jobsOf(run);
      assert.ok(job && others.length === 0);
      const kb = run.resources.find((r) => r.type.endsWith(":GradientaiKnowledgeBase"));
      const source = run.resources.find((r) => r.type.endsWith(":GradientaiKnowledgeBaseDataSource"));
      assert.deepEqual(job.inputs.dataSourceUuids, [source?.id]);
      assert.deepEqual(job.inputs.triggers, { docs: contentHash(docs) });
      // The serialized provider loads the package by name at run time, as for users.
      assert.ok(String(job.inputs.__provider).includes('"pulumi-gradient-indexing/handlers"'));

      assert.equal(starts().length, 1, "one indexing job per IndexingJob");
      assert.match(run.printed, /indexing job \w{8}… of knowledge base \w{8}…: SUCCEEDED\/COMPLETED/);
      assert.deepEqual(starts()[0]?.body, { knowledge_base_uuid: kb?.id, data_source_uuids: [source?.id] });
      const simJob = sim.jobs()[0];
      assert.deepEqual(run.outputs, {
        knowledgeBaseUuid: kb?.id,
        docsDataSourceUuid: source?.id,
        docsContentHash: contentHash(docs),
        indexingJobUuid: simJob?.uuid,
        indexingStatus: "INDEX_JOB_STATUS_COMPLETED",
        itemsIndexed: ITEMS_PER_SOURCE,
      });
    });

    it("keeps the triggers hash across runs, and changes it when a doc changes", async () => {
      const first = triggersOf(await runExample("basic", sim, config()));
      const again = triggersOf(await runExample("basic", sim, config()));
      assert.deepEqual(again, first);

      fs.appendFileSync(path.join(docsDir, "faq.md"), "\n**Is there a free tier?** Yes.\n");
      const edited = await runExample("basic", sim, config());
      assert.notDeepEqual(triggersOf(edited), first);
      assert.equal(edited.outputs.docsContentHash, contentHash(readDocs(docsDir)));
      assert.equal(starts().length, 3, "one job per run");
    });
  });

  describe("multi-kb", () => {
    const config = () => ({ projectId: "9a1c0b52-3f8e-4d7a-b1c2-5e6f7a8b9c0d", docsDir });
    const folders = ["api", "handbook", "support"];

    beforeEach(() => {
      docsDir = copyDocs("multi-kb");
    });

    it("indexes each folder's knowledge base, all its data sources, with a job of its own", async () => {
      const run = await runExample("multi-kb", sim, config());
      const kbs = run.resources.filter((r) => r.type.endsWith(":GradientaiKnowledgeBase"));
      assert.deepEqual(kbs.map((kb) => kb.name).sort(), folders);
      assert.equal(jobsOf(run).length, folders.length);
      assert.equal(starts().length, folders.length, "one indexing job per IndexingJob");
      const started = starts().map((r) => r.body as Props);
      assert.deepEqual(started.map((body) => body.knowledge_base_uuid).sort(), kbs.map((kb) => kb.id).sort());
      for (const body of started) assert.deepEqual(body.data_source_uuids, []);

      const outputs = run.outputs.knowledgeBases as Record<string, Props>;
      assert.deepEqual(Object.keys(outputs), folders);
      for (const folder of folders) {
        const kb = kbs.find((r) => r.name === folder);
        const job = sim.jobs().find((j) => j.knowledge_base_uuid === kb?.id);
        assert.deepEqual(outputs[folder], {
          knowledgeBaseUuid: kb?.id,
          docsContentHash: contentHash(readDocs(path.join(docsDir, folder))),
          indexingJobUuid: job?.uuid,
          indexingStatus: "INDEX_JOB_STATUS_COMPLETED",
        });
      }
    });

    it("changes only the trigger of the knowledge base whose folder changed", async () => {
      const before = await runExample("multi-kb", sim, config());
      fs.appendFileSync(path.join(docsDir, "api", "rate-limits.md"), "\nBursts of 10 requests are fine.\n");
      const after = await runExample("multi-kb", sim, config());
      const byName = (run: StackRun) =>
        Object.fromEntries(jobsOf(run).map((job) => [job.name, job.inputs.triggers]));
      const [old, now] = [byName(before), byName(after)];
      assert.notDeepEqual(now["api-indexing"], old["api-indexing"]);
      assert.deepEqual(now["handbook-indexing"], old["handbook-indexing"]);
      assert.deepEqual(now["support-indexing"], old["support-indexing"]);
    });
  });
});
