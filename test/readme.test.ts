/**
 * Every ```ts block of the README and of docs/, type-checked as a user would paste it into a Pulumi TypeScript project
 * (`pulumi new typescript`'s compiler options: strict, CommonJS), against the built package: a sample that
 * names something undefined, uses top-level `await`, or no longer matches the package's types fails here.
 * Each block is a whole program of its own; there is no way to mark one as not compiled.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const TSC = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

/** `pulumi new typescript`'s tsconfig (plus skipLibCheck: the samples are checked, not the dependencies). */
const PULUMI_COMPILER_OPTIONS = {
  strict: true,
  outDir: "bin",
  target: "es2020",
  module: "commonjs",
  moduleResolution: "node",
  sourceMap: true,
  experimentalDecorators: true,
  noFallthroughCasesInSwitch: true,
  noImplicitReturns: true,
  forceConsistentCasingInFileNames: true,
  skipLibCheck: true,
  // Each block is a program of its own, even one without import or export.
  moduleDetection: "force",
  noEmit: true,
};

interface Block {
  /** The markdown file, relative to the repository. */
  file: string;
  /** Line of the opening fence in the markdown, 1-based. */
  line: number;
  code: string;
}

function tsBlocks(markdown: string, file = "README.md"): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? "")) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i] ?? "")) body.push(lines[i] ?? "");
    blocks.push({ file, line: start + 1, code: `${body.join("\n")}\n` });
  }
  return blocks;
}

/**
 * Type-checks the blocks in a throwaway project whose node_modules holds this package (the repository, so
 * its built `dist/` and `exports`) and the repository's @pulumi and @types packages. Returns tsc's errors,
 * each prefixed with the README line of its block's fence.
 */
function typeCheck(blocks: Block[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradient-readme-"));
  try {
    const modules = path.join(dir, "node_modules");
    fs.mkdirSync(modules);
    fs.symlinkSync(REPO_ROOT, path.join(modules, "pulumi-gradient-indexing"), "dir");
    for (const scope of ["@pulumi", "@types"]) {
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules", scope), path.join(modules, scope), "dir");
    }
    const files = blocks.map((block, index) => {
      const name = `block-${index}.ts`;
      fs.writeFileSync(path.join(dir, name), block.code);
      return name;
    });
    const tsconfig = { compilerOptions: PULUMI_COMPILER_OPTIONS, files };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const result = spawnSync(process.execPath, [TSC, "-p", ".", "--pretty", "false"], {
      cwd: dir,
      encoding: "utf8",
    });
    if (result.status === 0) return [];
    const errors = result.stdout.split("\n").filter((l) => l.includes("error TS"));
    if (errors.length === 0) throw new Error(`tsc failed without errors:\n${result.stderr}${result.stdout}`);
    return errors.map((e) =>
      e.replace(/^block-(\d+)\.ts\((\d+),(\d+)\)/, (_, index: string, line: string, column: string) => {
        const block = blocks[Number(index)];
        return `${block?.file} block at line ${block?.line}, line ${line}:${column}`;
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("README and docs samples", function () {
  this.timeout(120_000);

  it("every ts block of README.md and docs/ compiles as a strict CommonJS Pulumi program against the built package", () => {
    const markdown = ["README.md", ...fs.readdirSync(path.join(REPO_ROOT, "docs")).map((f) => `docs/${f}`)];
    const blocks = markdown
      .filter((file) => file.endsWith(".md"))
      .flatMap((file) => tsBlocks(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"), file));
    assert.ok(blocks.filter((b) => b.file === "README.md").length >= 3, "too few README ts blocks found");
    assert.deepEqual(typeCheck(blocks), []);
  });

  it("would catch an undefined name, top-level await, and a wrong type", () => {
    const markdown = [
      "```ts",
      'import { IndexingJob } from "pulumi-gradient-indexing";',
      'new IndexingJob("a", { knowledgeBaseUuid: kb.id });',
      "```",
      "```ts",
      'import { startSimulator } from "pulumi-gradient-indexing/simulator";',
      "const sim = await startSimulator();",
      "```",
      "```typescript",
      'import { IndexingJob } from "pulumi-gradient-indexing";',
      'const n: number = new IndexingJob("b", { knowledgeBaseUuid: "x" }).totalItemsIndexed;',
      "```",
    ].join("\n");
    const errors = typeCheck(tsBlocks(markdown)).join("\n");
    assert.match(errors, /block at line 1, line 2:.*TS2304: Cannot find name 'kb'/);
    assert.match(errors, /block at line 5, line 2:.*TS1378/);
    assert.match(errors, /block at line 9, line 2:.*TS2322/);
  });
});
