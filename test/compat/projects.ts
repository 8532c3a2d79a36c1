/**
 * Users' projects, as test/compat/run.ts and the benchmark (P3 on the users' platform) set them up: the
 * packed package installed beside a chosen @pulumi/pulumi, run on a chosen Node. Node binaries come from
 * the npm registry as packages (node-<platform>-<arch>); binaries and projects are cached under
 * .cache/compat/ (gitignored), so a repeated run only reinstalls the tarball.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const CACHE = path.join(REPO_ROOT, ".cache", "compat");

export interface Target {
  /** A version or range of @pulumi/pulumi ("latest": the newest release). */
  pulumi: string;
  /** Major version of Node to run on; undefined: the Node running this script. */
  node?: number;
}

export interface UserProject {
  /** The project's directory: its node_modules hold the package and @pulumi/pulumi. */
  dir: string;
  /** The Node binary to run it on. */
  node: string;
  /** "@pulumi/pulumi 3.x.y on Node v22.a.b". */
  label: string;
}

function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: env ?? process.env });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout.trim();
}

/** The newest release of `name` matching `range`, as the registry says. */
function resolveVersion(name: string, range: string): string {
  const out = JSON.parse(run("npm", ["view", `${name}@${range}`, "version", "--json"], CACHE)) as
    string | string[];
  const versions = Array.isArray(out) ? out : [out];
  const last = versions[versions.length - 1];
  if (!last) throw new Error(`no ${name}@${range} in the registry`);
  return last;
}

/** The path of a Node binary of that major version, unpacked from the registry's node-<os>-<cpu> package. */
function nodeBinary(major: number): string {
  const pkg = `node-${process.platform}-${process.arch}`;
  const version = resolveVersion(pkg, String(major));
  const dir = path.join(CACHE, `node-${version}`);
  const binary = path.join(dir, "package", "bin", "node");
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(dir, { recursive: true });
    const tarball = run("npm", ["pack", `${pkg}@${version}`, "--silent"], dir);
    run("tar", ["xzf", tarball, "package/bin/node"], dir);
    fs.rmSync(path.join(dir, tarball));
  }
  return binary;
}

function writeProject(dir: string, pulumi: string, tarball: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: "compat-project",
    private: true,
    main: "index.js",
    dependencies: { "@pulumi/pulumi": pulumi, "pulumi-gradient-indexing": `file:${tarball}` },
  };
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: compat-project\nruntime: nodejs\n");
  // The tarball keeps its name from one build to the next: make npm take the new one.
  fs.rmSync(path.join(dir, "package-lock.json"), { force: true });
  fs.rmSync(path.join(dir, "node_modules", "pulumi-gradient-indexing"), { recursive: true, force: true });
}

/** The repository packed as npm would publish it (dist/ must be built): the tarball's path. */
export function packRepository(): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const packed = JSON.parse(
    run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", CACHE], REPO_ROOT),
  ) as { filename: string }[];
  return path.join(CACHE, packed[0]?.filename ?? "");
}

/** A project with `tarball` and the target's @pulumi/pulumi installed, and the Node it runs on. */
export function userProject(target: Target, tarball: string): UserProject {
  const pulumi = resolveVersion("@pulumi/pulumi", target.pulumi);
  const node = target.node === undefined ? process.execPath : nodeBinary(target.node);
  const dir = path.join(CACHE, `pulumi-${pulumi}`);
  writeProject(dir, pulumi, tarball);
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir);
  return { dir, node, label: `@pulumi/pulumi ${pulumi} on Node ${run(node, ["--version"], dir)}` };
}
