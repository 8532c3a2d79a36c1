/**
 * P4: the size of `__provider`, the serialized provider Pulumi stores with every IndexingJob, when the
 * package is installed from its packed tarball, as users get it. Serialized by that install's own
 * `@pulumi/pulumi`, exactly as `pulumi.dynamic.Resource` does.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "./process";
import { renderTable } from "./table";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const PULUMI = "@pulumi/pulumi@3.248.0";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TYPESCRIPT = `typescript@${(require("typescript/package.json") as { version: string }).version}`;
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund"];
const SIZE_LIMIT_BYTES = 10 * 1024;

/** Runs inside the temporary project, so that every `require` resolves to the installed package. */
const MEASURE = `
const { IndexingJobProvider } = require("pulumi-gradient-indexing");
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
const provider = new IndexingJobProvider();
serializeFunction(() => provider, { allowSecrets: true }).then(
  (result) => {
    const byName = result.text.includes('"pulumi-gradient-indexing/handlers"');
    console.log(JSON.stringify({ bytes: Buffer.byteLength(result.text), byName }));
  },
  (error) => console.log(JSON.stringify({ error: String(error.message).split("\\n").slice(0, 8).join(" ") })),
);
`;

/** One serialization: its size and whether it loads the library by name at run time, or why it failed. */
export interface Serialized {
  bytes?: number;
  byName?: boolean;
  error?: string;
}

export interface P4Result {
  pass: boolean;
  tarballBytes: number;
  /** A JavaScript project: no `typescript`, so Pulumi parses closures with its vendored TypeScript 3.8. */
  javascript: Serialized;
  /** A TypeScript project (`typescript` installed, as `pulumi new typescript` does). */
  typescript: Serialized;
  /** Installed from a directory (`npm install <dir>`: a link to a folder outside node_modules). */
  directory: Serialized;
}

export async function runP4(options: { log: (line: string) => void }): Promise<P4Result> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gradient-bench-p4-"));
  try {
    const tarball = await pack(dir, options.log);
    const project = path.join(dir, "project");
    await fs.mkdir(project);
    await fs.writeFile(path.join(project, "package.json"), JSON.stringify({ name: "p4", private: true }));
    await fs.writeFile(path.join(project, "measure.js"), MEASURE);
    const measure = async () =>
      JSON.parse(await run(process.execPath, ["measure.js"], project)) as Serialized;
    options.log(`P4: installing ${path.basename(tarball)} and ${PULUMI} into a temporary project`);
    await run("npm", ["install", ...NPM_FLAGS, tarball, PULUMI], project);
    const javascript = await measure();
    options.log(`P4: adding ${TYPESCRIPT}, as a Pulumi TypeScript project has`);
    await run("npm", ["install", ...NPM_FLAGS, TYPESCRIPT], project);
    const typescript = await measure();
    options.log(
      "P4: replacing the installed package by a link to this repository, as `npm install <dir>` makes",
    );
    const installed = path.join(project, "node_modules", "pulumi-gradient-indexing");
    await fs.rm(installed, { recursive: true, force: true });
    await fs.symlink(REPO_ROOT, installed, "dir");
    const directory = await measure();
    const fits = (s: Serialized) => s.bytes !== undefined && s.bytes < SIZE_LIMIT_BYTES;
    const tarballBytes = (await fs.stat(tarball)).size;
    const pass = fits(javascript) && fits(typescript) && fits(directory);
    return { pass, tarballBytes, javascript, typescript, directory };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** `npm pack` of the repository; retried, since package.json may be mid-edit by someone else. */
async function pack(dir: string, log: (line: string) => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [packed] = JSON.parse(
        await run("npm", ["pack", "--json", "--pack-destination", dir], REPO_ROOT),
      ) as {
        filename: string;
      }[];
      if (!packed) throw new Error("npm pack reported no tarball");
      return path.join(dir, packed.filename);
    } catch (error) {
      if (attempt >= 3) throw error;
      log(
        `P4: npm pack failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}), retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    }
  }
}

export function p4Table(result: P4Result): string {
  const row = (name: string, s: Serialized) => [
    name,
    s.bytes === undefined ? "fails" : `${s.bytes} B`,
    `< ${SIZE_LIMIT_BYTES} B`,
    s.bytes !== undefined && s.bytes < SIZE_LIMIT_BYTES ? "yes" : "NO",
  ];
  const failures = [result.javascript, result.typescript, result.directory].flatMap((s) =>
    s.error ? [`  serializing failed: ${s.error}`] : [],
  );
  return [
    "P4 serialized `__provider`, package installed from its packed tarball, then from a directory",
    renderTable(
      ["figure", "value", "target", "met"],
      [
        row("serialized provider, TypeScript project", result.typescript),
        row("serialized provider, JavaScript project (no typescript)", result.javascript),
        row("serialized provider, installed from a directory (link)", result.directory),
        ["library loaded by name at run time", result.typescript.byName ? "yes" : "no", "yes", "-"],
        ["tarball", `${(result.tarballBytes / 1024).toFixed(0)} KB`, "-", "-"],
      ],
    ),
    ...failures,
  ].join("\n");
}
