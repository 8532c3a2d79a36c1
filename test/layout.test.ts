/**
 * The layout of provider/ as a rule: no import cycle (type-only imports included), and the shared
 * rooms (host/, waiting/, client/, api/) never reach into a resource's folder.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const PROVIDER = path.resolve(__dirname, "..", "..", "provider");
const RESOURCE_FOLDERS = ["indexing-job", "indexing-schedule"];
const SHARED_FOLDERS = ["host", "waiting", "client", "api"];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Every module a file imports or re-exports from within provider/, type-only ones too. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  source.forEachChild((node) => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
        ? (node.moduleSpecifier as ts.StringLiteral).text
        : undefined;
    if (!specifier?.startsWith(".")) return;
    const base = path.resolve(path.dirname(file), specifier);
    const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) =>
      fs.existsSync(candidate),
    );
    if (resolved) found.push(resolved);
  });
  return found;
}

describe("the layout of provider/", () => {
  const files = sources(PROVIDER);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const name = (file: string) => path.relative(PROVIDER, file);

  it("has no import cycle, type-only imports included", () => {
    const done = new Set<string>();
    const visit = (file: string, trail: string[]): void => {
      if (trail.includes(file)) assert.fail(`import cycle: ${[...trail, file].map(name).join(" -> ")}`);
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      done.add(file);
    };
    files.forEach((file) => visit(file, []));
    assert.ok(graph.size > 30, "the walk found too few modules to mean anything");
  });

  it("keeps host/, waiting/, client/ and api/ out of the resources' folders", () => {
    for (const [file, imports] of graph) {
      if (!SHARED_FOLDERS.includes(name(file).split(path.sep)[0] ?? "")) continue;
      for (const target of imports) {
        const folder = name(target).split(path.sep)[0] ?? "";
        assert.ok(!RESOURCE_FOLDERS.includes(folder), `${name(file)} imports ${name(target)}`);
      }
    }
  });
});
